/**
 * Types shared by the parts of the lab engine. No vscode, no IPC.
 * Positions are 0-based (line, column in UTF-16 code units), as LSP has them;
 * front ends add 1 when they print them.
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
}

/** Thrown for bad user input anywhere in the engine; front ends print `file:line:col: message`, never a stack. */
export class LabInputError extends Error {
  constructor(readonly diagnostics: LabDiagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'));
    this.name = 'LabInputError';
  }
}

/** `file:line:col: severity: message` with 1-based line and column. */
export function formatDiagnostic(d: LabDiagnostic): string {
  return `${d.file}:${d.range.start.line + 1}:${d.range.start.column + 1}: ${d.severity}: ${d.message}`;
}

export type Architecture = 'bert' | 'gpt2';
export type TokenizerFamily = 'bert-uncased' | 'gpt2';
export type Mode = 'train' | 'eval';
export type DropoutPolicy = 'independent' | 'paired';

/** A Hugging Face config as the JSON object `config.json` holds, presets and overrides applied. */
export type HfConfig = Record<string, unknown> & { model_type: Architecture };

/** One model of an experiment, fully resolved: what to build, how to run it, how to judge it. */
export interface ModelSpec {
  name: string;
  architecture: Architecture;
  /** The complete Hugging Face config (preset or config.json, then the entry's overrides). */
  config: HfConfig;
  /** Where `config:` came from: a preset name or the absolute path of a config.json. */
  configSource: string;
  /** Absolute path of a safetensors file or a Hugging Face folder; absent = seeded random weights. */
  weights?: string;
  seed: number;
  mode: Mode;
  dropout: DropoutPolicy;
  addSpecialTokens: boolean;
  atol: number;
  rtol: number;
  tokenizer: TokenizerFamily;
  /** Range of the entry in the prompt file (for diagnostics and CodeLens). */
  range: SourceRange;
}

/** One prompt line (or YAML string) taken verbatim, with where it stands. */
export interface PromptText {
  text: string;
  range: SourceRange;
}

export interface PromptCase {
  base: PromptText;
  variants: PromptText[];
  /** From the first line of the base to the last variant. */
  range: SourceRange;
}

/** A parsed and validated `.prompt` file. */
export interface Experiment {
  file: string;
  models: ModelSpec[];
  cases: PromptCase[];
}
