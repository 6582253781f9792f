/**
 * What the comparison of one model × variant takes in. The runner fills these from the model's
 * outputs; tests build them by hand. Plain typed arrays, no tensors library.
 */
import type { ModelSummary, TokenView } from '../../protocol/report';
import type { VariantRef } from '../../protocol/run';

/** One forward pass of one input. */
export interface ModelRun {
  ids: number[];
  tokens: TokenView[];
  /** L+1 entries in Hugging Face's order (embeddings output first), each T×H row-major. */
  hiddenStates: Float32Array[];
  /** The LM head's logits at the last position (V values) when the model has one, else null. */
  nextTokenLogits: Float32Array | null;
}

export interface CompareInput extends VariantRef {
  model: ModelSummary;
  baseText: string;
  variantText: string;
  base: ModelRun;
  /** The base input run a second time: whatever differs here is noise, not structure. */
  control: ModelRun;
  variant: ModelRun;
  /** The effective keep mask the model used for the base input (T×T, 1 = query i may attend to key j). */
  attentionKeep: number[][];
  /** Whether that mask was causal. */
  causalMask: boolean;
  /** Decoded text of one token id, for the next-token candidates. */
  decode(id: number): string;
}

/** What "unchanged" means for one model run: differences at or below `value` are noise. */
export interface NoiseFloor {
  /** Float32 rounding of the base's hidden-state magnitudes (see noiseFloor.ts). */
  rounding: number;
  /** Largest |Δ| between the base and its control run. */
  control: number;
  /** max(control, rounding): the threshold the verdict uses. */
  value: number;
}
