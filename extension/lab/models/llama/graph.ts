/**
 * The ONNX graph of a Llama-family decoder (`LlamaForCausalLM` and its Mistral and Qwen2 variants), as
 * Hugging Face's eager path computes it: token embedding (no scaling, no dropout); per layer
 * x + o(attention(rotary(q(n₁x)), rotary(k(n₁x)), v(n₁x))) then x + down(act(gate(n₂x)) · up(n₂x)) with
 * RMSNorms n₁, n₂; the final RMSNorm; the LM head on the rows asked for.
 * Inputs besides the single-stack ones: the sliding-window keep mask (`attention_keep_sliding`) when some
 * layer has a window, and one dropout mask per layer on the attention probabilities (`attention_dropout`,
 * Hugging Face's only dropout here). Outputs: `hidden_states.0..L` (the last after the final norm),
 * `attentions.0..L-1`, `logits`.
 */
import type { DropoutSite, WeightRef } from '../architecture';
import type { GraphBuilder } from '../onnxGraph';
import { additiveMask, linear, mergeHeads, splitHeads } from '../blocks/layers';
import { activation } from '../blocks/activations';
import { groupedAttention, rmsNorm } from '../blocks/groupedAttention';
import { applyRotary, rotaryTables } from '../blocks/rotary';
import { dropoutInputs, dropoutSites, keepInputs, singleStackGraph } from '../blocks/singleStack';
import type { LlamaDims } from './dims';

export function llamaGraph(d: LlamaDims, weight: WeightRef): GraphBuilder {
  const g = singleStackGraph(d.hiddenSize, weight);
  const { b, ctx } = g;
  const slidingMask = d.layerWindows.some((w) => w !== null)
    ? additiveMask(b, b.input({ name: keepInputs.sliding, elemType: 'float', shape: ['batch', 1, 'seq', 'seq'] }))
    : g.mask;
  const qShapes = g.shapesOf(d.numHeads, d.headDim);
  const kvShapes = g.shapesOf(d.numKvHeads, d.headDim);
  const rope = rotaryTables(b, g.positions, { theta: d.ropeTheta, dim: d.headDim, scaling: d.ropeScaling });

  let x = g.flat(b.op('Gather', [ctx.weight('model.embed_tokens.weight'), g.ids]));
  for (let i = 0; i < d.numLayers; i++) {
    g.emitHidden(i, x);
    x = g.enter(i, x);
    const p = `model.layers.${i}`;
    const normed = rmsNorm(ctx, x, `${p}.input_layernorm`, d.rmsNormEps);
    const project = (name: string, shapes: typeof qShapes) =>
      splitHeads(b, linear(ctx, normed, `${p}.self_attn.${name}`, d.qkvBias), shapes);
    const q = applyRotary(b, project('q_proj', qShapes), rope, d.headDim);
    const k = applyRotary(b, project('k_proj', kvShapes), rope, d.headDim);
    const v = project('v_proj', kvShapes);
    const att = groupedAttention(
      b,
      q,
      k,
      v,
      d.layerWindows[i] === null ? g.mask : slidingMask,
      g.probsMask(dropoutInputs.attentionProbs(i)),
      { heads: d.numHeads, kvHeads: d.numKvHeads, headDim: d.headDim },
    );
    g.emitAttention(i, att.probs, d.numHeads);
    const attended = linear(
      ctx,
      mergeHeads(b, g.patchHeads(i, att.context), qShapes),
      `${p}.self_attn.o_proj`,
      d.outputBias,
    );
    x = b.op('Add', [x, attended], {}, 'residual');
    const normed2 = rmsNorm(ctx, x, `${p}.post_attention_layernorm`, d.rmsNormEps);
    const gate = activation(b, d.activation, linear(ctx, normed2, `${p}.mlp.gate_proj`, d.mlpBias));
    const up = linear(ctx, normed2, `${p}.mlp.up_proj`, d.mlpBias);
    x = b.op('Add', [x, linear(ctx, b.op('Mul', [gate, up]), `${p}.mlp.down_proj`, d.mlpBias)], {}, 'residual');
  }
  const final = rmsNorm(ctx, x, 'model.norm', d.rmsNormEps);
  g.emitHidden(d.numLayers, final);
  const head = ctx.weight(d.tieWordEmbeddings ? 'model.embed_tokens.weight' : 'lm_head.weight');
  g.emitLogits(final, head, d.vocabSize);
  // The lens: the final RMSNorm then the head on each earlier stream; the last stream is already after it.
  g.emitLens(d.vocabSize, (x, l) =>
    b.op('Gemm', [l < d.numLayers ? rmsNorm(ctx, x, 'model.norm', d.rmsNormEps) : x, head], { transB: 1 }),
  );
  return b;
}

/** Hugging Face's only dropout in these models: on the attention probabilities (`attention_dropout`). */
export function llamaDropoutSites(d: LlamaDims): DropoutSite[] {
  return Array.from({ length: d.numLayers }, (_, l) => ({
    input: dropoutInputs.attentionProbs(l),
    site: dropoutSites.attentionProbs(l),
    shape: 'probs' as const,
    width: d.numHeads,
    rateKey: 'attention_dropout',
  }));
}
