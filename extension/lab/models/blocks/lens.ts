/**
 * The graph's optional read-outs beside the hidden states, both fed per run and empty unless asked for:
 *
 * - the logit lens: the model's own final norm and unembedding applied to every layer's stream on the rows
 *   asked for (`lens_rows`, indices into the flattened batch × seq rows, as `logits_rows`), reduced in the graph
 *   to the top `lens_k` logits and ids and the log-sum-exp of each row. A [rows, vocab] matrix per layer exists
 *   only inside the pass (onnxruntime frees it once its TopK has read it), so the lens holds no second copy of
 *   the embedding and returns (L+1) · rows · k numbers, not (L+1) · rows · vocab.
 * - one layer's attention maps for the inputs asked for (`heads_pick.<l>`: batch indices), so a session opened
 *   without its `attentions.*` outputs can still answer for one layer: the probabilities are computed in every
 *   pass anyway, and gathering zero rows costs nothing.
 *
 * Each family says what its lens is (registry module's graph): which streams get the final norm (GPT-2's and
 * the Llama family's last hidden state is already after it: normalising it again would be wrong) and its head.
 */
import type { GraphBuilder } from '../onnxGraph';

export const lensInputs = { rows: 'lens_rows', k: 'lens_k' };
/** Layer-major: rows [l · n, (l + 1) · n) hold layer l's lens of the n rows fed. */
export const lensOutputs = { values: 'lens_values', ids: 'lens_ids', logSumExp: 'lens_logsumexp' };

/** Input and output names of one layer's picked attention maps (`prefix`: '' or a stack's `encoder_`/`decoder_`). */
export const headsNames = {
  pick: (layer: number, prefix = '') => `${prefix}heads_pick.${layer}`,
  output: (layer: number, prefix = '') => `${prefix}attention_heads.${layer}`,
  cross: (layer: number) => `cross_attention_heads.${layer}`,
};

/** Whether a graph output is one of these read-outs (kept in sessions opened without the attention maps). */
export const isReadOut = (name: string) =>
  Object.values(lensOutputs).includes(name) || /^(encoder_|decoder_|cross_)?attention_heads\./.test(name);

/**
 * Emits the lens of `streams` (L+1 flat [N, H] tensors, embeddings first): `lens(x, l)` maps layer l's
 * gathered rows to logits [rows, vocab] (the family's norm where it belongs, its head and bias).
 */
export function emitLens(
  b: GraphBuilder,
  streams: string[],
  vocab: number,
  lens: (x: string, layer: number) => string,
): void {
  const rows = b.input({ name: lensInputs.rows, elemType: 'int64', shape: ['lens_rows'] });
  const k = b.input({ name: lensInputs.k, elemType: 'int64', shape: [1] });
  const values: string[] = [];
  const ids: string[] = [];
  const sums: string[] = [];
  // onnxruntime's TopK dies (SIGFPE) on zero rows, which is what a pass that asks for no lens feeds: it
  // reads one more row of zeros, sliced off again (the other ops take zero rows as they are).
  const n = b.op('Shape', [rows]);
  const zeros = b.op('ConstantOfShape', [b.int64s([1, vocab])]);
  const keepRows = (t: string) => b.op('Slice', [t, b.int64s([0]), n, b.int64s([0])]);
  // Layer by layer: each layer's rows come out of the previous layer's results (the same indices, sliced to the
  // lengths of its TopK and log-sum-exp outputs), so onnxruntime cannot start a layer's [rows, vocab] logits before
  // the previous layer's are read and freed. Without the chain its topological order computes every layer's logits
  // first: (L+1) · rows · vocab floats at once (Qwen2.5-0.5B, 22 inputs × 16 positions: +5.3 GB).
  let layerRows = rows;
  streams.forEach((x, l) => {
    const logits = lens(b.op('Gather', [x, layerRows], { axis: 0 }), l);
    const padded = b.op('Concat', [logits, zeros], { axis: 0 });
    const [v, i] = b.opMulti('TopK', [padded, k], 2, { axis: 1, largest: 1, sorted: 1 }, 'lens_top');
    const lse = b.op('ReduceLogSumExp', [logits], { axes: [1], keepdims: 0 }, 'lens_lse');
    values.push(keepRows(v));
    ids.push(keepRows(i));
    sums.push(lse);
    const read = b.op('Min', [b.op('Shape', [lse]), b.op('Slice', [b.op('Shape', [v]), b.int64s([0]), b.int64s([1])])]);
    layerRows = b.op('Slice', [rows, b.int64s([0]), read, b.int64s([0])], {}, 'lens_next_rows');
  });
  b.output(
    { name: lensOutputs.values, elemType: 'float', shape: ['lens_all', 'k'] },
    b.op('Concat', values, { axis: 0 }),
  );
  b.output({ name: lensOutputs.ids, elemType: 'int64', shape: ['lens_all', 'k'] }, b.op('Concat', ids, { axis: 0 }));
  b.output({ name: lensOutputs.logSumExp, elemType: 'float', shape: ['lens_all'] }, b.op('Concat', sums, { axis: 0 }));
}

/** The input of one layer's batch indices to pick. */
export function pickInput(b: GraphBuilder, name: string): string {
  return b.input({ name, elemType: 'int64', shape: [`${name}_rows`] });
}

/** Emits `probs` [batch, heads, q, k] of the batch rows in `pick` (from `pickInput`) as `outputName`. */
export function emitPickedHeads(
  b: GraphBuilder,
  probs: string,
  pick: string,
  outputName: string,
  shape: (number | string)[],
): void {
  b.output({ name: outputName, elemType: 'float', shape }, b.op('Gather', [probs, pick], { axis: 0 }));
}
