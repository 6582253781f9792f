/**
 * Document symbols (outline view, breadcrumbs, "Go to Symbol"): the models of the front matter,
 * then each case named by its base prompt with its variants as children. From the outline, so
 * they keep working while the file has errors.
 */
import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver';
import type { PromptAnalysis } from './documents';
import { toLspRange } from './ranges';

/** Symbol names must not be empty (VS Code rejects the whole answer) and read best on one line. */
export function symbolName(text: string): string {
  const oneLine = text.replace(/\r?\n/g, ' ⏎ ');
  return oneLine.trim() === '' ? '(empty prompt)' : oneLine;
}

export function provideDocumentSymbols(analysis: PromptAnalysis): DocumentSymbol[] {
  const { models, cases } = analysis.outline;
  const symbols: DocumentSymbol[] = models.map((model, i) => ({
    name: model.name ?? `model ${i + 1}`,
    detail: 'model',
    kind: SymbolKind.Class,
    range: toLspRange(model.range),
    selectionRange: toLspRange(model.nameRange ?? model.range),
  }));
  cases.forEach((promptCase, caseIndex) => {
    symbols.push({
      name: symbolName(promptCase.base.text),
      detail: `case ${caseIndex + 1}`,
      kind: SymbolKind.Namespace,
      range: toLspRange(promptCase.range),
      selectionRange: toLspRange(promptCase.base.range),
      children: promptCase.variants.map((variant) => ({
        name: symbolName(variant.text),
        detail: 'variant',
        kind: SymbolKind.String,
        range: toLspRange(variant.range),
        selectionRange: toLspRange(variant.range),
      })),
    });
  });
  return symbols;
}
