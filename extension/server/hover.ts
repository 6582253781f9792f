/**
 * Hover on a prompt (a body line or a string of `cases:`): the tokens each tokenizer makes of it, exactly as a
 * run tokenizes it (`lab/experiment/inputReading.ts`), so `<pad>` splitting into `<`, `pad`, `>` is seen before
 * anything runs. An `encoder:` line (an encoder-decoder's source) and its `~ encoder:` variants show the
 * encoder-decoders' tokens, with special tokens when `add_special_tokens`, and name the models that ignore the
 * line or show the variant as not applicable; on the base line an encoder-decoder's decoder input is shown as
 * written. On a variant whose token count differs from the input it replaces, it says so: every later position
 * shifts (a trap of its own). Needs the resolved models: those whose entries resolve answer, whatever error
 * another entry has.
 */
import { MarkupKind, type Hover, type Position } from 'vscode-languageserver';
import { ARCHITECTURE_LABEL, moduleOf } from '../lab/config';
import { readsInput } from '../lab/experiment/inputReading';
import type { EditedInput, ModelSpec, PromptCase, PromptText, SourceRange } from '../lab/types';
import type { PromptAnalysis } from './documents';
import { toLspRange } from './ranges';
import { tokenizerGroups, type TokenCounter, type TokenizerGroup } from './tokenCounts';

interface Hit {
  prompt: PromptText;
  promptCase: PromptCase;
  /** The input the line gives: the base line's (`text`) or the source (`encoder`). */
  input: EditedInput;
  /** A variant (compared with the input it replaces), or the line it replaces. */
  isVariant: boolean;
}

function contains(range: SourceRange, p: Position): boolean {
  const afterStart = p.line > range.start.line || (p.line === range.start.line && p.character >= range.start.column);
  const beforeEnd = p.line < range.end.line || (p.line === range.end.line && p.character <= range.end.column);
  return afterStart && beforeEnd;
}

/** The prompt under the cursor; on a body line anywhere on the line (the `~ ` and `encoder: ` included). */
export function promptAt(cases: readonly PromptCase[], position: Position): Hit | undefined {
  const all: Hit[] = cases.flatMap((promptCase) => [
    ...(promptCase.encoder
      ? [{ prompt: promptCase.encoder, promptCase, input: 'encoder' as const, isVariant: false }]
      : []),
    { prompt: promptCase.base, promptCase, input: 'text' as const, isVariant: false },
    ...promptCase.variants.map((prompt) => ({ prompt, promptCase, input: prompt.edits, isVariant: true })),
  ]);
  const exact = all.find((h) => contains(h.prompt.range, position));
  if (exact) return exact;
  const onLine = all.filter(
    (h) => h.prompt.range.start.line === position.line && h.prompt.range.end.line === position.line,
  );
  return onLine.length === 1 ? onLine[0] : undefined;
}

/** "decoder input, as written (no special tokens added)" / "source, with special tokens"; nothing for one stack. */
function roleOf(group: TokenizerGroup, input: EditedInput): string {
  if (!group.encoderDecoder) return '';
  const special = group.addSpecialTokens ? 'with special tokens' : 'without special tokens (add_special_tokens: false)';
  return input === 'encoder' ? ` · source, ${special}` : ' · decoder input, as written (no special tokens added)';
}

/**
 * For an encoder-decoder's decoder input that does not begin with the token `generate` feeds first
 * (`decoder_start_token_id`): what it should begin with (the run's `decoder-start-token` finding, before the run).
 */
function startTokenNote(
  group: TokenizerGroup,
  specs: ReadonlyMap<string, ModelSpec>,
  first: number | undefined,
  tokenText: (id: number) => string,
): string | null {
  if (!group.encoderDecoder || first === undefined) return null;
  const notes = group.models.flatMap((name) => {
    const spec = specs.get(name);
    const start = spec ? moduleOf(spec.architecture).decoderStart(spec.config) : null;
    if (!spec || start === null || start === first) return [];
    return [
      `${name}: ${ARCHITECTURE_LABEL[spec.architecture]}'s generate starts every decoder input with ${tokenText(start)} (id ${start}); this one starts with ${tokenText(first)}. Write ${tokenText(start)} first to see what the model sees when it generates.`,
    ];
  });
  return notes.length > 0 ? notes.join(' ') : null;
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
  const models = await analysis.resolvedModels();
  if (models.length === 0) return null;
  const hit = promptAt(analysis.cases, position);
  if (!hit) return null;
  const groups = tokenizerGroups(models, hit.input);
  const tokenizers = await counter.tokenizersFor(groups);
  if (!tokenizers) return null;
  // What a variant is compared with: the line it replaces.
  const replaced = hit.input === 'encoder' ? hit.promptCase.encoder : hit.promptCase.base;
  const replacedName = hit.input === 'encoder' ? 'the source' : 'the base';

  const specs = new Map(models.map((m) => [m.name, m]));
  const sections = groups.map((group, i) => {
    const { tokens } = tokenizers[i].encode(hit.prompt.text, group.addSpecialTokens);
    const baseCount =
      hit.isVariant && replaced
        ? tokenizers[i].encode(replaced.text, group.addSpecialTokens).ids.length
        : tokens.length;
    const shift =
      baseCount === tokens.length
        ? ''
        : ` (${replacedName} has ${baseCount}: every position after the change shifts by ${Math.abs(tokens.length - baseCount)})`;
    const count = `${tokens.length} ${tokens.length === 1 ? 'token' : 'tokens'}${shift}`;
    const models = group.models.join(', ');
    const strip = tokens.map((t) => t.text).join(' │ ');
    const role = roleOf(group, hit.input);
    const tokenText = (id: number) => tokenizers[i].tokenText(id);
    const start = hit.input === 'text' ? startTokenNote(group, specs, tokens[0]?.id, tokenText) : null;
    const section = markdown
      ? `**${group.label}**${role}: ${count} — ${escapeMarkdown(models)}\n\n${fenced(strip)}`
      : `${group.label}${role}: ${count} — ${models}\n  ${strip}`;
    if (start === null) return section;
    return markdown ? `${section}\n\n*${escapeMarkdown(start)}*` : `${section}\n  ${start}`;
  });
  // Notes in italics; only the user's names are escaped (the words around them are ours).
  const note = (before: string, names: string, after: string) =>
    markdown ? `*${before}${escapeMarkdown(names)}${after}*` : `${before}${names}${after}`;
  const blind = models.filter((m) => !readsInput(m, hit.input));
  if (blind.length > 0) {
    const names = blind.map((m) => m.name).join(', ');
    const labels = [...new Set(blind.map((m) => ARCHITECTURE_LABEL[m.architecture]))].join(' and ');
    const has = `: ${labels} ${blind.length === 1 ? 'has' : 'have'} no encoder`;
    sections.push(
      hit.isVariant
        ? note('Not applicable to ', names, `${has}, so a run shows this variant as not applicable.`)
        : note('Ignored by ', names, `${has} (${blind.length === 1 ? 'it reads' : 'they read'} only the base line).`),
    );
  }
  const resolved = new Set(models.map((m) => m.name));
  const leftOut = analysis.outline.models.flatMap((m) => (m.name && !resolved.has(m.name) ? [m.name] : []));
  if (leftOut.length > 0) {
    const why = `(${leftOut.length === 1 ? 'its entry has' : 'their entries have'} an error)`;
    sections.push(note('Not shown: ', leftOut.join(', '), ` ${why}`));
  }
  if (sections.length === 0) return null;
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
