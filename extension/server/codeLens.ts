/**
 * CodeLens: "▶ Compare all" on the opening `---`, "▶ Compare" above each case's base,
 * "▶ Compare this variant" above each variant, and beside "▶ Compare" the token count per
 * tokenizer (not clickable). The run lenses come from the outline, so they stay while the front
 * matter is broken; the counts need the resolved models: every entry that resolves counts, whatever
 * error another entry has (a broken YAML front matter leaves no models to count with).
 */
import type { CancellationToken, CodeLens, Command } from 'vscode-languageserver';
import { COMMANDS, type CompareCaseArgs } from '../protocol/commands';
import type { PromptAnalysis } from './documents';
import { describeError, type Logger } from './guard';
import { toLspRange } from './ranges';
import type { ServerSettings } from './settings';
import { formatCounts, tokenizerGroups, type TokenCounter, type TokenizerGroup } from './tokenCounts';

export const LENS_TITLES = {
  compareAll: '▶ Compare all',
  compare: '▶ Compare',
  compareVariant: '▶ Compare this variant',
} as const;

/** The lenses that run something: known from the outline alone, no tokenizer needed. */
export function runLenses(analysis: PromptAnalysis): CodeLens[] {
  const { uri } = analysis;
  const { cases } = analysis.outline;
  if (cases.length === 0) return [];
  const zero = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  const lenses: CodeLens[] = [
    { range: zero, command: { title: LENS_TITLES.compareAll, command: COMMANDS.compare, arguments: [uri] } },
  ];
  cases.forEach((promptCase, caseIndex) => {
    const args: CompareCaseArgs = { uri, caseIndex };
    lenses.push({
      range: toLspRange(promptCase.base.range),
      command: { title: LENS_TITLES.compare, command: COMMANDS.compareCase, arguments: [args] },
    });
    promptCase.variants.forEach((variant, variantIndex) => {
      const variantArgs: CompareCaseArgs = { uri, caseIndex, variantIndex };
      lenses.push({
        range: toLspRange(variant.range),
        command: { title: LENS_TITLES.compareVariant, command: COMMANDS.compareCase, arguments: [variantArgs] },
      });
    });
  });
  return lenses;
}

/**
 * One lens per case with the token count of its base per tokenizer group, and one on its `encoder:` line with
 * the source's count for the encoder-decoders (each input counted as a run tokenizes it); none when they cannot
 * be computed.
 */
export async function tokenCountLenses(
  analysis: PromptAnalysis,
  counter: TokenCounter,
  log: Logger,
  token?: CancellationToken,
): Promise<CodeLens[]> {
  // Per entry: a model whose entry has an error is left out, the others keep their counts.
  const models = await analysis.resolvedModels();
  if (models.length === 0) return [];
  const groupsOf = { text: tokenizerGroups(models, 'text'), encoder: tokenizerGroups(models, 'encoder') };
  const tooltipOf = (groups: readonly TokenizerGroup[]) =>
    groups
      .map((g) => `${g.label} (${g.description}, add_special_tokens: ${g.addSpecialTokens}): ${g.models.join(', ')}`)
      .join('\n');
  const tooltips = { text: tooltipOf(groupsOf.text), encoder: tooltipOf(groupsOf.encoder) };
  const lenses: CodeLens[] = [];
  for (const promptCase of analysis.cases) {
    if (token?.isCancellationRequested) return [];
    const lines = [
      ...(promptCase.encoder ? [{ prompt: promptCase.encoder, input: 'encoder' as const }] : []),
      { prompt: promptCase.base, input: 'text' as const },
    ];
    for (const { prompt, input } of lines) {
      if (groupsOf[input].length === 0) continue;
      try {
        const counts = await counter.count(groupsOf[input], prompt.text);
        if (!counts) return [];
        // An empty command id makes VS Code draw the lens as plain text.
        const command: Command = { title: formatCounts(counts), command: '', tooltip: tooltips[input] };
        lenses.push({ range: toLspRange(prompt.range), command });
      } catch (error) {
        log.error(`counting the tokens of ${JSON.stringify(prompt.text)} failed: ${describeError(error)}`);
      }
    }
  }
  return lenses;
}

export async function provideCodeLenses(
  analysis: PromptAnalysis,
  settings: ServerSettings,
  counter: TokenCounter,
  log: Logger,
  token?: CancellationToken,
): Promise<CodeLens[]> {
  const lenses = runLenses(analysis);
  if (!settings.tokenCounts || lenses.length === 0) return lenses;
  return [...lenses, ...(await tokenCountLenses(analysis, counter, log, token))];
}
