/**
 * Hover on a prompt (a body line or a string of `cases:`): the tokens each tokenizer makes of it,
 * so `<pad>` splitting into `<`, `pad`, `>` is seen before anything runs. On a variant whose token
 * count differs from its base's, it says so: every later position shifts (a trap of its own).
 * Needs the resolved models: those whose entries resolve answer, whatever error another entry has.
 */
import { MarkupKind, type Hover, type Position } from 'vscode-languageserver';
import type { PromptCase, PromptText, SourceRange } from '../lab/types';
import type { PromptAnalysis } from './documents';
import { toLspRange } from './ranges';
import { tokenizerGroups, type TokenCounter } from './tokenCounts';

interface Hit {
  prompt: PromptText;
  promptCase: PromptCase;
  isBase: boolean;
}

function contains(range: SourceRange, p: Position): boolean {
  const afterStart = p.line > range.start.line || (p.line === range.start.line && p.character >= range.start.column);
  const beforeEnd = p.line < range.end.line || (p.line === range.end.line && p.character <= range.end.column);
  return afterStart && beforeEnd;
}

/** The prompt under the cursor; on a body line anywhere on the line (the `~ ` included). */
export function promptAt(cases: readonly PromptCase[], position: Position): Hit | undefined {
  const all: Hit[] = cases.flatMap((promptCase) => [
    { prompt: promptCase.base, promptCase, isBase: true },
    ...promptCase.variants.map((prompt) => ({ prompt, promptCase, isBase: false })),
  ]);
  const exact = all.find((h) => contains(h.prompt.range, position));
  if (exact) return exact;
  const onLine = all.filter(
    (h) => h.prompt.range.start.line === position.line && h.prompt.range.end.line === position.line,
  );
  return onLine.length === 1 ? onLine[0] : undefined;
}

/** A fence longer than any run of backticks in the text, so no token can end the block. */
function fenced(text: string): string {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}text\n${text}\n${fence}`;
}

export async function provideHover(
  analysis: PromptAnalysis,
  position: Position,
  counter: TokenCounter,
  markdown: boolean,
): Promise<Hover | null> {
  const models = analysis.resolvedModels;
  if (models.length === 0) return null;
  const hit = promptAt(analysis.cases, position);
  if (!hit) return null;
  const groups = tokenizerGroups(models);
  const tokenizers = await counter.tokenizersFor(groups);
  if (!tokenizers) return null;

  const sections = groups.map((group, i) => {
    const { tokens } = tokenizers[i].encode(hit.prompt.text, group.addSpecialTokens);
    const baseCount = hit.isBase
      ? tokens.length
      : tokenizers[i].encode(hit.promptCase.base.text, group.addSpecialTokens).ids.length;
    const shift =
      baseCount === tokens.length
        ? ''
        : ` (the base has ${baseCount}: every position after the change shifts by ${Math.abs(tokens.length - baseCount)})`;
    const count = `${tokens.length} ${tokens.length === 1 ? 'token' : 'tokens'}${shift}`;
    const models = group.models.join(', ');
    const strip = tokens.map((t) => t.text).join(' │ ');
    return markdown
      ? `**${group.label}**: ${count} — ${escapeMarkdown(models)}\n\n${fenced(strip)}`
      : `${group.label}: ${count} — ${models}\n  ${strip}`;
  });
  const resolved = new Set(models.map((m) => m.name));
  const leftOut = analysis.outline.models.flatMap((m) => (m.name && !resolved.has(m.name) ? [m.name] : []));
  if (leftOut.length > 0) {
    const why = `(${leftOut.length === 1 ? 'its entry has' : 'their entries have'} an error)`;
    const names = leftOut.join(', ');
    sections.push(markdown ? `*Not shown: ${escapeMarkdown(names)} ${why}*` : `Not shown: ${names} ${why}`);
  }
  return {
    contents: {
      kind: markdown ? MarkupKind.Markdown : MarkupKind.PlainText,
      value: sections.join(markdown ? '\n\n' : '\n'),
    },
    range: toLspRange(hit.prompt.range),
  };
}

/** Model names are the user's text: shown literally, never as markup. */
function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!<>|~]/g, '\\$&');
}
