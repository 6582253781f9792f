/**
 * The ONNX graphs of the two families. Both take the same inputs (ids, positions, the effective
 * keep mask, one dropout mask per place Hugging Face applies dropout) and return every hidden state
 * (`hidden_states.0..L`, Hugging Face's order) and every attention map (`attentions.0..L-1`).
 * The causal switch (`is_decoder`) and the training switch (`mode`) are inputs, not graph structure,
 * so entries that differ only in them share one graph and one set of weights.
 */
import { GraphBuilder } from '../onnxGraph';
import type { ModelDims } from '../../config';
import {
  additiveMask,
  attention,
  dense,
  geluErf,
  geluTanh,
  layerNorm,
  mergeHeads,
  splitHeads,
  type AttentionShapes,
  type GraphContext,
} from './layers';

/** Names of the dropout-mask inputs of layer i (and the embeddings'), the same for both families. */
export const dropoutInputs = {
  embeddings: 'dropout.embeddings',
  attentionProbs: (i: number) => `dropout.${i}.attention_probs`,
  attentionOutput: (i: number) => `dropout.${i}.attention_output`,
  ffnOutput: (i: number) => `dropout.${i}.ffn_output`,
};

/** Builds the graph; `weight` maps a Hugging Face parameter name to an external initializer. */
export function buildGraph(d: ModelDims, weight: (b: GraphBuilder, name: string) => string): GraphBuilder {
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
  const keep = b.input({ name: 'attention_keep', elemType: 'float', shape: ['batch', 1, 'seq', 'seq'] });
  const idsShape = b.op('Shape', [ids]);
  const shapes: AttentionShapes = {
    headsShape: b.op('Concat', [idsShape, b.int64s([d.numHeads, d.headSize])], { axis: 0 }),
    flatShape: b.int64s([-1, H]),
    headSize: d.headSize,
  };
  const hiddenShape = b.op('Concat', [idsShape, b.int64s([H])], { axis: 0 });
  // Dropout masks are [batch, seq, H] and [batch, heads, seq, keys] in train mode; in eval mode a single
  // broadcast 1 ([1, 1, 1] / [1, 1, 1, 1]) does, so their dimensions are symbolic of their own.
  const hiddenMask = (name: string) =>
    b.op('Flatten', [b.input({ name, elemType: 'float', shape: ['mask_batch', 'mask_seq', 'mask_hidden'] })], {
      axis: 2,
    });
  const probsMask = (name: string) =>
    b.input({ name, elemType: 'float', shape: ['mask_batch', 'mask_heads', 'mask_seq', 'mask_keys'] });
  const mask = additiveMask(b, keep);
  const emitHidden = (i: number, x: string) =>
    b.output(
      { name: `hidden_states.${i}`, elemType: 'float', shape: ['batch', 'seq', H] },
      b.op('Reshape', [x, hiddenShape]),
    );
  const emitAttention = (i: number, probs: string) =>
    b.output({ name: `attentions.${i}`, elemType: 'float', shape: ['batch', d.numHeads, 'seq', 'seq'] }, probs);
  const flat = (x: string) => b.op('Reshape', [x, shapes.flatShape]);

  if (d.architecture === 'bert') {
    const tokenTypes = b.input({ name: 'token_type_ids', elemType: 'int64', shape: ['batch', 'seq'] });
    // Hugging Face adds word + token type first, then positions.
    const words = b.op('Gather', [ctx.weight('embeddings.word_embeddings.weight'), ids]);
    const types = b.op('Gather', [ctx.weight('embeddings.token_type_embeddings.weight'), tokenTypes]);
    const pos = b.op('Gather', [ctx.weight('embeddings.position_embeddings.weight'), positions]);
    const summed = flat(b.op('Add', [b.op('Add', [words, types]), pos]));
    let x = b.op('Mul', [
      layerNorm(ctx, summed, 'embeddings.LayerNorm', d.layerNormEps),
      hiddenMask(dropoutInputs.embeddings),
    ]);
    emitHidden(0, x);
    for (let i = 0; i < d.numLayers; i++) {
      const p = `encoder.layer.${i}`;
      const q = splitHeads(b, dense(ctx, x, `${p}.attention.self.query`, 'linear'), shapes);
      const k = splitHeads(b, dense(ctx, x, `${p}.attention.self.key`, 'linear'), shapes);
      const v = splitHeads(b, dense(ctx, x, `${p}.attention.self.value`, 'linear'), shapes);
      const att = attention(b, q, k, v, mask, probsMask(dropoutInputs.attentionProbs(i)), d.headSize, 'multiply');
      emitAttention(i, att.probs);
      const projected = b.op('Mul', [
        dense(ctx, mergeHeads(b, att.context, shapes), `${p}.attention.output.dense`, 'linear'),
        hiddenMask(dropoutInputs.attentionOutput(i)),
      ]);
      const attended = layerNorm(ctx, b.op('Add', [projected, x]), `${p}.attention.output.LayerNorm`, d.layerNormEps);
      const inner = geluErf(b, dense(ctx, attended, `${p}.intermediate.dense`, 'linear'));
      const out = b.op('Mul', [
        dense(ctx, inner, `${p}.output.dense`, 'linear'),
        hiddenMask(dropoutInputs.ffnOutput(i)),
      ]);
      x = layerNorm(ctx, b.op('Add', [out, attended]), `${p}.output.LayerNorm`, d.layerNormEps);
      emitHidden(i + 1, x);
    }
    b.output(
      { name: 'last_hidden_state', elemType: 'float', shape: ['batch', 'seq', H] },
      b.op('Reshape', [x, hiddenShape]),
    );
    return b;
  }

  // GPT-2: pre-LayerNorm blocks, ln_f, LM head tied to wte. No past/present key-values: every run is a
  // whole forward pass (nothing here generates), so the graph has no cache inputs to feed.
  const words = b.op('Gather', [ctx.weight('transformer.wte.weight'), ids]);
  const pos = b.op('Gather', [ctx.weight('transformer.wpe.weight'), positions]);
  let x = b.op('Mul', [flat(b.op('Add', [words, pos])), hiddenMask(dropoutInputs.embeddings)]);
  for (let i = 0; i < d.numLayers; i++) {
    emitHidden(i, x);
    const p = `transformer.h.${i}`;
    const qkv = dense(ctx, layerNorm(ctx, x, `${p}.ln_1`, d.layerNormEps), `${p}.attn.c_attn`, 'conv1d');
    const [q, k, v] = b
      .opMulti('Split', [qkv, b.int64s([H, H, H])], 3, { axis: 1 }, 'qkv')
      .map((t) => splitHeads(b, t, shapes));
    const att = attention(b, q, k, v, mask, probsMask(dropoutInputs.attentionProbs(i)), d.headSize, 'divide');
    emitAttention(i, att.probs);
    const projected = b.op('Mul', [
      dense(ctx, mergeHeads(b, att.context, shapes), `${p}.attn.c_proj`, 'conv1d'),
      hiddenMask(dropoutInputs.attentionOutput(i)),
    ]);
    x = b.op('Add', [projected, x]);
    const inner = geluTanh(b, dense(ctx, layerNorm(ctx, x, `${p}.ln_2`, d.layerNormEps), `${p}.mlp.c_fc`, 'conv1d'));
    const mlp = b.op('Mul', [dense(ctx, inner, `${p}.mlp.c_proj`, 'conv1d'), hiddenMask(dropoutInputs.ffnOutput(i))]);
    x = b.op('Add', [x, mlp]);
  }
  const final = layerNorm(ctx, x, 'transformer.ln_f', d.layerNormEps);
  emitHidden(d.numLayers, final);
  b.output(
    { name: 'last_hidden_state', elemType: 'float', shape: ['batch', 'seq', H] },
    b.op('Reshape', [final, hiddenShape]),
  );
  // The LM head runs only on the rows asked for (indices into the flattened batch × seq rows): the next
  // token needs one row per input, and [batch, seq, 50257] floats would cost hundreds of MB on long inputs.
  const rows = b.input({ name: 'logits_rows', elemType: 'int64', shape: ['rows'] });
  const logits = b.op(
    'Gemm',
    [b.op('Gather', [final, rows], { axis: 0 }), ctx.weight('transformer.wte.weight')],
    { transB: 1 },
    'logits',
  );
  b.output({ name: 'logits', elemType: 'float', shape: ['rows', d.vocabSize] }, logits);
  return b;
}
