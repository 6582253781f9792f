/**
 * Building blocks shared by the BERT and GPT-2 graphs. Hidden states travel as 2-d [N, H] tensors
 * (N = batch × tokens) so every dense layer is one Gemm; attention reshapes to [B, heads, T, d].
 * Dropout is a multiplication by a mask the caller feeds (kept elements 1/(1−p), dropped 0, all 1 in
 * eval mode): it cannot be optimised away (the ONNX Dropout trap) and its randomness is under our control.
 */
import type { GraphBuilder } from '../onnxGraph';

/** float32's most negative finite value, as torch.finfo(float32).min. */
export const FLOAT32_MIN = -3.4028234663852886e38;

export interface GraphContext {
  b: GraphBuilder;
  /** Returns the graph name of a stored parameter, registering it on first use. */
  weight(name: string): string;
}

/** x @ Wᵀ + b for a torch Linear (weight [out, in]), x @ W + b for GPT-2's Conv1D (weight [in, out]). */
export function dense(ctx: GraphContext, x: string, prefix: string, layout: 'linear' | 'conv1d'): string {
  return ctx.b.op(
    'Gemm',
    [x, ctx.weight(`${prefix}.weight`), ctx.weight(`${prefix}.bias`)],
    { transB: layout === 'linear' ? 1 : 0 },
    prefix.replace(/\W/g, '_'),
  );
}

export function layerNorm(ctx: GraphContext, x: string, prefix: string, eps: number): string {
  return ctx.b.op(
    'LayerNormalization',
    [x, ctx.weight(`${prefix}.weight`), ctx.weight(`${prefix}.bias`)],
    { axis: -1, epsilon: { float: eps } },
    'ln',
  );
}

/** BERT's `gelu`: 0.5·x·(1 + erf(x/√2)), the exact form. */
export function geluErf(b: GraphBuilder, x: string): string {
  const erf = b.op('Erf', [b.op('Div', [x, b.float(Math.SQRT2)])]);
  return b.op('Mul', [b.op('Mul', [x, b.float(0.5)]), b.op('Add', [erf, b.float(1)])], {}, 'gelu');
}

/** GPT-2's `gelu_new`: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
export function geluTanh(b: GraphBuilder, x: string): string {
  const cube = b.op('Pow', [x, b.float(3)]);
  const inner = b.op('Add', [x, b.op('Mul', [cube, b.float(0.044715)])]);
  const t = b.op('Tanh', [b.op('Mul', [inner, b.float(Math.sqrt(2 / Math.PI))])]);
  return b.op('Mul', [b.op('Mul', [x, b.float(0.5)]), b.op('Add', [t, b.float(1)])], {}, 'gelu_new');
}

/** Additive attention mask from the keep mask [B, 1, T, Tk]: (1 − keep) · float32.min, combined once. */
export function additiveMask(b: GraphBuilder, keep: string): string {
  return b.op('Mul', [b.op('Sub', [b.float(1), keep]), b.float(FLOAT32_MIN)], {}, 'mask_add');
}

export interface AttentionShapes {
  /** [B, T, heads, d] as a 1-d int64 tensor, for reshaping [N, H] into heads. */
  headsShape: string;
  /** [-1, H], for merging heads back into [N, H]. */
  flatShape: string;
  headSize: number;
}

/** [N, H] → [B, heads, T, d]. */
export function splitHeads(b: GraphBuilder, x: string, s: AttentionShapes): string {
  return b.op('Transpose', [b.op('Reshape', [x, s.headsShape])], { perm: [0, 2, 1, 3] }, 'heads');
}

/** [B, heads, T, d] → [N, H]. */
export function mergeHeads(b: GraphBuilder, x: string, s: AttentionShapes): string {
  return b.op('Reshape', [b.op('Transpose', [x], { perm: [0, 2, 1, 3] }), s.flatShape], {}, 'merged');
}

/**
 * Scaled dot-product attention as Hugging Face's eager path computes it: scores scaled, the additive
 * mask added, softmax over keys, dropout on the probabilities (those are the `attentions` returned).
 * `scale` is 'multiply' (BERT: scores · d^-½) or 'divide' (GPT-2: scores / √d), matching each family.
 */
export function attention(
  b: GraphBuilder,
  q: string,
  k: string,
  v: string,
  mask: string,
  probsDropout: string,
  headSize: number,
  scale: 'multiply' | 'divide',
): { context: string; probs: string } {
  const scores = b.op('MatMul', [q, b.op('Transpose', [k], { perm: [0, 1, 3, 2] })], {}, 'scores');
  const scaled =
    scale === 'multiply'
      ? b.op('Mul', [scores, b.float(headSize ** -0.5)])
      : b.op('Div', [scores, b.float(Math.sqrt(headSize))]);
  const probs = b.op('Mul', [b.op('Softmax', [b.op('Add', [scaled, mask])], { axis: -1 }), probsDropout], {}, 'probs');
  return { context: b.op('MatMul', [probs, v], {}, 'context'), probs };
}

/**
 * A torch Linear (weight [out, in]) with or without its bias: Llama's projections have none, Qwen2's
 * q/k/v have one and its o_proj none, so the bias is a property of each layer, not of the family.
 */
export function linear(ctx: GraphContext, x: string, prefix: string, bias: boolean): string {
  const inputs = [x, ctx.weight(`${prefix}.weight`)];
  if (bias) inputs.push(ctx.weight(`${prefix}.bias`));
  return ctx.b.op('Gemm', inputs, { transB: 1 }, prefix.replace(/\W/g, '_'));
}
