/**
 * What the comparison of one model × variant takes in. The runner fills these from the model's
 * outputs; tests build them by hand. Plain typed arrays, no tensors library.
 */
import type { EditedInput, EffectiveAttentionMask, ModelSummary, StackName, TokenView } from '../../protocol/report';
import type { VariantRef } from '../../protocol/run';

/** One forward pass of one input through one stack. */
export interface ModelRun {
  ids: number[];
  tokens: TokenView[];
  /** L+1 entries in Hugging Face's order (embeddings output first), each T×H row-major. */
  hiddenStates: Float32Array[];
  /** The LM head's logits at the last position (V values) when the model has one, else null. */
  nextTokenLogits: Float32Array | null;
}

/** The three runs of one stack: the base, the base again (the control), the variant. */
export interface StackRuns {
  stack: StackName;
  baseText: string;
  variantText: string;
  base: ModelRun;
  /** The base input run a second time: whatever differs here is noise, not structure. */
  control: ModelRun;
  variant: ModelRun;
  /** The effective mask of the base input. */
  attentionMask: EffectiveAttentionMask;
}

/** Token ids the findings about special tokens need (what the model's `generate` feeds, its pad token). */
export interface SpecialTokens {
  /** `decoder_start_token_id` of an encoder-decoder: the first decoder input `generate` feeds. */
  decoderStart: number | null;
  /** The tokenizer's pad token. */
  padTokenId: number | null;
  /** Surface of an id as the tokenizer spells it. */
  tokenText(id: number): string;
}

export interface CompareInput extends VariantRef {
  model: ModelSummary;
  /** Which input the variant replaces. */
  edits: EditedInput;
  /** The stack whose input the variant edits (the only stack of a single-stack model). */
  edited: StackRuns;
  /** An encoder-decoder's other stack, its input the same on both sides. */
  others: StackRuns[];
  /** Whether the edited stack's mask was causal. */
  causalMask: boolean;
  /** An encoder-decoder's cross-attention (per layer, mean over heads, decoder × encoder) of base and variant. */
  crossAttention: { base: number[][][]; variant: number[][][]; keep: number[][] } | null;
  /** The decoder's base tokens (an encoder-decoder's, whichever stack was edited), for the start-token finding. */
  decoderTokens: TokenView[] | null;
  special: SpecialTokens;
  /** Decoded text of one token id, for the next-token candidates. */
  decode(id: number): string;
  /** The next-token logits of base and variant (the decoder's last position), when the model has an LM head. */
  nextToken: { base: Float32Array | null; variant: Float32Array | null };
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
