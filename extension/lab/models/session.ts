/**
 * Running a built single-stack model (BERT, GPT-2, the Llama family) with onnxruntime-node (the copy
 * @huggingface/transformers resolves to). One call runs a batch: inputs of different lengths are
 * right-padded and the padding masked out of attention, positions are a plain range (as Hugging Face's
 * forward computes them, not transformers.js's cumulative sum: a left-padded input keeps its padded slots in
 * the count), the causal rule and any sliding window are keep masks, and every dropout mask is drawn here
 * from a per-run seed, so a run is reproducible whatever ran before. Identical inputs run once.
 * What differs between the families — dropout places, token types, the LM head, windows — is the
 * architecture's `SingleStackPlan`. Encoder-decoders run in `bart/session.ts`.
 */
import type * as ort from 'onnxruntime-node';
import type { DropoutRates } from '../types';
import type { ArchitectureDims, SessionOpenOptions, SingleStackPlan } from './architecture';
import {
  hiddenDropout,
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
  zerosInt64,
} from './batchFeeds';
import { keepInputs } from './blocks/singleStack';
import { patchFeeds, plainPatchFeeds, type PatchFeeds } from './patchFeeds';
import { headsNames, isReadOut } from './blocks/lens';
import {
  headsFeeds,
  lensFeeds,
  lensOfUnique,
  lensFetches,
  readHeads,
  readLens,
  type LensReadout,
  type LensRequest,
} from './readOuts';
import { moduleOf } from './registry';
import type { Seq2SeqSession } from './bart/session';

export type { DropoutRates } from '../types';

export interface ForwardInput {
  ids: number[];
  /** Hugging Face's attention_mask (1 = real token, 0 = padding); default all ones. */
  attentionMask?: number[];
  /** Seed of this run's dropout masks; null or undefined = eval mode (no dropout). */
  dropoutSeed?: number | null;
}

export interface ForwardSettings {
  /** Causal attention (BERT's `is_decoder`); GPT-2 and the Llama family are causal whatever this says. */
  causal: boolean;
  /** Dropout probabilities by config key, used for inputs that have a dropout seed. */
  rates: DropoutRates;
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
  /** An encoder-decoder's cross-attention maps only (default: as `attentions`). */
  crossAttentions?: boolean;
  /** LM-head logits: at every position, at the last one only (default), or none. */
  logits?: 'all' | 'last' | 'none';
  /** The logit lens at these positions of each input (models with an LM head; an encoder-decoder's decoder). */
  lens?: LensRequest;
  /** One layer's attention maps of every input (an encoder-decoder: of this stack; the decoder's with its cross-attention). */
  heads?: { layer: number; stack?: 'encoder' | 'decoder' };
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
  /** The logit lens when asked for. */
  lens: LensReadout | null;
  /** heads×T×T: the attention maps of the layer asked for in `wanted.heads`. */
  heads: Float32Array | null;
  /** The effective keep mask of the full-attention layers: keep[i][j] = 1 if query i may attend to key j. */
  keep: number[][];
  /** The keep mask of the sliding-window layers (null when the model has none). */
  slidingKeep: number[][] | null;
}

/** Graph outputs a session without attentions keeps: the hidden states, the LM head's logits, the read-outs (lens.ts). */
const isHiddenOutput = (name: string) => name.startsWith('hidden_states.') || name === 'logits' || isReadOut(name);

export class ModelSession {
  readonly kind = 'single-stack';

  private constructor(
    private readonly session: ort.InferenceSession,
    readonly dims: ArchitectureDims,
    readonly plan: SingleStackPlan,
    private readonly withAttentions: boolean,
  ) {}

  /**
   * Opens a model by path. The weights stay in the external data file either way (onnxruntime maps them
   * from there; a model buffer holding the weights costs about 3× the memory); without attentions the graph
   * is trimmed in memory and its external data is found through the model's folder.
   */
  static async open(onnxPath: string, dims: ArchitectureDims, options: SessionOpenOptions = {}): Promise<ModelSession> {
    const runner = moduleOf(dims.architecture).runner;
    if (runner.kind !== 'single-stack') throw new Error(`internal: ${dims.architecture} is not a single-stack model`);
    const withAttentions = options.attentions ?? true;
    const session = await openInferenceSession(onnxPath, options, withAttentions ? undefined : isHiddenOutput);
    return new ModelSession(session, dims, runner.plan(dims), withAttentions);
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
    const drawsDropout = this.plan.dropout.some((site) => (settings.rates[site.rateKey] ?? 0) > 0);
    const seedOf = (x: ForwardInput) => (drawsDropout ? (x.dropoutSeed ?? null) : null);
    const { unique, source } = uniqueInputs(inputs, (x) => JSON.stringify([x.ids, x.attentionMask ?? null, seedOf(x)]));
    const lens = lensOfUnique(wanted.lens, source, unique.length);
    const outputs = await this.run(unique, unique.map(seedOf), settings, { ...wanted, lens });
    // Identical inputs (the same ids, hence the same `ids`) share one output: callers read it, never write.
    return source.map((u) => outputs[u]);
  }

  /**
   * One activation-patching pass (`lab/patching/`): the plain inputs (all of one length) plus the rows
   * `patch` makes enter at later blocks. Returns the last hidden state of every row ([rows·T, H]: the plain
   * inputs first, then the entered rows block by block) and the logits of `patch.logitRows`.
   */
  async patchedPass(
    inputs: ForwardInput[],
    settings: ForwardSettings,
    patch: PatchFeeds,
  ): Promise<{ last: Float32Array; logits: Float32Array | null }> {
    if (inputs.some((x) => x.ids.length !== inputs[0].ids.length || x.attentionMask))
      throw new Error('internal: a patching pass takes unpadded inputs of one length');
    const { feeds, T, full, sliding } = this.inputFeeds(
      inputs,
      inputs.map(() => null),
      settings,
    );
    // Every row shares the positions and keep masks of input 0 (batch 1, broadcast): rows entering at later
    // blocks make the batch grow past the inputs'.
    feeds.position_ids = rangePositions(1, T);
    feeds[keepInputs.full] = keepTensor(1, T, T, full);
    if (this.plan.slidingWindow !== null) feeds[keepInputs.sliding] = keepTensor(1, T, T, sliding);
    Object.assign(feeds, patchFeeds(patch, this.plan.hiddenSize, T, this.plan.heads));
    // The read-outs' inputs, asking for nothing (a patching pass reads neither the lens nor the heads).
    if (this.plan.lmHeadVocab > 0) Object.assign(feeds, lensFeeds(undefined, T, this.plan.lmHeadVocab));
    Object.assign(feeds, headsFeeds(this.plan.layers, undefined, 0));
    const fetches = [`hidden_states.${this.plan.layers}`];
    if (this.plan.lmHeadVocab > 0) {
      feeds.logits_rows = rowsTensor(lmHeadRows(patch.logitRows.length > 0 ? patch.logitRows : [0]));
      fetches.push('logits');
    }
    const out = await this.session.run(feeds, fetches);
    return {
      last: out[fetches[0]].data as Float32Array,
      logits: this.plan.lmHeadVocab > 0 ? (out.logits.data as Float32Array) : null,
    };
  }

  /** The inputs every run feeds: ids, positions, keep masks, token types and dropout masks. */
  private inputFeeds(inputs: ForwardInput[], seeds: (number | null)[], settings: ForwardSettings) {
    const plan = this.plan;
    const B = inputs.length;
    const { tensor: ids, T } = paddedIds(
      inputs.map((x) => x.ids),
      plan.padTokenId,
      settings.paddedLength,
    );
    const padKeep = inputs.map((x) => paddingKeep(x.ids.length, T, x.attentionMask));
    const causal = settings.causal || plan.alwaysCausal;
    const window = plan.slidingWindow;
    const full = (b: number, i: number, j: number) => (causal && j > i ? 0 : padKeep[b][j]);
    const sliding = (b: number, i: number, j: number) => (window !== null && i - j >= window ? 0 : full(b, i, j));
    const feeds: Record<string, ort.Tensor> = {
      input_ids: ids,
      position_ids: rangePositions(B, T),
      [keepInputs.full]: keepTensor(B, T, T, full),
    };
    if (window !== null) feeds[keepInputs.sliding] = keepTensor(B, T, T, sliding);
    if (plan.tokenTypeIds) feeds.token_type_ids = zerosInt64(B, T);
    for (const site of plan.dropout) {
      const rate = settings.rates[site.rateKey] ?? 0;
      feeds[site.input] =
        site.shape === 'hidden'
          ? hiddenDropout(seeds, T, site.width, rate, site.site)
          : probsDropout(seeds, site.width, T, T, rate, site.site);
    }
    return { feeds, T, full, sliding };
  }

  private async run(
    inputs: ForwardInput[],
    seeds: (number | null)[],
    settings: ForwardSettings,
    wanted: WantedOutputs,
  ): Promise<ForwardOutput[]> {
    const plan = this.plan;
    const H = plan.hiddenSize;
    const { feeds, T, full, sliding } = this.inputFeeds(inputs, seeds, settings);
    Object.assign(feeds, plainPatchFeeds(plan.layers, H));
    const window = plan.slidingWindow;
    const logitsWanted = plan.lmHeadVocab > 0 ? (wanted.logits ?? 'last') : 'none';
    // Rows (of the flattened batch × seq) the LM head runs on: every real position, the last of each input, or one dummy.
    if (plan.lmHeadVocab > 0)
      feeds.logits_rows = rowsTensor(
        lmHeadRows(
          logitsWanted === 'all'
            ? inputs.flatMap((x, b) => x.ids.map((_, i) => b * T + i))
            : logitsWanted === 'last'
              ? inputs.map((x, b) => b * T + x.ids.length - 1)
              : [0],
        ),
      );

    const lens = plan.lmHeadVocab > 0 ? wanted.lens : undefined;
    if (plan.lmHeadVocab > 0) Object.assign(feeds, lensFeeds(lens, T, plan.lmHeadVocab));
    const headsLayer = wanted.heads?.layer;
    Object.assign(feeds, headsFeeds(plan.layers, headsLayer, inputs.length));

    const fetches = Array.from({ length: plan.layers + 1 }, (_, l) => `hidden_states.${l}`);
    if (wanted.attentions) fetches.push(...Array.from({ length: plan.layers }, (_, l) => `attentions.${l}`));
    if (logitsWanted !== 'none') fetches.push('logits');
    if (lens) fetches.push(...lensFetches);
    if (headsLayer !== undefined) fetches.push(headsNames.output(headsLayer));
    const out = await this.session.run(feeds, fetches);
    const lensOf = lens ? readLens(out, lens, plan.layers + 1) : null;

    const V = plan.lmHeadVocab;
    return inputs.map((input, b) => {
      const len = input.ids.length;
      const rows = out.logits?.data as Float32Array | undefined;
      // 'all': this input's rows start after the earlier inputs' real positions; 'last': row b.
      const first = logitsWanted === 'all' ? inputs.slice(0, b).reduce((n, x) => n + x.ids.length, 0) : b;
      const lastRow = logitsWanted === 'all' ? first + len - 1 : b;
      return withKeepRows(
        {
          ids: input.ids,
          hiddenStates: Array.from({ length: plan.layers + 1 }, (_, l) =>
            sliceRows(out[`hidden_states.${l}`].data as Float32Array, b, T, len, H),
          ),
          attentions: Array.from({ length: wanted.attentions ? plan.layers : 0 }, (_, l) =>
            sliceAttention(out[`attentions.${l}`].data as Float32Array, b, plan.heads, T, T, len, len),
          ),
          logits: rows && logitsWanted === 'all' ? rows.slice(first * V, (first + len) * V) : null,
          lastLogits: rows ? rows.slice(lastRow * V, (lastRow + 1) * V) : null,
          lens: lensOf?.[b] ?? null,
          heads: headsLayer === undefined ? null : readHeads(out[headsNames.output(headsLayer)], b, len, len),
        },
        len,
        (i, j) => full(b, i, j),
        window === null ? null : (i, j) => sliding(b, i, j),
      );
    });
  }
}

/**
 * The LM head's rows, at least two: onnxruntime multiplies a single row by another kernel (a matrix-vector
 * product) that rounds differently, so an input's logits would depend on how many others share its pass.
 * The extra row repeats the last one and is never read.
 */
export function lmHeadRows(rows: number[]): number[] {
  return rows.length === 1 ? [rows[0], rows[0]] : rows;
}

/**
 * Adds the effective keep masks of one input's real positions, computed when first read: they are T×T
 * numbers as plain arrays, and a comparison reads them for the base input only.
 */
function withKeepRows(
  output: Omit<ForwardOutput, 'keep' | 'slidingKeep'>,
  len: number,
  full: (i: number, j: number) => number,
  sliding: ((i: number, j: number) => number) | null,
): ForwardOutput {
  let fullRows: number[][] | undefined;
  let slidingRows: number[][] | null | undefined;
  Object.defineProperty(output, 'keep', { enumerable: true, get: () => (fullRows ??= keepRows(len, len, full)) });
  Object.defineProperty(output, 'slidingKeep', {
    enumerable: true,
    get: () => (slidingRows ??= sliding && keepRows(len, len, sliding)),
  });
  return output as ForwardOutput;
}

/** An open model of any architecture. */
export type LabSession = ModelSession | Seq2SeqSession;

/** Opens a built model with the session its architecture runs on. */
export function openSession(
  onnxPath: string,
  dims: ArchitectureDims,
  options: SessionOpenOptions = {},
): Promise<LabSession> {
  const runner = moduleOf(dims.architecture).runner;
  switch (runner.kind) {
    case 'single-stack':
      return ModelSession.open(onnxPath, dims, options);
    case 'encoder-decoder':
      return runner.open(onnxPath, dims, options);
  }
}

/** The session of a single-stack model (tests and tools that know what they opened). */
export function singleStack(session: LabSession): ModelSession {
  if (session.kind !== 'single-stack')
    throw new Error('internal: an encoder-decoder where a single-stack model was expected');
  return session;
}
