/**
 * The coarse shape of a `.prompt` file: where the front matter's `---` lines are, where the
 * body starts, and how to turn a character offset into a 0-based line and column.
 */
import type { SourcePosition, SourceRange } from '../types';

/**
 * A lone `\r` is a line break to every editor (and to LSP): turned into `\n` before anything reads the
 * text, so our lines are the lines the user sees. Same length, so every offset stays the same.
 */
export function normalizeLineBreaks(text: string): string {
  return text.includes('\r') ? text.replace(/\r(?!\n)/g, '\n') : text;
}

/** A fence is `---` alone on its line (trailing spaces allowed, as YAML allows them). */
const FENCE = /^---[ \t]*$/;

export interface FileLayout {
  /** The file's lines, each without its line break (a trailing `\r` is dropped). */
  lines: string[];
  /** True when line 0 is a `---` line. */
  hasFrontMatter: boolean;
  /** The line of the closing `---`, if there is one. */
  closingLine?: number;
  /** What YAML reads: the file from its start up to the closing `---`. It starts with the
   *  opening `---` (a YAML document marker), so YAML's offsets are the file's offsets. */
  yamlText: string;
  /** The first line of the body: after the closing `---`; the whole file without front matter. */
  bodyStartLine: number;
}

export function layoutOf(text: string): FileLayout {
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if (!FENCE.test(lines[0])) return { lines, hasFrontMatter: false, yamlText: '', bodyStartLine: 0 };
  const closing = lines.findIndex((l, i) => i > 0 && FENCE.test(l));
  if (closing < 0) return { lines, hasFrontMatter: true, yamlText: text, bodyStartLine: lines.length };
  const yamlEnd = new TextPositions(text).offsetOfLine(closing);
  return {
    lines,
    hasFrontMatter: true,
    closingLine: closing,
    yamlText: text.slice(0, yamlEnd),
    bodyStartLine: closing + 1,
  };
}

/** Offsets (UTF-16 code units, as JavaScript strings and LSP count) to 0-based positions. */
export class TextPositions {
  private readonly lineStarts: number[] = [0];

  constructor(private readonly text: string) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
  }

  offsetOfLine(line: number): number {
    return this.lineStarts[line];
  }

  /** The line's length without its line break (`\r\n` or `\n`): no position lies past it. */
  private lineLength(line: number): number {
    const next = line + 1 < this.lineStarts.length ? this.lineStarts[line + 1] - 1 : this.text.length;
    const end = next > this.lineStarts[line] && this.text.charCodeAt(next - 1) === 13 ? next - 1 : next;
    return end - this.lineStarts[line];
  }

  position(offset: number): SourcePosition {
    const at = Math.max(0, Math.min(offset, this.text.length));
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.lineStarts[mid] <= at) low = mid;
      else high = mid - 1;
    }
    // An offset on a line break (YAML points there for "end of line") is the end of that line.
    return { line: low, column: Math.min(at - this.lineStarts[low], this.lineLength(low)) };
  }

  range(start: number, end: number): SourceRange {
    return { start: this.position(start), end: this.position(end) };
  }
}

/** The whole of one line. */
export function lineRange(line: number, length: number): SourceRange {
  return { start: { line, column: 0 }, end: { line, column: length } };
}
