/**
 * A problem in a user's input and where it is: what the engine reports, the runner sends, the host
 * shows in the Problems panel and the CLI prints. Positions are 0-based (line, column in UTF-16 code
 * units), as LSP has them; front ends add 1 when they print them.
 */

export interface SourcePosition {
  line: number;
  column: number;
}

export interface SourceRange {
  start: SourcePosition;
  end: SourcePosition;
}

export type Severity = 'error' | 'warning' | 'info';

/** A problem in a user's input, with the place it comes from. Never a stack trace. */
export interface LabDiagnostic {
  severity: Severity;
  message: string;
  /** Absolute or as-given path of the file the range is in. */
  file: string;
  range: SourceRange;
  /** A stable code such as `unknown-key`, `not-supported`, `yaml-syntax`; quick fixes key on it. */
  code: string;
  /** What would fix it ("did you mean", the allowed values): the editor's quick fixes offer it. */
  suggestion?: Suggestion;
}

/** Texts that can take the place of a misspelt key or a wrong value, best first. */
export interface Suggestion {
  /** `key`: the key at the diagnostic's range is replaced; `value`: the value of `key` (at the range, or missing). */
  target: 'key' | 'value';
  /** The key as written (for `target: 'key'`, the misspelt one). */
  key: string;
  texts: readonly string[];
  /** The first text is close to what was written (a "did you mean"): the preferred fix. */
  closeMatch: boolean;
}

/** `file:line:col: severity: message` with 1-based line and column. */
export function formatDiagnostic(d: LabDiagnostic): string {
  return `${d.file}:${d.range.start.line + 1}:${d.range.start.column + 1}: ${d.severity}: ${d.message}`;
}
