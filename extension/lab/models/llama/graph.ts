/**
 * The ONNX graph of a Llama-family decoder (`LlamaForCausalLM` and its Mistral and Qwen2 variants), as
 * Hugging Face's eager path computes it: token embedding (no scaling, no dropout); per layer
 * x + o(attention(rotary(q(n₁x)), rotary(k(n₁x)), v(n₁x))) then x + down(act(gate(n₂x)) · up(n₂x)) with
 * RMSNorms n₁, n₂; the final RMSNorm; the LM head on the rows asked for.
 * Inputs: `input_ids`, `position_ids` (a plain range, as Hugging Face's forward uses), the keep masks
 * (`attention_keep`, and `attention_keep_sliding` when some layer has a sliding window) and one dropout
 * mask per layer on the attention probabilities (`attention_dropout`, Hugging Face's only dropout here).
 * Outputs: `hidden_states.0..L` (the last after the final norm), `attentions.0..L-1`, `logits`.
 */
import { GraphBuilder } from '../onnxGraph';
import {
  additiveMask,
  linear,
  mergeHeads,
  splitHeads,
  type AttentionShapes,
  type GraphContext,
} from '../architectures/layers';
import { activation } from '../architectures/activations';
import { groupedAttention, rmsNorm } from '../architectures/groupedAttention';
import { applyRotary, rotaryTables } from '../architectures/rotary';
import type { WeightRef } from '../family';
import type { LlamaDims } from './dims';

export const llamaInputs = {
  keep: 'attention_keep',
  keepSliding: 'attention_keep_sliding',
  attentionProbs: (i: number) => `dropout.${i}.attention_probs`,
};

export function llamaGraph(d: LlamaDims, weight: WeightRef): GraphBuilder {
  const b = new GraphBuilder();
  const registered = new Map<string, string>();
  const ctx: GraphContext = {
    b,
    weight: (name) => {
      let n = registered.get(name);
      if (!n) registered.set(name, (n = weight(b, name)));
      return n;
    },
  };
  const H = d.hiddenSize;
  const ids = b.input({ name: 'input_ids', elemType: 'int64', shape: ['batch', 'seq'] });
  const positions = b.input({ name: 'position_ids', elemType: 'int64', shape: ['batch', 'seq'] });
  const keepShape = ['batch', 1, 'seq', 'seq'];
  const fullMask = additiveMask(b, b.input({ name: llamaInputs.keep, elemType: 'float', shape: keepShape }));
  const slidingMask = d.layerWindows.some((w) => w !== null)
    ? additiveMask(b, b.input({ name: llamaInputs.keepSliding, elemType: 'float', shape: keepShape }))
    : fullMask;
  const idsShape = b.op('Shape', [ids]);
  const shapesOf = (heads: number): AttentionShapes => ({
    headsShape: b.op('Concat', [idsShape, b.int64s([heads, d.headDim])], { axis: 0 }),
    flatShape: b.int64s([-1, heads * d.headDim]),
    headSize: d.headDim,
  });
  const qShapes = shapesOf(d.numHeads);
  const kvShapes = shapesOf(d.numKvHeads);
  const hiddenShape = b.op('Concat', [idsShape, b.int64s([H])], { axis: 0 });
  const rope = rotaryTables(b, positions, { theta: d.ropeTheta, dim: d.headDim, scaling: d.ropeScaling });
  const emitHidden = (i: number, x: string) =>
    b.output(
      { name: `hidden_states.${i}`, elemType: 'float', shape: ['batch', 'seq', H] },
      b.op('Reshape', [x, hiddenShape]),
    );

  const embeddings = b.op('Gather', [ctx.weight('model.embed_tokens.weight'), ids]);
  let x = b.op('Reshape', [embeddings, b.int64s([-1, H])]);
  for (let i = 0; i < d.numLayers; i++) {
    emitHidden(i, x);
    const p = `model.layers.${i}`;
    const normed = rmsNorm(ctx, x, `${p}.input_layernorm`, d.rmsNormEps);
    const q = applyRotary(
      b,
      splitHeads(b, linear(ctx, normed, `${p}.self_attn.q_proj`, d.qkvBias), qShapes),
      rope,
      d.headDim,
    );
    const k = applyRotary(
      b,
      splitHeads(b, linear(ctx, normed, `${p}.self_attn.k_proj`, d.qkvBias), kvShapes),
      rope,
      d.headDim,
    );
    const v = splitHeads(b, linear(ctx, normed, `${p}.self_attn.v_proj`, d.qkvBias), kvShapes);
    const probsDropout = b.input({
      name: llamaInputs.attentionProbs(i),
      elemType: 'float',
      shape: ['mask_batch', 'mask_heads', 'mask_seq', 'mask_keys'],
    });
    const att = groupedAttention(b, q, k, v, d.layerWindows[i] === null ? fullMask : slidingMask, probsDropout, {
      heads: d.numHeads,
      kvHeads: d.numKvHeads,
      headDim: d.headDim,
    });
    b.output({ name: `attentions.${i}`, elemType: 'float', shape: ['batch', d.numHeads, 'seq', 'seq'] }, att.probs);
    const attended = linear(ctx, mergeHeads(b, att.context, qShapes), `${p}.self_attn.o_proj`, d.outputBias);
    x = b.op('Add', [x, attended], {}, 'residual');
    const normed2 = rmsNorm(ctx, x, `${p}.post_attention_layernorm`, d.rmsNormEps);
    const gate = activation(b, d.activation, linear(ctx, normed2, `${p}.mlp.gate_proj`, d.mlpBias));
    const up = linear(ctx, normed2, `${p}.mlp.up_proj`, d.mlpBias);
    x = b.op('Add', [x, linear(ctx, b.op('Mul', [gate, up]), `${p}.mlp.down_proj`, d.mlpBias)], {}, 'residual');
  }
  const final = rmsNorm(ctx, x, 'model.norm', d.rmsNormEps);
  emitHidden(d.numLayers, final);
  // The LM head runs only on the rows asked for (indices into the flattened batch × seq rows): the next
  // token needs one row per input, and [batch, seq, vocab] floats would cost gigabytes at 151936 tokens.
  const rows = b.input({ name: 'logits_rows', elemType: 'int64', shape: ['rows'] });
  const head = ctx.weight(d.tieWordEmbeddings ? 'model.embed_tokens.weight' : 'lm_head.weight');
  const logits = b.op('Gemm', [b.op('Gather', [final, rows], { axis: 0 }), head], { transB: 1 }, 'logits');
  b.output({ name: 'logits', elemType: 'float', shape: ['rows', d.vocabSize] }, logits);
  return b;
}
