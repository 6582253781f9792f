/**
 * Memory of one forward pass (`ModelSession.forward`) over a batch, before it runs. What is allocated,
 * read off session.ts and the graph:
 * - feeds: ids, positions (and token types) as int64, the keep mask [B, 1, T, T];
 * - in train mode the dropout masks, drawn in JS: [B, T, H] after the embeddings and twice per layer,
 *   [B, heads, T, T] per layer on the attention probabilities (in eval mode one broadcast 1 each);
 * - the fetched outputs, three times over at the peak: onnxruntime's tensor, its copy into JS, and the
 *   per-input slices `forward` returns: every hidden state [B, T, H] (L + 1 of them), the attention maps
 *   [B, heads, T, T] per layer when asked for, the LM head's logits rows × vocab;
 * - onnxruntime's intermediates, which live one layer at a time: scores and probabilities [B, heads, T, T]
 *   and the feed-forward activations [B, T, intermediate].
 *
 * Calibration (bench/calibration.md; peak RSS of bench/memoryProbe.ts minus the RSS after opening the model,
 * gpt2 and bert-base, T ∈ {16, 128, 512}, B ∈ {1, 4, 16}, eval and train, with and without attentions):
 * per input at T = 512 the measured growth is bert-base 90 MB eval / 273 MB train / 533 MB with attentions,
 * gpt2 98 / 280 / 571 MB. The terms above with two [B, heads, T, T] and one [B, T, I] intermediate alive per
 * layer give 95 / 286 / 548 MB; SLACK covers the rest (allocator rounding, JS garbage not yet collected) so
 * that the estimate is at or above every measured point of the grid: from 1.01× (gpt2, 128 tokens × 4 with
 * attentions) to 1.2× at the sizes that matter, more only for passes of a few MB.
 */
import type { ArchitectureDims, ModelShape } from '../models/architecture';
import { moduleOf } from '../models/registry';

export const ACTIVATION_SLACK = 1.2;
/** Per pass, whatever the batch: onnxruntime's arena growth and the JS objects around the run. */
export const PASS_OVERHEAD_BYTES = 16e6;

export interface BatchShape {
  /** Inputs in the pass. */
  inputs: number;
  /** Positions every input is padded to. */
  length: number;
  /** Train mode: the dropout masks are real arrays. */
  train: boolean;
  /** Attention maps fetched. */
  attentions: boolean;
  /** LM-head rows fetched per input: 1 (the last position), the input's length ('all'), or 0. */
  logitRowsPerInput: number;
}

const shapeOf = (d: ArchitectureDims): ModelShape => moduleOf(d.architecture).shape(d);

/**
 * Bytes one input adds to a pass of this shape (the pass's memory is linear in its input count). Every
 * stack is counted at the batch's length (an encoder-decoder's two inputs at the longer of the two), its
 * cross-attention like a self-attention of that length.
 */
export function perInputBytes(d: ArchitectureDims, shape: Omit<BatchShape, 'inputs'>, hasLmHead: boolean): number {
  const model = shapeOf(d);
  const T = shape.length;
  const f32 = 4;
  let total = hasLmHead ? 3 * shape.logitRowsPerInput * model.lmHeadVocab * f32 : 0;
  for (const stack of model.stacks) {
    const L = stack.layers;
    // An encoder-decoder's decoder attends twice per layer (itself and the source).
    const attentionsPerLayer = model.stacks.length > 1 && stack.name === 'decoder' ? 2 : 1;
    const hidden = T * stack.hiddenSize * f32;
    const scores = stack.heads * T * T * f32 * attentionsPerLayer;
    const ffn = T * stack.intermediateSize * f32;
    const feeds = 3 * T * 8 + T * T * f32 * 3; // ids, positions, token types; keep mask and the additive mask made of it
    const masks = shape.train ? (2 * L + 1) * hidden + L * scores : 0;
    const fetched = (L + 1) * hidden + (shape.attentions ? L * scores : 0);
    const intermediates = 2 * scores + ffn + 4 * hidden;
    total += feeds + masks + 3 * fetched + intermediates;
  }
  return total * ACTIVATION_SLACK;
}

export function passBytes(d: ArchitectureDims, shape: BatchShape, hasLmHead: boolean): number {
  return PASS_OVERHEAD_BYTES + shape.inputs * perInputBytes(d, shape, hasLmHead);
}

/** What the outputs of one input take once the pass is over and they are kept (base and control of a case). */
export function keptOutputBytes(d: ArchitectureDims, length: number, hasLmHead: boolean): number {
  const model = shapeOf(d);
  const states = model.stacks.reduce((n, s) => n + (s.layers + 1) * length * s.hiddenSize * 4, 0);
  return states + (hasLmHead ? model.lmHeadVocab * 4 : 0);
}
