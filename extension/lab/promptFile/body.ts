/**
 * The body: one prompt per line, taken verbatim. `~ ` marks a variant of the base above it,
 * `#` a comment, a leading `\` escapes the first character, blank lines separate cases.
 */
import { type DiagnosticList } from '../config/diagnostics';
import type { PromptCase, PromptText, Severity, SourceRange } from '../types';

export type BodyLineKind = 'blank' | 'comment' | 'base' | 'variant';

export interface LineProblem {
  severity: Severity;
  code: string;
  message: string;
}

export interface ClassifiedLine {
  kind: BodyLineKind;
  /** Base and variant: the prompt, without `~ ` or the escaping `\`. Comment: the text after `#`. */
  text: string;
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
  if (raw.startsWith('~ ') || raw === '~') {
    const text = raw.slice(2);
    const problem: LineProblem | undefined =
      text === ''
        ? {
            severity: 'error',
            code: 'empty-prompt',
            message: 'this variant is empty: write the perturbed prompt after `~ `',
          }
        : undefined;
    // A lone `~` has no column 2: the empty text stands at the line's end.
    return { kind: 'variant', text, column: Math.min(2, raw.length), problem };
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
        break;
      case 'comment':
        break;
      case 'base':
        close();
        closedByBlank = false;
        open = { base: prompt, variants: [], range };
        cases.push(open);
        break;
      case 'variant':
        if (!open) {
          const why = closedByBlank
            ? 'a blank line ends a case, so the base above no longer applies: remove the blank line, or write a base prompt first'
            : 'write the base prompt on a line of its own first, then its variants on lines starting with `~ `';
          out.error('variant-without-base', `this variant has no base prompt above it: ${why}`, range);
          break;
        }
        if (classified.text === open.base.text)
          out.warning('same-as-base', 'this variant is the same text as its base: nothing is perturbed', range);
        open.variants.push(prompt);
        open.range = { start: open.range.start, end: range.end };
        break;
    }
  }
  close();
  return { lines, cases };
}
