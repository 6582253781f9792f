/**
 * Completion in the body, for encoder-decoders: `encoder:` (a case's source) on a line that starts a case, and
 * `~ encoder:` (a source variant) on a variant line of a case that has a source — only in a file where a model
 * reads a source, so a prompt that happens to start with `en` is never completed into something else. Works on
 * the raw lines and the outline's classified body lines (the text may be half typed); the models are those
 * resolved once the files the entries name are read.
 */
import { CompletionItemKind, MarkupKind, type CompletionItem, type Position } from 'vscode-languageserver';
import { hasEncoder } from '../lab/experiment/inputReading';
import { ENCODER_PREFIX } from '../lab/promptFile/body';
import type { PromptAnalysis } from './documents';

const SOURCE_DOC =
  'The source of an encoder-decoder (BART, MarianMT) for the case whose base prompt follows: the base line is ' +
  'then the decoder input, as written (`<pad> Ich will ein` for MarianMT, whose decoder start token is `<pad>`). ' +
  'Models without an encoder ignore this line.';
const VARIANT_DOC =
  'A variant that replaces the case’s source (its `encoder:` line) instead of the base: the encoder reads the ' +
  'changed source, the decoder input stays. Models without an encoder show it as not applicable.';

export async function provideBodyCompletion(analysis: PromptAnalysis, position: Position): Promise<CompletionItem[]> {
  const { outline } = analysis;
  if (position.line < outline.bodyStartLine) return [];
  const lines = analysis.text.split(/\r\n|\r|\n/);
  const before = (lines[position.line] ?? '').slice(0, position.character);
  const variant = /^~( ?)([a-z:]*)$/.exec(before);
  const source = variant ? null : /^[a-z:]*$/.exec(before);
  if (!variant && !source) return [];
  if (variant && !ENCODER_PREFIX.startsWith(variant[2])) return [];
  if (source && !ENCODER_PREFIX.startsWith(before)) return [];
  // The rest of the line must be empty or what is being typed: never rewrite a written prompt.
  if ((lines[position.line] ?? '').slice(position.character).trim() !== '') return [];
  await analysis.loaded();
  if (!analysis.modelsSoFar.some(hasEncoder)) return [];

  // The body lines above, back to the start of the case (a blank line or the front matter's end).
  const above = outline.bodyLines.filter((l) => l.line < position.line);
  const caseLines: typeof above = [];
  for (let k = above.length - 1; k >= 0 && above[k].kind !== 'blank'; k--) caseLines.unshift(above[k]);
  const range = { start: { line: position.line, character: 0 }, end: position };
  if (source) {
    // A source starts a case: nothing but comments above it in this case.
    if (caseLines.some((l) => l.kind !== 'comment')) return [];
    return [item('encoder:', 'encoder: ', 'source of an encoder-decoder', SOURCE_DOC, range)];
  }
  const hasSource = caseLines.some((l) => l.kind === 'encoder');
  const hasBase = caseLines.some((l) => l.kind === 'base');
  if (!hasSource || !hasBase) return [];
  return [item('~ encoder:', '~ encoder: ', 'source variant', VARIANT_DOC, range)];
}

function item(
  label: string,
  newText: string,
  detail: string,
  doc: string,
  range: { start: Position; end: Position },
): CompletionItem {
  return {
    label,
    kind: CompletionItemKind.Keyword,
    detail,
    documentation: { kind: MarkupKind.Markdown, value: doc },
    textEdit: { range, newText },
    // VS Code filters by the text from the range's start: `~ en` matches `~ encoder:`.
    filterText: newText,
  };
}
