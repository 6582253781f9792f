/**
 * The ONNX graph of `BartForConditionalGeneration` / `MarianMTModel`, as Hugging Face's eager path
 * computes it. Encoder: scaled token embedding + positions (BART: learned, offset 2; Marian: sinusoidal),
 * BART's `layernorm_embedding`, dropout; post-LayerNorm layers (self-attention, add, norm; fc1, act, fc2,
 * add, norm). Decoder: the same with causal self-attention and cross-attention over the encoder's last
 * hidden state. LM head (the decoder embedding, or `lm_head`) + `final_logits_bias` on the rows asked for.
 * Every Hugging Face dropout place is a mask input (see `seq2seqInputs`).
 * Activation patching: each block of each stack appends the rows entering there (`patch.<stack>.entry.l`, see
 * `blocks/singleStack.ts`), so every reshape takes the batch as -1, and each self-attention's per-head context goes
 * through `patch.<stack>.head_mask.l`, each cross-attention's through `patch.cross.head_mask.l` (heads patching; a
 * broadcast `false` in a plain run). Cross-attention reads the encoder's output with
 * its own batch: the same as the decoder's, or 1 (one source for every decoder row, broadcast).
 */
import { GraphBuilder } from '../onnxGraph';
import { additiveMask, type AttentionShapes, type GraphContext } from '../blocks/layers';
import type { WeightRef } from '../architecture';
import { LEARNED_POSITION_OFFSET, type Seq2SeqDims } from './dims';
import { embeddingNames } from './parameters';
import { sinusoidalPositions } from './positions';
import { decoderLayer, encoderLayer, type StackContext } from './layers';
import { hiddenMask, seq2seqInputs, type PatchedAttention, type Stack } from './inputs';
import { emitLens, emitPickedHeads, headsNames, pickInput } from '../blocks/lens';
import { patchedHeads } from '../blocks/singleStack';

export function seq2seqGraph(d: Seq2SeqDims, weight: WeightRef): GraphBuilder {
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
  const H = d.dModel;
  const names = embeddingNames(d);
  const sinusoids =
    d.positions === 'sinusoidal' ? b.floats(sinusoidalPositions(d.maxPositions, H), [d.maxPositions, H]) : null;
  const flat = b.int64s([-1, H]);

  const stackContext = (
    s: Stack,
    heads: number,
  ): StackContext & { ids: string; seqDim: string; hiddenShape: string } => {
    const ids = b.input({ name: seq2seqInputs.ids(s), elemType: 'int64', shape: ['batch', `${s}_seq`] });
    const seqDim = b.op('Slice', [b.op('Shape', [ids]), b.int64s([1]), b.int64s([2])]);
    const shapes: AttentionShapes = {
      headsShape: b.op('Concat', [b.int64s([-1]), seqDim, b.int64s([heads, H / heads])], { axis: 0 }),
      flatShape: flat,
      headSize: H / heads,
    };
    const keepShape = ['batch', 1, `${s}_seq`, `${s}_seq`];
    const mask = additiveMask(b, b.input({ name: seq2seqInputs.keep(s), elemType: 'float', shape: keepShape }));
    const hiddenShape = b.op('Concat', [b.int64s([-1]), seqDim, b.int64s([H])], { axis: 0 });
    return { ctx, d, stack: s, shapes, mask, patchHeads: headsPatcher(s), ids, seqDim, hiddenShape };
  };

  /** Puts an attention's heads patching inputs (`patch.<attention>.head_mask.i`, `….head_source`) into its context. */
  const headsPatcher = (a: PatchedAttention) => {
    let headSource: string | undefined;
    return (i: number, context: string) => {
      headSource ??= b.input({ name: seq2seqInputs.patchHeadSource(a), elemType: 'int64', shape: [1] });
      return patchedHeads(b, context, headSource, seq2seqInputs.patchHeadMask(a, i));
    };
  };

  /** A stack's block input with the rows entering block i appended. */
  const enter = (s: Stack, i: number, x: string): string => {
    const entry = b.input({
      name: seq2seqInputs.patchEntry(s, i),
      elemType: 'float',
      shape: [`${s}_entry_rows_${i}`, H],
    });
    return b.op('Concat', [x, entry], { axis: 0 }, 'entered');
  };

  /** Token embedding × scale + positions, BART's layernorm_embedding, dropout: hidden_states[0] of a stack. */
  const embed = (s: Stack, ids: string, tokenWeight: string): string => {
    const tokens = b.op('Gather', [ctx.weight(tokenWeight), ids]);
    const scaled = d.embedScale === 1 ? tokens : b.op('Mul', [tokens, b.float(d.embedScale)]);
    const positionIds = b.input({ name: seq2seqInputs.positions(s), elemType: 'int64', shape: ['batch', `${s}_seq`] });
    const positions = sinusoids
      ? b.op('Gather', [sinusoids, positionIds])
      : b.op('Gather', [
          ctx.weight(`model.${s}.embed_positions.weight`),
          b.op('Add', [positionIds, b.int64s([LEARNED_POSITION_OFFSET], [])]),
        ]);
    let x = b.op('Reshape', [b.op('Add', [scaled, positions]), flat]);
    if (d.layernormEmbedding)
      x = b.op(
        'LayerNormalization',
        [x, ctx.weight(`model.${s}.layernorm_embedding.weight`), ctx.weight(`model.${s}.layernorm_embedding.bias`)],
        { axis: -1, epsilon: { float: d.layerNormEps } },
        'ln_embedding',
      );
    return b.op('Mul', [x, hiddenMask(b, seq2seqInputs.embeddings(s))]);
  };

  const emit = (name: string, value: string, shape: (number | string)[]) =>
    b.output({ name, elemType: 'float', shape }, value);

  const enc = stackContext('encoder', d.encoderHeads);
  let x = embed('encoder', enc.ids, names.encoder);
  for (let i = 0; i < d.encoderLayers; i++) {
    emit(`encoder_hidden_states.${i}`, b.op('Reshape', [x, enc.hiddenShape]), ['batch', 'encoder_seq', H]);
    x = enter('encoder', i, x);
    const layer = encoderLayer(enc, i, x);
    emit(`encoder_attentions.${i}`, layer.probs, ['batch', d.encoderHeads, 'encoder_seq', 'encoder_seq']);
    const pick = pickInput(b, headsNames.pick(i, 'encoder_'));
    const shape = ['picked', d.encoderHeads, 'encoder_seq', 'encoder_seq'];
    emitPickedHeads(b, layer.probs, pick, headsNames.output(i, 'encoder_'), shape);
    x = layer.out;
  }
  emit(`encoder_hidden_states.${d.encoderLayers}`, b.op('Reshape', [x, enc.hiddenShape]), ['batch', 'encoder_seq', H]);
  const encoderOut = x;

  const dec = stackContext('decoder', d.decoderHeads);
  const crossMask = additiveMask(
    b,
    b.input({ name: seq2seqInputs.crossKeep, elemType: 'float', shape: ['batch', 1, 'decoder_seq', 'encoder_seq'] }),
  );
  // Keys and values of cross-attention are split into the decoder's heads along the encoder's length.
  const encoderShapes: AttentionShapes = {
    headsShape: b.op('Concat', [b.int64s([-1]), enc.seqDim, b.int64s([d.decoderHeads, H / d.decoderHeads])], {
      axis: 0,
    }),
    flatShape: flat,
    headSize: H / d.decoderHeads,
  };
  const patchCross = headsPatcher('cross');
  let y = embed('decoder', dec.ids, names.decoder);
  const streams: string[] = [];
  for (let i = 0; i < d.decoderLayers; i++) {
    streams.push(y);
    emit(`decoder_hidden_states.${i}`, b.op('Reshape', [y, dec.hiddenShape]), ['batch', 'decoder_seq', H]);
    y = enter('decoder', i, y);
    const layer = decoderLayer(dec, i, y, { encoderOut, encoderShapes, crossMask, patchHeads: patchCross });
    emit(`decoder_attentions.${i}`, layer.probs, ['batch', d.decoderHeads, 'decoder_seq', 'decoder_seq']);
    emit(`cross_attentions.${i}`, layer.crossProbs, ['batch', d.decoderHeads, 'decoder_seq', 'encoder_seq']);
    // One pick per decoder layer serves its self-attention and its cross-attention.
    const pick = pickInput(b, headsNames.pick(i, 'decoder_'));
    const heads = d.decoderHeads;
    emitPickedHeads(b, layer.probs, pick, headsNames.output(i, 'decoder_'), [
      'picked',
      heads,
      'decoder_seq',
      'decoder_seq',
    ]);
    emitPickedHeads(b, layer.crossProbs, pick, headsNames.cross(i), ['picked', heads, 'decoder_seq', 'encoder_seq']);
    y = layer.out;
  }
  streams.push(y);
  emit(`decoder_hidden_states.${d.decoderLayers}`, b.op('Reshape', [y, dec.hiddenShape]), ['batch', 'decoder_seq', H]);

  // LM head on the rows asked for (indices into the flattened batch × decoder_seq rows), then the bias.
  const rows = b.input({ name: 'logits_rows', elemType: 'int64', shape: ['rows'] });
  const projected = b.op('Gemm', [b.op('Gather', [y, rows], { axis: 0 }), ctx.weight(names.head)], { transB: 1 });
  const logits = b.op('Add', [projected, ctx.weight('final_logits_bias')], {}, 'logits');
  emit('logits', logits, ['rows', d.decoderVocabSize]);
  // The lens reads the decoder: these layers are post-LayerNorm and there is no final norm (BART's and
  // Marian's decoders have no `layer_norm` after the last layer), so every stream gets the head and the bias only.
  emitLens(b, streams, d.decoderVocabSize, (x) =>
    b.op('Add', [b.op('Gemm', [x, ctx.weight(names.head)], { transB: 1 }), ctx.weight('final_logits_bias')]),
  );
  return b;
}
