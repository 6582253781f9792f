/**
 * Small helpers to collect LabDiagnostics. The parser and the config resolver never throw
 * for a user's mistake: they append here and go on, so one pass reports every problem.
 */
import type { LabDiagnostic, Severity, SourceRange, Suggestion } from '../types';

export class DiagnosticList {
  readonly items: LabDiagnostic[] = [];

  constructor(readonly file: string) {}

  add(severity: Severity, code: string, message: string, range: SourceRange, suggestion?: Suggestion): void {
    this.items.push({ severity, code, message, file: this.file, range, ...(suggestion ? { suggestion } : {}) });
  }

  error(code: string, message: string, range: SourceRange, suggestion?: Suggestion): void {
    this.add('error', code, message, range, suggestion);
  }

  warning(code: string, message: string, range: SourceRange): void {
    this.add('warning', code, message, range);
  }

  get hasErrors(): boolean {
    return this.items.some((d) => d.severity === 'error');
  }
}

export function pointRange(line: number, column: number, endColumn = column): SourceRange {
  return { start: { line, column }, end: { line, column: endColumn } };
}

/** A value as the user wrote it, for messages: strings quoted, the rest as JSON. */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  return JSON.stringify(value) ?? String(value);
}

/** `a`, `b` or `c` — a list of allowed names, each in backticks. */
export function listNames(names: readonly string[], last = 'or'): string {
  const quoted = names.map((n) => `\`${n}\``);
  if (quoted.length <= 1) return quoted.join('');
  return `${quoted.slice(0, -1).join(', ')} ${last} ${quoted[quoted.length - 1]}`;
}
