/**
 * Running a built Llama-family model: one call runs a batch (right-padded, padding masked out of
 * attention), positions a plain range as in Hugging Face's forward (a left-padded input keeps its padded
 * slots in the count), the causal rule and each layer's sliding window in the keep masks, and the
 * attention-dropout masks drawn here from each input's seed. Identical inputs run once.
 */
import type * as ort from 'onnxruntime-node';
import type { ForwardInput, WantedOutputs } from '../session';
import {
  keepRows,
  keepTensor,
  openInferenceSession,
  paddedIds,
  paddingKeep,
  probsDropout,
  rangePositions,
  rowsTensor,
  sliceAttention,
  sliceRows,
  uniqueInputs,
  type RunnerOptions,
} from '../batchFeeds';
import type { LlamaDims } from './dims';
import { llamaInputs } from './graph';

export interface DecoderOutput {
  ids: number[];
  /** L+1 arrays of T×H values; the last after the final norm. */
  hiddenStates: Float32Array[];
  /** L arrays of heads×T×T values; empty unless asked for. */
  attentions: Float32Array[];
  /** T×V logits when asked for `all`. */
  logits: Float32Array | null;
  /** The V logits at the last position unless asked for `none`. */
  lastLogits: Float32Array | null;
  /** The effective keep mask of the full-attention layers: keep[i][j] = 1 if query i may attend to key j. */
  keep: number[][];
  /** The keep mask of the sliding-window layers (null when the model has none). */
  slidingKeep: number[][] | null;
}

export class DecoderSession {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly dims: LlamaDims,
  ) {}

  static async open(onnxPath: string, dims: LlamaDims, options: RunnerOptions = {}): Promise<DecoderSession> {
    return new DecoderSession(await openInferenceSession(onnxPath, options), dims);
  }

  async release(): Promise<void> {
    await this.session.release();
  }

  async forward(inputs: ForwardInput[], wanted: WantedOutputs = {}): Promise<DecoderOutput[]> {
    if (inputs.length === 0) return [];
    const d = this.dims;
    const drawsDropout = d.attentionDropout > 0;
    const seedOf = (x: ForwardInput) => (drawsDropout ? (x.dropoutSeed ?? null) : null);
    const { unique, source } = uniqueInputs(inputs, (x) => JSON.stringify([x.ids, x.attentionMask ?? null, seedOf(x)]));
    const outputs = await this.run(unique, seedOf, wanted);
    return source.map((u, k) => ({ ...outputs[u], ids: inputs[k].ids }));
  }

  private async run(
    inputs: ForwardInput[],
    seedOf: (x: ForwardInput) => number | null,
    wanted: WantedOutputs,
  ): Promise<DecoderOutput[]> {
    const d = this.dims;
    const B = inputs.length;
    const { tensor: ids, T } = paddedIds(
      inputs.map((x) => x.ids),
      d.padTokenId ?? 0,
    );
    const padKeep = inputs.map((x) => paddingKeep(x.ids.length, T, x.attentionMask));
    const window = d.layerWindows.find((w) => w !== null) ?? null;
    const causal = (b: number, i: number, j: number) => (j > i ? 0 : padKeep[b][j]);
    const sliding = (b: number, i: number, j: number) => (window !== null && i - j >= window ? 0 : causal(b, i, j));
    const feeds: Record<string, ort.Tensor> = {
      input_ids: ids,
      position_ids: rangePositions(B, T),
      [llamaInputs.keep]: keepTensor(B, T, T, causal),
    };
    if (window !== null) feeds[llamaInputs.keepSliding] = keepTensor(B, T, T, sliding);
    const seeds = inputs.map(seedOf);
    for (let l = 0; l < d.numLayers; l++)
      feeds[llamaInputs.attentionProbs(l)] = probsDropout(
        seeds,
        d.numHeads,
        T,
        T,
        d.attentionDropout,
        `${l}/attention_probs`,
      );
    const logitsWanted = wanted.logits ?? 'last';
    // Rows of the flattened batch × seq the LM head runs on: every real position, the last of each input, or one.
    const rows =
      logitsWanted === 'all'
        ? inputs.flatMap((x, b) => x.ids.map((_, i) => b * T + i))
        : logitsWanted === 'last'
          ? inputs.map((x, b) => b * T + x.ids.length - 1)
          : [0];
    feeds.logits_rows = rowsTensor(rows);

    const fetches = Array.from({ length: d.numLayers + 1 }, (_, l) => `hidden_states.${l}`);
    if (wanted.attentions) fetches.push(...Array.from({ length: d.numLayers }, (_, l) => `attentions.${l}`));
    if (logitsWanted !== 'none') fetches.push('logits');
    const out = await this.session.run(feeds, fetches);

    const V = d.vocabSize;
    return inputs.map((input, b) => {
      const len = input.ids.length;
      const logitRows = out.logits?.data as Float32Array | undefined;
      const first = logitsWanted === 'all' ? inputs.slice(0, b).reduce((n, x) => n + x.ids.length, 0) : b;
      const lastRow = logitsWanted === 'all' ? first + len - 1 : b;
      return {
        ids: input.ids,
        hiddenStates: Array.from({ length: d.numLayers + 1 }, (_, l) =>
          sliceRows(out[`hidden_states.${l}`].data as Float32Array, b, T, len, d.hiddenSize),
        ),
        attentions: Array.from({ length: wanted.attentions ? d.numLayers : 0 }, (_, l) =>
          sliceAttention(out[`attentions.${l}`].data as Float32Array, b, d.numHeads, T, T, len, len),
        ),
        logits: logitRows && logitsWanted === 'all' ? logitRows.slice(first * V, (first + len) * V) : null,
        lastLogits: logitRows ? logitRows.slice(lastRow * V, (lastRow + 1) * V) : null,
        keep: keepRows(len, len, (i, j) => causal(b, i, j)),
        slidingKeep: window === null ? null : keepRows(len, len, (i, j) => sliding(b, i, j)),
      };
    });
  }
}
