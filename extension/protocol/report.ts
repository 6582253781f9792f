/**
 * The ComparisonReport: what `compare --json` prints, what the runner streams to the
 * host and what the panel exports. Versioned; plain JSON (no typed arrays, no raw tensors).
 * Every side imports this module; a change here breaks every build at once.
 */

import type { VariantRef } from './run';

export const REPORT_VERSION = 1 as const;

export type Architecture = 'bert' | 'gpt2';
/** As PyTorch's `.train()` / `.eval()`. */
export type Mode = 'train' | 'eval';
/** `independent`: every forward pass draws new dropout masks (PyTorch); `paired`: every run of one case shares them. */
export type DropoutPolicy = 'independent' | 'paired';

export type Verdict = 'causal' | 'bidirectional' | 'nondeterministic' | 'undetermined';

export interface ComparisonReport {
  version: typeof REPORT_VERSION;
  tool: 'perturbation-lab';
  toolVersion: string;
  /** The `.prompt` file as given on the command line or opened in the editor. */
  file: string;
  models: ModelSummary[];
  /** One entry per model × case × variant, in file order (models outer). */
  results: VariantResult[];
}

/** A model as it was resolved and run. */
export interface ModelSummary {
  name: string;
  architecture: Architecture;
  /** The full Hugging Face config used (preset or file, overrides applied). */
  config: Record<string, unknown>;
  configSource: string;
  weights: string | null;
  seed: number;
  mode: Mode;
  dropout: DropoutPolicy;
  addSpecialTokens: boolean;
  atol: number;
  rtol: number;
  numLayers: number;
  hiddenSize: number;
  numHeads: number;
  hasLmHead: boolean;
  /** Dropout probabilities in force (all 0 in eval mode). */
  dropoutRates: { hidden: number; attention: number; embedding: number };
}

export interface TokenView {
  id: number;
  /** The token's surface as the tokenizer spells it (`Ġwill`, `##in`, `[CLS]`). Always shown as text. */
  text: string;
  special: boolean;
}

export type AlignmentKind = 'same' | 'changed' | 'inserted' | 'deleted';

/** One row of the alignment: a base position, a variant position, or both. */
export interface AlignedPair {
  base: number | null;
  variant: number | null;
  kind: AlignmentKind;
}

export interface Alignment {
  /** First position (in the base) whose token differs; null when the two sides tokenize identically. */
  firstPerturbed: number | null;
  /** Variant length minus base length. */
  lengthChange: number;
  /** Common prefix by index, then (if the length changed) the suffix aligned from the end. */
  pairs: AlignedPair[];
}

/** Metrics of one hidden-state layer, one entry per alignment pair (null where a side is missing). */
export interface LayerMetrics {
  /** 0 = embeddings output, L = last layer (GPT-2: after ln_f), as Hugging Face's `hidden_states`. */
  layer: number;
  maxAbsDiff: (number | null)[];
  cosineDistance: (number | null)[];
  /** torch.allclose(variant, base, atol, rtol) over that position's hidden vector. */
  allclose: (boolean | null)[];
}

/** The same input run twice: the noise floor of this model as configured. */
export interface ControlRun {
  maxAbsDiff: number;
  /** Per layer, the largest |Δ| over all positions. */
  perLayerMaxAbsDiff: number[];
  identical: boolean;
}

/** Where change starts compared with where the input was perturbed. */
export interface CausalFrontier {
  firstPerturbed: number | null;
  /** First aligned base position whose state changed above the noise floor in any layer; null if none, and
   *  null when the verdict is nondeterministic (the control's own noise hides where change starts). */
  firstChanged: number | null;
}

export interface NextTokenCandidate {
  id: number;
  text: string;
  probability: number;
}

/** How the distribution of the next token moved (models with an LM head; last position of each side). */
export interface NextTokenShift {
  klDivergence: number;
  baseTop: NextTokenCandidate[];
  variantTop: NextTokenCandidate[];
}

/** The mask attention actually used for the base input: keep[i][j] = 1 if query i may see key j. */
export interface EffectiveAttentionMask {
  rule: 'causal' | 'bidirectional';
  keep: number[][];
}

export interface VerdictEvidence {
  /** Largest |Δ| over positions before the first perturbed one, any layer (null when there are none). */
  earlierMaxAbsDiff: number | null;
  earlierMaxAt: { layer: number; position: number } | null;
  /** What counts as "unchanged": max(control's |Δ|, float32 rounding of these values). */
  noiseFloor: number;
  controlMaxAbsDiff: number;
  atol: number;
  rtol: number;
  /** allclose at position 0 of the last layer (the seed question's check); null when position 0 is perturbed. */
  allcloseAtPosition0: boolean | null;
  /** earlierMaxAbsDiff / noiseFloor when noiseFloor > 0, else null. */
  marginOverNoise: number | null;
}

export type FindingCode =
  | 'train-mode-dropout'
  | 'nondeterministic-unknown'
  | 'pad-text-not-pad-token'
  | 'token-count-changed'
  | 'perturbed-at-position-0'
  | 'identical-tokens'
  | 'leak-below-atol'
  | 'special-tokens-added'
  | 'causal-as-expected'
  | 'bidirectional-attention';

/** One thing the diagnosis explains, in plain words, with a fix where there is one. */
export interface Finding {
  code: FindingCode;
  severity: 'info' | 'warning';
  message: string;
  fix?: { description: string; key: string; value: unknown };
}

export interface VariantResult extends VariantRef {
  model: string;
  baseText: string;
  variantText: string;
  baseTokens: TokenView[];
  variantTokens: TokenView[];
  alignment: Alignment;
  layers: LayerMetrics[];
  control: ControlRun;
  frontier: CausalFrontier;
  nextToken: NextTokenShift | null;
  attentionMask: EffectiveAttentionMask;
  verdict: Verdict;
  evidence: VerdictEvidence;
  /** One or two sentences that make sense to someone who does not know the answer yet. */
  explanation: string;
  findings: Finding[];
}
