/**
 * Running a built model with onnxruntime-node (the copy @huggingface/transformers resolves to).
 * One call runs a batch: inputs of different lengths are right-padded and the padding masked out of
 * attention, positions are a plain range (as Hugging Face, not transformers.js's cumulative sum),
 * and every dropout mask is drawn here from a per-run seed, so a run is reproducible whatever ran before.
 */
import { dirname } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { ModelDims } from '../config';
import { dropoutInputs } from './architectures/graph';
import { fillDropoutRow, streamSeed } from './random';
import { graphWithOutputs } from './prunedGraph';

export interface ForwardInput {
  ids: number[];
  /** Hugging Face's attention_mask (1 = real token, 0 = padding); default all ones. */
  attentionMask?: number[];
  /** Seed of this run's dropout masks; null or undefined = eval mode (no dropout). */
  dropoutSeed?: number | null;
}

export interface ForwardSettings {
  /** Causal attention (BERT's `is_decoder`; always true for GPT-2). */
  causal: boolean;
  /** Dropout probabilities used for inputs that have a dropout seed. */
  rates: { hidden: number; attention: number; embedding: number };
  /**
   * Pad every input to at least this many positions. A case split over several passes pads each pass to
   * the case's longest input, so every row is computed with the same shapes — and the same numbers, bit
   * for bit — as if the whole case had run in one pass.
   */
  paddedLength?: number;
}

/** Which outputs to copy out beside the hidden states (each costs memory on long inputs). */
export interface WantedOutputs {
  /** Every attention map (default false). */
  attentions?: boolean;
  /** LM-head logits: at every position, at the last one only (default), or none. */
  logits?: 'all' | 'last' | 'none';
}

export interface ForwardOutput {
  ids: number[];
  /** L+1 arrays of T×H values (row-major). */
  hiddenStates: Float32Array[];
  /** L arrays of heads×T×T values; empty unless asked for. */
  attentions: Float32Array[];
  /** T×V values for models with an LM head, when asked for `all`. */
  logits: Float32Array | null;
  /** The V logits at the last position, for models with an LM head, unless asked for `none`. */
  lastLogits: Float32Array | null;
  /** The effective keep mask the model used: keep[i][j] = 1 if query i may attend to key j. */
  keep: number[][];
}

export interface SessionOptions {
  intraOpThreads?: number;
  /**
   * Whether `forward` may be asked for attention maps (default true). onnxruntime computes and holds every
   * graph output whether it is fetched or not, so a session that never returns attentions is opened on the
   * graph without them: measured on bert-base, 4 × 512 tokens, 1397 → 789 MB peak (bench/calibration.md).
   */
  attentions?: boolean;
}

export class ModelSession {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly dims: ModelDims,
    private readonly withAttentions: boolean,
  ) {}

  /**
   * Opens a model by path. The weights stay in the external data file either way (onnxruntime maps them
   * from there; a model buffer holding the weights costs about 3× the memory); without attentions the graph
   * is trimmed in memory and its external data is found through the model's folder.
   */
  static async open(onnxPath: string, dims: ModelDims, options: SessionOptions = {}): Promise<ModelSession> {
    const withAttentions = options.attentions ?? true;
    const sessionOptions: ort.InferenceSession.SessionOptions = {
      // 'basic' (constant folding, no fusions): loads ~2× faster than 'all' and measured as fast or faster
      // here (bench/), and keeps the arithmetic exactly as the graph spells it.
      graphOptimizationLevel: 'basic',
      executionMode: 'sequential',
      intraOpNumThreads: options.intraOpThreads ?? 0,
      logSeverityLevel: 3,
    };
    const session = withAttentions
      ? await ort.InferenceSession.create(onnxPath, sessionOptions)
      : await ort.InferenceSession.create(graphWithOutputs(onnxPath, isHiddenOutput), {
          ...sessionOptions,
          extra: { session: { model_external_initializers_file_folder_path: dirname(onnxPath) } },
        });
    return new ModelSession(session, dims, withAttentions);
  }

  async release(): Promise<void> {
    await this.session.release();
  }

  async forward(
    inputs: ForwardInput[],
    settings: ForwardSettings,
    wanted: WantedOutputs = {},
  ): Promise<ForwardOutput[]> {
    if (inputs.length === 0) return [];
    if (wanted.attentions && !this.withAttentions)
      throw new Error('internal: attentions asked of a session opened without them');
    const d = this.dims;
    const B = inputs.length;
    // A loop, not Math.max(...): a spread of tens of thousands of arguments overflows the stack.
    const T = inputs.reduce((n, x) => Math.max(n, x.ids.length), settings.paddedLength ?? 0);
    const H = d.hiddenSize;
    const heads = d.numHeads;
    const causal = d.architecture === 'gpt2' || settings.causal;

    // Padded positions are masked out of attention; their id only has to exist in the vocabulary.
    const padId = d.padTokenId ?? 0;
    const ids = new BigInt64Array(B * T).fill(BigInt(padId));
    const positions = new BigInt64Array(B * T);
    const keep = new Float32Array(B * T * T);
    inputs.forEach((input, b) => {
      const len = input.ids.length;
      const padKeep = Array.from({ length: T }, (_, j) => (j < len ? (input.attentionMask?.[j] ?? 1) : 0));
      for (let i = 0; i < T; i++) {
        ids[b * T + i] = BigInt(i < len ? input.ids[i] : padId);
        positions[b * T + i] = BigInt(i);
        for (let j = 0; j < T; j++) keep[(b * T + i) * T + j] = causal && j > i ? 0 : padKeep[j];
      }
    });

    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', ids, [B, T]),
      position_ids: new ort.Tensor('int64', positions, [B, T]),
      attention_keep: new ort.Tensor('float32', keep, [B, 1, T, T]),
    };
    if (d.architecture === 'bert') feeds.token_type_ids = new ort.Tensor('int64', new BigInt64Array(B * T), [B, T]);
    const logitsWanted = d.architecture === 'gpt2' ? (wanted.logits ?? 'last') : 'none';
    // Rows (of the flattened batch × seq) the LM head runs on: every real position, the last of each input, or one dummy.
    const logitRows =
      logitsWanted === 'all'
        ? inputs.flatMap((x, b) => x.ids.map((_, i) => b * T + i))
        : logitsWanted === 'last'
          ? inputs.map((x, b) => b * T + x.ids.length - 1)
          : [0];
    if (d.architecture === 'gpt2')
      feeds.logits_rows = new ort.Tensor('int64', BigInt64Array.from(logitRows.map(BigInt)), [logitRows.length]);
    // In eval mode (no input has a seed) one broadcast 1 stands for every mask: no T×T arrays per layer.
    const evalOnly = inputs.every((x) => x.dropoutSeed === null || x.dropoutSeed === undefined);
    const one = (rank: number) => new ort.Tensor('float32', Float32Array.of(1), Array(rank).fill(1));
    const hiddenMask = (site: string, p: number) => {
      if (evalOnly) return one(3);
      const data = new Float32Array(B * T * H);
      inputs.forEach((input, b) => {
        for (let i = 0; i < T; i++) fillRow(data, (b * T + i) * H, H, input.dropoutSeed, p, site, i);
      });
      return new ort.Tensor('float32', data, [B, T, H]);
    };
    const probsMask = (site: string, p: number) => {
      if (evalOnly) return one(4);
      const data = new Float32Array(B * heads * T * T);
      inputs.forEach((input, b) => {
        for (let h = 0; h < heads; h++)
          for (let i = 0; i < T; i++)
            fillRow(data, ((b * heads + h) * T + i) * T, T, input.dropoutSeed, p, `${site}/h${h}`, i);
      });
      return new ort.Tensor('float32', data, [B, heads, T, T]);
    };
    const r = settings.rates;
    feeds[dropoutInputs.embeddings] = hiddenMask('embeddings', r.embedding);
    for (let l = 0; l < d.numLayers; l++) {
      feeds[dropoutInputs.attentionProbs(l)] = probsMask(`${l}/attention_probs`, r.attention);
      feeds[dropoutInputs.attentionOutput(l)] = hiddenMask(`${l}/attention_output`, r.hidden);
      feeds[dropoutInputs.ffnOutput(l)] = hiddenMask(`${l}/ffn_output`, r.hidden);
    }

    const fetches = Array.from({ length: d.numLayers + 1 }, (_, l) => `hidden_states.${l}`);
    if (wanted.attentions) fetches.push(...Array.from({ length: d.numLayers }, (_, l) => `attentions.${l}`));
    if (logitsWanted !== 'none') fetches.push('logits');
    const out = await this.session.run(feeds, fetches);

    return inputs.map((input, b) => {
      const len = input.ids.length;
      const hiddenStates = Array.from({ length: d.numLayers + 1 }, (_, l) =>
        sliceRows(out[`hidden_states.${l}`].data as Float32Array, b, T, len, H),
      );
      const attentions = Array.from({ length: wanted.attentions ? d.numLayers : 0 }, (_, l) => {
        const all = out[`attentions.${l}`].data as Float32Array;
        const mine = new Float32Array(heads * len * len);
        for (let h = 0; h < heads; h++)
          for (let i = 0; i < len; i++)
            mine.set(
              all.subarray(((b * heads + h) * T + i) * T, ((b * heads + h) * T + i) * T + len),
              (h * len + i) * len,
            );
        return mine;
      });
      const rows = out.logits?.data as Float32Array | undefined;
      const V = d.vocabSize;
      // 'all': this input's rows start after the earlier inputs' real positions; 'last': row b.
      const first = logitsWanted === 'all' ? inputs.slice(0, b).reduce((n, x) => n + x.ids.length, 0) : b;
      const logits = rows && logitsWanted === 'all' ? rows.slice(first * V, (first + len) * V) : null;
      const lastRow = logitsWanted === 'all' ? first + len - 1 : b;
      const lastLogits = rows ? rows.slice(lastRow * V, (lastRow + 1) * V) : null;
      return withKeepRows({ ids: input.ids, hiddenStates, attentions, logits, lastLogits }, input, causal);
    });
  }
}

/** Graph outputs a session without attentions keeps: the hidden states and the LM head's logits. */
function isHiddenOutput(name: string): boolean {
  return name.startsWith('hidden_states.') || name === 'logits';
}

/**
 * Adds the effective keep mask of one input's real positions, computed when first read: it is T×T numbers
 * as plain arrays, and a comparison reads it for the base input only.
 */
function withKeepRows(output: Omit<ForwardOutput, 'keep'>, input: ForwardInput, causal: boolean): ForwardOutput {
  let rows: number[][] | undefined;
  return Object.defineProperty(output, 'keep', {
    enumerable: true,
    get: () =>
      (rows ??= input.ids.map((_, i) =>
        input.ids.map((__, j) => (causal && j > i ? 0 : (input.attentionMask?.[j] ?? 1))),
      )),
  }) as ForwardOutput;
}

/** One mask row: all ones without a seed (eval mode), else a seeded keep/drop draw keyed by site and position. */
function fillRow(
  out: Float32Array,
  offset: number,
  length: number,
  seed: number | null | undefined,
  p: number,
  site: string,
  position: number,
): void {
  if (seed === null || seed === undefined) out.fill(1, offset, offset + length);
  else fillDropoutRow(out, offset, length, p, streamSeed('dropout', seed, site, position));
}

function sliceRows(data: Float32Array, b: number, T: number, len: number, width: number): Float32Array {
  return data.slice(b * T * width, (b * T + len) * width);
}
