/**
 * Types shared by the parts of the lab engine. No vscode, no IPC.
 * Places and diagnostics are defined in the protocol (every side reads them) and re-exported here.
 */
import { formatDiagnostic, type LabDiagnostic, type SourceRange } from '../protocol/diagnostics';
import type { Architecture, DropoutPolicy, Mode } from '../protocol/report';
import type { HubPlan } from './hub/types';

export type { LabDiagnostic, Severity, SourcePosition, SourceRange, Suggestion } from '../protocol/diagnostics';
export { formatDiagnostic };
export type { Architecture, DropoutPolicy, Mode };

/** Thrown for bad user input anywhere in the engine; front ends print `file:line:col: message`, never a stack. */
export class LabInputError extends Error {
  constructor(readonly diagnostics: LabDiagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'));
    this.name = 'LabInputError';
  }
}

export type TokenizerFamily = 'bert-uncased' | 'gpt2';

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
  /**
   * A folder whose own tokenizer the model uses (`tokenizer.json` + `tokenizer_config.json`): the `weights:`
   * folder or the `from:` snapshot when it has one. Absent: the built-in tokenizer of `tokenizer`.
   */
  tokenizerFolder?: string;
  /** Set for a `from:` model: the repo, and the plan its weights are downloaded by (`weights` is its snapshot folder). */
  hub?: HubModel;
  /** Range of the entry in the prompt file (for diagnostics and CodeLens). */
  range: SourceRange;
}

/** Where a `from:` model comes from: the repo at a revision, resolved to a commit. */
export interface HubModel {
  repoId: string;
  revision: string;
  commit: string;
  /** The `from:` value in the prompt file: where download problems are reported. */
  range: SourceRange;
  /** Made before any weight was fetched; `bytesToFetch` is 0 once the snapshot is complete in the cache. */
  plan: HubPlan;
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
