/**
 * Blocks of the Llama-style decoders: RMSNorm and grouped-query attention, as Hugging Face's eager
 * path computes them (transformers 4.57 `LlamaRMSNorm`, `repeat_kv`, `eager_attention_forward`).
 */
import type { GraphContext } from './layers';
import type { GraphBuilder } from '../onnxGraph';

/**
 * `LlamaRMSNorm` on [N, H]: variance = mean(x²) in float32, x · rsqrt(variance + eps), times the weight.
 * PyTorch's float rsqrt is 1 / sqrt, so that is what the graph computes.
 */
export function rmsNorm(ctx: GraphContext, x: string, prefix: string, eps: number): string {
  const b = ctx.b;
  const variance = b.op('ReduceMean', [b.op('Mul', [x, x])], { axes: [-1], keepdims: 1 }, 'rms_var');
  const inverse = b.op('Div', [b.float(1), b.op('Sqrt', [b.op('Add', [variance, b.float(eps)])])], {}, 'rms_inv');
  return b.op('Mul', [ctx.weight(`${prefix}.weight`), b.op('Mul', [x, inverse])], {}, 'rms');
}

export interface GroupedShapes {
  heads: number;
  kvHeads: number;
  headDim: number;
}

/**
 * Attention with `heads` query heads sharing `kvHeads` key/value heads. `repeat_kv` makes query head h
 * read key/value head ⌊h / (heads / kvHeads)⌋; instead of copying keys and values that many times, the
 * queries of one group are laid side by side ([B, kv, group·T, d]) so one MatMul per group computes the
 * same dot products. Scores are scaled by d^-½ after the product, the additive mask added, softmax taken
 * over keys and the dropout mask applied: those probabilities are the `attentions` Hugging Face returns.
 */
export function groupedAttention(
  b: GraphBuilder,
  q: string,
  k: string,
  v: string,
  mask: string,
  probsDropout: string,
  s: GroupedShapes,
): { context: string; probs: string } {
  const grouped = s.kvHeads !== s.heads;
  // Reshape's 0 copies the input's dimension: batch stays, the key length stays.
  const toGroups = (x: string, last: number) => b.op('Reshape', [x, b.int64s([0, s.kvHeads, -1, last])]);
  const toHeads = (x: string, last: number) => b.op('Reshape', [x, b.int64s([0, s.heads, -1, last])]);
  const kT = b.op('Transpose', [k], { perm: [0, 1, 3, 2] });
  const rawScores = grouped
    ? toHeads(b.op('MatMul', [toGroups(q, s.headDim), kT]), 0)
    : b.op('MatMul', [q, kT], {}, 'scores');
  const scaled = b.op('Mul', [rawScores, b.float(s.headDim ** -0.5)], {}, 'scores');
  const probs = b.op('Mul', [b.op('Softmax', [b.op('Add', [scaled, mask])], { axis: -1 }), probsDropout], {}, 'probs');
  const context = grouped
    ? toHeads(b.op('MatMul', [toGroups(probs, 0), v]), s.headDim)
    : b.op('MatMul', [probs, v], {}, 'context');
  return { context, probs };
}
