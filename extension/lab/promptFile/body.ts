/**
 * The body: one prompt per line, taken verbatim. `~ ` marks a variant of the base above it,
 * `#` a comment, a leading `\` escapes the first character, blank lines separate cases.
 * An encoder-decoder's source is a line `encoder: …` above the base (the case's source), and a variant
 * `~ encoder: …` replaces the source instead of the base: the encoder-decoder article's experiment is
 *
 *     encoder: I want to buy a car
 *     <pad> Ich will ein
 *     ~ <pad> Ich will das
 *     ~ encoder: I want to buy a house
 *
 * Models without an encoder ignore the `encoder:` line; an encoder variant does not apply to them.
 */
import { type DiagnosticList } from '../config/diagnostics';
import type { EditedInput, PromptCase, PromptText, PromptVariant, Severity, SourceRange } from '../types';

export type BodyLineKind = 'blank' | 'comment' | 'base' | 'variant' | 'encoder';

/** What starts an encoder line (`encoder: …`) and an encoder variant (`~ encoder: …`). */
export const ENCODER_PREFIX = 'encoder:';

export interface LineProblem {
  severity: Severity;
  code: string;
  message: string;
}

export interface ClassifiedLine {
  kind: BodyLineKind;
  /** Base, variant, encoder: the prompt, without `~ `, `encoder: ` or the escaping `\`. Comment: the text after `#`. */
  text: string;
  /** A variant's: the input it replaces. */
  edits?: EditedInput;
  /** Column of `text`'s first character in the line, so `text[i]` stands at `column + i`. */
  column: number;
  /** A problem of the line on its own (an empty variant, a lone `\`, `~` without a space). */
  problem?: LineProblem;
}

/** What one body line is, judged alone. A trailing `\r` is dropped; every other character counts. */
export function classifyBodyLine(line: string): ClassifiedLine {
  const raw = line.endsWith('\r') ? line.slice(0, -1) : line;
  // A line of only spaces is invisible in an editor: treat it as the blank line it looks like.
  if (raw.trim() === '') return { kind: 'blank', text: '', column: 0 };
  if (raw.startsWith('#')) return { kind: 'comment', text: raw.slice(1), column: 1 };
  if (raw.startsWith(ENCODER_PREFIX)) {
    const { text, column } = afterPrefix(raw, 0);
    const problem: LineProblem | undefined =
      text === ''
        ? {
            severity: 'error',
            code: 'empty-prompt',
            message:
              'this `encoder:` line is empty: write the source after `encoder: ` (or `\\encoder:` for a prompt that starts so)',
          }
        : undefined;
    return { kind: 'encoder', text, column, problem };
  }
  if (raw.startsWith('~ ') || raw === '~') {
    const encoder = raw.startsWith(ENCODER_PREFIX, 2);
    const { text, column } = encoder ? afterPrefix(raw, 2) : { text: raw.slice(2), column: Math.min(2, raw.length) };
    const problem: LineProblem | undefined =
      text === ''
        ? {
            severity: 'error',
            code: 'empty-prompt',
            message: encoder
              ? 'this encoder variant is empty: write the changed source after `~ encoder: `'
              : 'this variant is empty: write the perturbed prompt after `~ `',
          }
        : undefined;
    // A lone `~` has no column 2: the empty text stands at the line's end.
    return { kind: 'variant', text, column, problem, edits: encoder ? 'encoder' : 'text' };
  }
  if (raw.startsWith('\\')) {
    if (raw.length === 1) {
      return {
        kind: 'base',
        text: raw,
        column: 0,
        problem: {
          severity: 'error',
          code: 'lone-escape',
          message: 'a lone `\\` escapes nothing: write `\\\\` for a prompt that is one backslash',
        },
      };
    }
    return { kind: 'base', text: raw.slice(1), column: 1 };
  }
  if (raw.startsWith('~')) {
    const problem: LineProblem = {
      severity: 'warning',
      code: 'tilde-without-space',
      message:
        'this line starts with `~` but not `~ `, so it is a new base prompt, not a variant; write `~ ` for a variant, or `\\~` to keep the `~` and silence this',
    };
    return { kind: 'base', text: raw, column: 0, problem };
  }
  return { kind: 'base', text: raw, column: 0 };
}

/** The text after `encoder:` (and one space) from `at` on, and its column. */
function afterPrefix(raw: string, at: number): { text: string; column: number } {
  let column = at + ENCODER_PREFIX.length;
  if (raw[column] === ' ') column++;
  return { text: raw.slice(column), column };
}

export interface BodyLine extends ClassifiedLine {
  /** 0-based line in the file. */
  line: number;
  /** Where `text` stands (the whole line for blank lines). */
  range: SourceRange;
}

export interface ParsedBody {
  lines: BodyLine[];
  cases: PromptCase[];
}

/** Lines `fromLine`.. of the file as cases; line problems and grammar problems go to `out`. */
export function parseBody(fileLines: readonly string[], fromLine: number, out: DiagnosticList): ParsedBody {
  const lines: BodyLine[] = [];
  const cases: PromptCase[] = [];
  let open: PromptCase | undefined;
  let closedByBlank = false;
  /** An `encoder:` line waiting for the base of its case. */
  let source: PromptText | undefined;

  const orphanSource = () => {
    if (source)
      out.error(
        'encoder-without-base',
        'this `encoder:` line gives the source of the case whose base prompt follows it: write the base (the decoder input) on the next line',
        source.range,
      );
    source = undefined;
  };
  const close = () => {
    if (open && open.variants.length === 0) {
      out.warning(
        'no-variant',
        'this case has no variant, so there is nothing to compare: add lines starting with `~ ` below it',
        open.base.range,
      );
    }
    open = undefined;
  };

  for (let line = fromLine; line < fileLines.length; line++) {
    const classified = classifyBodyLine(fileLines[line]);
    const end = classified.kind === 'blank' ? fileLines[line].length : classified.column + classified.text.length;
    const range: SourceRange = {
      start: { line, column: classified.kind === 'blank' ? 0 : classified.column },
      end: { line, column: end },
    };
    lines.push({ ...classified, line, range });
    if (classified.problem)
      out.add(classified.problem.severity, classified.problem.code, classified.problem.message, range);
    const prompt: PromptText = { text: classified.text, range };

    switch (classified.kind) {
      case 'blank':
        if (open) closedByBlank = true;
        close();
        orphanSource();
        break;
      case 'comment':
        break;
      case 'encoder':
        close();
        orphanSource();
        closedByBlank = false;
        source = prompt;
        break;
      case 'base':
        close();
        closedByBlank = false;
        open = source
          ? { base: prompt, encoder: source, variants: [], range: { start: source.range.start, end: range.end } }
          : { base: prompt, variants: [], range };
        source = undefined;
        cases.push(open);
        break;
      case 'variant': {
        orphanSource();
        if (!open) {
          const why = closedByBlank
            ? 'a blank line ends a case, so the base above no longer applies: remove the blank line, or write a base prompt first'
            : 'write the base prompt on a line of its own first, then its variants on lines starting with `~ `';
          out.error('variant-without-base', `this variant has no base prompt above it: ${why}`, range);
          break;
        }
        const edits = classified.edits ?? 'text';
        if (edits === 'encoder' && !open.encoder) {
          out.error(
            'encoder-variant-without-encoder',
            'this `~ encoder:` variant replaces the source, but its case has none: write `encoder: …` (the source) on the line above the base',
            range,
          );
          break;
        }
        const original = edits === 'encoder' ? open.encoder! : open.base;
        if (classified.text === original.text)
          out.warning(
            'same-as-base',
            edits === 'encoder'
              ? 'this encoder variant is the same text as the source: nothing is perturbed'
              : 'this variant is the same text as its base: nothing is perturbed',
            range,
          );
        const variant: PromptVariant = { ...prompt, edits };
        open.variants.push(variant);
        open.range = { start: open.range.start, end: range.end };
        break;
      }
    }
  }
  close();
  orphanSource();
  return { lines, cases };
}
