/**
 * What the single-stack graphs (BERT, GPT-2, the Llama family) share: their inputs (`input_ids`,
 * `position_ids`, the keep mask), the dropout-mask inputs and their names, the reshapes between [N, H]
 * rows and [B, T, H], and the outputs `hidden_states.0..L` and `attentions.0..L-1` in Hugging Face's order.
 * Causality, padding and the training switch are inputs, not graph structure, so configs that differ only
 * in `is_decoder` or `mode` share one graph and one set of weights.
 *
 * Activation patching is graph inputs too (`patchInputs`), so a patching grid runs in the model's one
 * session as a few batched passes: every block `l` appends the rows of `patch.entry.l` (flattened [rows·T, H])
 * to its input, so a row that enters at block l runs only blocks l..L−1 (a plain run feeds 0 rows); and each
 * block's per-head attention context goes through `Where(patch.head_mask.l, context[patch.head_source], context)`
 * (a plain run feeds a broadcast `false`, which selects the context untouched, bit for bit): the masked heads
 * of a row take their values from another row of the same pass (the variant's).
 */
import { GraphBuilder } from '../onnxGraph';
import type { WeightRef } from '../architecture';
import { additiveMask, type AttentionShapes, type GraphContext } from './layers';
import { emitLens, emitPickedHeads, headsNames, pickInput } from './lens';

/** Names of the dropout-mask inputs of layer i (and the embeddings'); each family uses the places it has. */
export const dropoutInputs = {
  embeddings: 'dropout.embeddings',
  attentionProbs: (i: number) => `dropout.${i}.attention_probs`,
  attentionOutput: (i: number) => `dropout.${i}.attention_output`,
  ffnOutput: (i: number) => `dropout.${i}.ffn_output`,
};

/** The seed streams of those places (`streamSeed('dropout', seed, site, position)`). */
export const dropoutSites = {
  embeddings: 'embeddings',
  attentionProbs: (i: number) => `${i}/attention_probs`,
  attentionOutput: (i: number) => `${i}/attention_output`,
  ffnOutput: (i: number) => `${i}/ffn_output`,
};

export const keepInputs = { full: 'attention_keep', sliding: 'attention_keep_sliding' };

/** Names of the patching inputs of block i, and of its per-head context output. */
export const patchInputs = {
  entry: (i: number) => `patch.entry.${i}`,
  headMask: (i: number) => `patch.head_mask.${i}`,
  /** The batch row whose per-head contexts the masked heads take (the variant's). */
  headSource: 'patch.head_source',
};

/**
 * A per-head context [B, heads, T, d] with the heads a bool mask input `maskName` ([rows, heads, 1, 1], or a
 * broadcast [1, 1, 1, 1] `false`) sets taken from the batch row `source` ([1] int64): heads patching.
 */
export function patchedHeads(b: GraphBuilder, context: string, source: string, maskName: string): string {
  const mask = b.input({ name: maskName, elemType: 'bool', shape: [`${maskName}.rows`, `${maskName}.heads`, 1, 1] });
  // The source row's context of every head ([1, heads, T, d]), put where the mask says.
  const values = b.op('Gather', [context, source], { axis: 0 }, 'head_source');
  return b.op('Where', [mask, values, context], {}, 'patched_heads');
}

export interface SingleStackGraph {
  b: GraphBuilder;
  ctx: GraphContext;
  ids: string;
  positions: string;
  /** The additive mask from `attention_keep`. */
  mask: string;
  /** Attention shapes for `heads` heads of `headSize` each. */
  shapesOf(heads: number, headSize: number): AttentionShapes;
  /** [N, H] → [N, H] with the batch's N (for sums of gathered embeddings). */
  flat(x: string): string;
  /** A [B, T, width] dropout mask input, flattened to [N, width] (a broadcast 1 in eval mode). */
  hiddenMask(name: string): string;
  /** A [B, heads, T, T] dropout mask input on attention probabilities. */
  probsMask(name: string): string;
  emitHidden(i: number, x: string): void;
  /** Block i's input with the rows entering there appended (`patch.entry.i`). */
  enter(i: number, x: string): string;
  /** Block i's per-head context [B, heads, T, d] with the masked heads taken from the `patch.head_source` row. */
  patchHeads(i: number, context: string): string;
  /** Layer i's attention probabilities: `attentions.i`, and the batch rows asked for in `heads_pick.i` (lens.ts). */
  emitAttention(i: number, probs: string, heads: number): void;
  /** The LM head on the rows asked for (`logits_rows`: indices into the flattened batch × seq rows). */
  emitLogits(x: string, matrix: string, vocab: number): void;
  /** The logit lens over every stream emitted so far (lens.ts); `lens` maps layer l's rows to its logits. */
  emitLens(vocab: number, lens: (x: string, layer: number) => string): void;
}

export function singleStackGraph(hiddenSize: number, weight: WeightRef): SingleStackGraph {
  const b = new GraphBuilder();
  const registered = new Map<string, string>();
  let headSource: string | undefined;
  const ctx: GraphContext = {
    b,
    weight: (name) => {
      let n = registered.get(name);
      if (!n) registered.set(name, (n = weight(b, name)));
      return n;
    },
  };
  const H = hiddenSize;
  const ids = b.input({ name: 'input_ids', elemType: 'int64', shape: ['batch', 'seq'] });
  const positions = b.input({ name: 'position_ids', elemType: 'int64', shape: ['batch', 'seq'] });
  const keep = b.input({ name: keepInputs.full, elemType: 'float', shape: ['batch', 1, 'seq', 'seq'] });
  const idsShape = b.op('Shape', [ids]);
  const flatShape = b.int64s([-1, H]);
  // Batch is -1 in every reshape: rows entering at a later block make the batch grow along the stack.
  const seqDim = b.op('Slice', [idsShape, b.int64s([1]), b.int64s([2])]);
  const hiddenShape = b.op('Concat', [b.int64s([-1]), seqDim, b.int64s([H])], { axis: 0 });
  const streams: string[] = [];
  return {
    b,
    ctx,
    ids,
    positions,
    mask: additiveMask(b, keep),
    shapesOf: (heads, headSize) => ({
      headsShape: b.op('Concat', [b.int64s([-1]), seqDim, b.int64s([heads, headSize])], { axis: 0 }),
      flatShape: b.int64s([-1, heads * headSize]),
      headSize,
    }),
    flat: (x) => b.op('Reshape', [x, flatShape]),
    // Dropout masks are [batch, seq, H] and [batch, heads, seq, keys] in train mode; in eval mode a single
    // broadcast 1 ([1, 1, 1] / [1, 1, 1, 1]) does, so their dimensions are symbolic of their own.
    hiddenMask: (name) =>
      b.op('Flatten', [b.input({ name, elemType: 'float', shape: ['mask_batch', 'mask_seq', 'mask_hidden'] })], {
        axis: 2,
      }),
    probsMask: (name) =>
      b.input({ name, elemType: 'float', shape: ['mask_batch', 'mask_heads', 'mask_seq', 'mask_keys'] }),
    emitHidden: (i, x) => {
      streams[i] = x;
      b.output(
        { name: `hidden_states.${i}`, elemType: 'float', shape: ['batch', 'seq', H] },
        b.op('Reshape', [x, hiddenShape]),
      );
    },
    enter: (i, x) => {
      const entry = b.input({ name: patchInputs.entry(i), elemType: 'float', shape: [`entry_rows_${i}`, H] });
      return b.op('Concat', [x, entry], { axis: 0 }, 'entered');
    },
    patchHeads: (i, context) => {
      headSource ??= b.input({ name: patchInputs.headSource, elemType: 'int64', shape: [1] });
      return patchedHeads(b, context, headSource, patchInputs.headMask(i));
    },
    emitAttention: (i, probs, heads) => {
      const shape = ['picked', heads, 'seq', 'seq'];
      b.output({ name: `attentions.${i}`, elemType: 'float', shape: ['batch', heads, 'seq', 'seq'] }, probs);
      emitPickedHeads(b, probs, pickInput(b, headsNames.pick(i)), headsNames.output(i), shape);
    },
    emitLens: (vocab, lens) => emitLens(b, streams, vocab, lens),
    emitLogits: (x, matrix, vocab) => {
      // The next token needs one row per input, and [batch, seq, vocab] floats would cost hundreds of MB.
      const rows = b.input({ name: 'logits_rows', elemType: 'int64', shape: ['rows'] });
      const logits = b.op('Gemm', [b.op('Gather', [x, rows], { axis: 0 }), matrix], { transB: 1 }, 'logits');
      b.output({ name: 'logits', elemType: 'float', shape: ['rows', vocab] }, logits);
    },
  };
}
