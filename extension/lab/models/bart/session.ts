/**
 * Running a built BART/Marian model: one call runs a batch of (source, decoder input) pairs, each side
 * right-padded on its own, positions a plain range per side, the source's padding masked out of encoder
 * self-attention and cross-attention, the decoder's self-attention causal, and every dropout mask drawn
 * here from each input's seed (train mode). Identical inputs run once.
 */
import * as ort from 'onnxruntime-node';
import { lmHeadRows, type DropoutRates, type WantedOutputs } from '../session';
import type { SessionOpenOptions } from '../architecture';
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
} from '../batchFeeds';
import type { Seq2SeqDims } from './dims';
import { seq2seqInputs, type PatchedAttention, type Stack } from './inputs';
import { headsNames } from '../blocks/lens';
import { headMaskTensor, noHeads } from '../patchFeeds';
import { headsFeeds, lensFeeds, lensOfUnique, lensFetches, readHeads, readLens, type LensReadout } from '../readOuts';

export interface Seq2SeqInput {
  encoderIds: number[];
  /** The source's attention_mask (1 = real token, 0 = padding); default all ones. */
  encoderMask?: number[];
  decoderIds: number[];
  /** The decoder's attention_mask; default all ones. */
  decoderMask?: number[];
  /** Seed of this run's dropout masks; null or undefined = eval mode. */
  dropoutSeed?: number | null;
}

export interface Seq2SeqOutput {
  /** Le+1 arrays of S×H values (source positions). */
  encoderHiddenStates: Float32Array[];
  /** Le arrays of heads×S×S; empty unless asked for. */
  encoderAttentions: Float32Array[];
  /** Ld+1 arrays of T×H values (decoder positions). */
  decoderHiddenStates: Float32Array[];
  /** Ld arrays of heads×T×T; empty unless asked for. */
  decoderAttentions: Float32Array[];
  /** Ld arrays of heads×T×S (decoder position × source position); empty unless asked for (attentions or crossAttentions). */
  crossAttentions: Float32Array[];
  /** T×V logits when asked for `all`. */
  logits: Float32Array | null;
  /** The V logits at the last decoder position unless asked for `none`. */
  lastLogits: Float32Array | null;
  /** The logit lens of the decoder when asked for. */
  lens: LensReadout | null;
  /**
   * The attention maps of the layer asked for in `wanted.heads` (of both stacks unless it names one): the
   * encoder's self-attention (heads×S×S), the decoder's (heads×T×T) and its cross-attention (heads×T×S).
   */
  heads: { encoder: Float32Array | null; decoder: Float32Array | null; cross: Float32Array | null } | null;
  /** Effective keep masks: encoder self-attention, decoder self-attention, cross-attention. */
  encoderKeep: number[][];
  decoderKeep: number[][];
  crossKeep: number[][];
}

/** One activation-patching pass of an encoder-decoder (see `patchedPass`). */
export interface Seq2SeqPatchPass {
  encoderIds: number[][];
  decoderIds: number[][];
  entries: { encoder: Float32Array[]; decoder: Float32Array[] };
  /**
   * Heads patching of one attention (a stack's self-attention, or the decoder's cross-attention): per block, the
   * heads to patch of every row present there ([rows at l] × heads, 1 = take row `source`'s context), or null at a
   * block without any; see `PatchFeeds.headMasks`.
   */
  heads?: { attention: PatchedAttention; masks: (Uint8Array | null)[]; source: number };
  logitRows: number[];
}

export interface Seq2SeqSettings {
  /** Dropout rates by config key (`dropout`, `attention_dropout`, `activation_dropout`); used for inputs with a seed. */
  rates: DropoutRates;
  /** Pad each side to at least this many positions (a case split into passes keeps one shape: see session.ts). */
  paddedLength?: { encoder: number; decoder: number };
}

/** Graph outputs a session without attention maps keeps (cross-attentions stay: the report reads them). */
const withoutSelfAttentions = (name: string) => !/^(encoder|decoder)_attentions\./.test(name);
// (The picked maps, `<stack>_attention_heads.<l>` and `cross_attention_heads.<l>`, stay: see blocks/lens.ts.)

export class Seq2SeqSession {
  readonly kind = 'encoder-decoder';

  private constructor(
    private readonly session: ort.InferenceSession,
    readonly dims: Seq2SeqDims,
    private readonly withAttentions: boolean,
  ) {}

  static async open(onnxPath: string, dims: Seq2SeqDims, options: SessionOpenOptions = {}): Promise<Seq2SeqSession> {
    const withAttentions = options.attentions ?? true;
    const keep = withAttentions ? undefined : withoutSelfAttentions;
    return new Seq2SeqSession(await openInferenceSession(onnxPath, options, keep), dims, withAttentions);
  }

  async release(): Promise<void> {
    await this.session.release();
  }

  async forward(
    inputs: Seq2SeqInput[],
    settings: Seq2SeqSettings = { rates: {} },
    wanted: WantedOutputs = {},
  ): Promise<Seq2SeqOutput[]> {
    if (inputs.length === 0) return [];
    if (wanted.attentions && !this.withAttentions)
      throw new Error('internal: attentions asked of a session opened without them');
    const r = settings.rates;
    const drawsDropout = Object.values(r).some((rate) => rate > 0);
    const seedOf = (x: Seq2SeqInput) => (drawsDropout ? (x.dropoutSeed ?? null) : null);
    const { unique, source } = uniqueInputs(inputs, (x) =>
      JSON.stringify([x.encoderIds, x.encoderMask ?? null, x.decoderIds, x.decoderMask ?? null, seedOf(x)]),
    );
    const lens = lensOfUnique(wanted.lens, source, unique.length);
    const outputs = await this.run(unique, unique.map(seedOf), settings, { ...wanted, lens });
    return source.map((u) => outputs[u]);
  }

  /** Every dropout mask input of both stacks (a broadcast 1 where no input has a seed, or a rate is 0). */
  private dropoutFeeds(
    seeds: (number | null)[],
    S: number,
    T: number,
    rates: DropoutRates,
  ): Record<string, ort.Tensor> {
    const d = this.dims;
    const H = d.dModel;
    const masks: Record<string, ort.Tensor> = {};
    const rate = (key: string) => rates[key] ?? 0;
    const p = { hidden: rate('dropout'), attention: rate('attention_dropout'), activation: rate('activation_dropout') };
    const stackMasks = (s: Stack, len: number, heads: number, ffn: number, layers: number) => {
      masks[seq2seqInputs.embeddings(s)] = hiddenDropout(seeds, len, H, p.hidden, `${s}/embeddings`);
      for (let l = 0; l < layers; l++) {
        const site = `${s}/${l}`;
        masks[seq2seqInputs.selfProbs(s, l)] = probsDropout(
          seeds,
          heads,
          len,
          len,
          p.attention,
          `${site}/attention_probs`,
        );
        masks[seq2seqInputs.selfOutput(s, l)] = hiddenDropout(seeds, len, H, p.hidden, `${site}/attention_output`);
        masks[seq2seqInputs.activation(s, l)] = hiddenDropout(seeds, len, ffn, p.activation, `${site}/activation`);
        masks[seq2seqInputs.ffnOutput(s, l)] = hiddenDropout(seeds, len, H, p.hidden, `${site}/ffn_output`);
        if (s === 'decoder') {
          masks[seq2seqInputs.crossProbs(l)] = probsDropout(
            seeds,
            heads,
            T,
            S,
            p.attention,
            `${site}/cross_attention_probs`,
          );
          masks[seq2seqInputs.crossOutput(l)] = hiddenDropout(seeds, T, H, p.hidden, `${site}/cross_attention_output`);
        }
      }
    };
    stackMasks('encoder', S, d.encoderHeads, d.encoderFfn, d.encoderLayers);
    stackMasks('decoder', T, d.decoderHeads, d.decoderFfn, d.decoderLayers);
    return masks;
  }

  /** What a plain run feeds the patching inputs: no rows enter any block, no head is patched. */
  private plainPatchFeeds(): Record<string, ort.Tensor> {
    const d = this.dims;
    const feeds: Record<string, ort.Tensor> = {};
    const none = () => new ort.Tensor('float32', new Float32Array(0), [0, d.dModel]);
    for (const a of ['encoder', 'decoder', 'cross'] as const) {
      feeds[seq2seqInputs.patchHeadSource(a)] = new ort.Tensor('int64', new BigInt64Array(1), [1]);
      for (let l = 0; l < (a === 'encoder' ? d.encoderLayers : d.decoderLayers); l++) {
        if (a !== 'cross') feeds[seq2seqInputs.patchEntry(a, l)] = none();
        feeds[seq2seqInputs.patchHeadMask(a, l)] = noHeads();
      }
    }
    return feeds;
  }

  /**
   * One activation-patching pass (`lab/patching/`), eval mode: plain rows of one source length and one decoder
   * length (one source for every decoder row, or one per decoder row), plus the rows entering each block of either
   * stack (`entries`, rows × length × H floats per block). With encoder entries, the decoder runs one row per
   * encoder row (`decoderIds` has that many). Returns the decoder's last hidden state of every row and the logits
   * of `logitRows`.
   */
  async patchedPass(pass: Seq2SeqPatchPass): Promise<{ last: Float32Array; logits: Float32Array }> {
    const d = this.dims;
    const padId = d.padTokenId ?? 0;
    const one = (rows: number[][]) => rows.every((r) => r.length === rows[0].length);
    if (!one(pass.encoderIds) || !one(pass.decoderIds))
      throw new Error('internal: a patching pass takes inputs of one length per stack');
    const enc = paddedIds(pass.encoderIds, padId);
    const dec = paddedIds(pass.decoderIds, padId);
    const [S, T] = [enc.T, dec.T];
    // Batch-1 positions and keep masks, broadcast: rows entering later blocks make the batches grow.
    const feeds: Record<string, ort.Tensor> = {
      [seq2seqInputs.ids('encoder')]: enc.tensor,
      [seq2seqInputs.ids('decoder')]: dec.tensor,
      [seq2seqInputs.positions('encoder')]: rangePositions(1, S),
      [seq2seqInputs.positions('decoder')]: rangePositions(1, T),
      [seq2seqInputs.keep('encoder')]: keepTensor(1, S, S, () => 1),
      [seq2seqInputs.keep('decoder')]: keepTensor(1, T, T, (_b, i, j) => (j > i ? 0 : 1)),
      [seq2seqInputs.crossKeep]: keepTensor(1, T, S, () => 1),
      ...this.dropoutFeeds([null], S, T, {}),
      ...this.plainPatchFeeds(),
      logits_rows: rowsTensor(lmHeadRows(pass.logitRows.length > 0 ? pass.logitRows : [0])),
      // The read-outs' inputs, asking for nothing (a patching pass reads neither the lens nor the heads).
      ...lensFeeds(undefined, T, d.decoderVocabSize),
      ...headsFeeds(d.encoderLayers, undefined, 0, 'encoder_'),
      ...headsFeeds(d.decoderLayers, undefined, 0, 'decoder_'),
    };
    const entry = (s: Stack, l: number, rows: Float32Array) =>
      (feeds[seq2seqInputs.patchEntry(s, l)] = new ort.Tensor('float32', rows, [rows.length / d.dModel, d.dModel]));
    pass.entries.encoder.forEach((rows, l) => entry('encoder', l, rows));
    pass.entries.decoder.forEach((rows, l) => entry('decoder', l, rows));
    if (pass.heads) {
      const { attention, masks, source } = pass.heads;
      const heads = attention === 'encoder' ? d.encoderHeads : d.decoderHeads;
      feeds[seq2seqInputs.patchHeadSource(attention)] = new ort.Tensor('int64', BigInt64Array.of(BigInt(source)), [1]);
      masks.forEach((mask, l) => {
        if (mask) feeds[seq2seqInputs.patchHeadMask(attention, l)] = headMaskTensor(mask, heads);
      });
    }
    const last = `decoder_hidden_states.${d.decoderLayers}`;
    const out = await this.session.run(feeds, [last, 'logits']);
    return { last: out[last].data as Float32Array, logits: out.logits.data as Float32Array };
  }

  private async run(
    inputs: Seq2SeqInput[],
    seeds: (number | null)[],
    settings: Seq2SeqSettings,
    wanted: WantedOutputs,
  ): Promise<Seq2SeqOutput[]> {
    const d = this.dims;
    const B = inputs.length;
    const H = d.dModel;
    const padId = d.padTokenId ?? 0;
    const enc = paddedIds(
      inputs.map((x) => x.encoderIds),
      padId,
      settings.paddedLength?.encoder,
    );
    const dec = paddedIds(
      inputs.map((x) => x.decoderIds),
      padId,
      settings.paddedLength?.decoder,
    );
    const [S, T] = [enc.T, dec.T];
    const encPad = inputs.map((x) => paddingKeep(x.encoderIds.length, S, x.encoderMask));
    const decPad = inputs.map((x) => paddingKeep(x.decoderIds.length, T, x.decoderMask));
    const encoderKeep = (b: number, _i: number, j: number) => encPad[b][j];
    const decoderKeep = (b: number, i: number, j: number) => (j > i ? 0 : decPad[b][j]);
    const feeds: Record<string, ort.Tensor> = {
      [seq2seqInputs.ids('encoder')]: enc.tensor,
      [seq2seqInputs.ids('decoder')]: dec.tensor,
      [seq2seqInputs.positions('encoder')]: rangePositions(B, S),
      [seq2seqInputs.positions('decoder')]: rangePositions(B, T),
      [seq2seqInputs.keep('encoder')]: keepTensor(B, S, S, encoderKeep),
      [seq2seqInputs.keep('decoder')]: keepTensor(B, T, T, decoderKeep),
      [seq2seqInputs.crossKeep]: keepTensor(B, T, S, encoderKeep),
    };
    Object.assign(feeds, this.dropoutFeeds(seeds, S, T, settings.rates), this.plainPatchFeeds());
    const logitsWanted = wanted.logits ?? 'last';
    const rows =
      logitsWanted === 'all'
        ? inputs.flatMap((x, b) => x.decoderIds.map((_, i) => b * T + i))
        : logitsWanted === 'last'
          ? inputs.map((x, b) => b * T + x.decoderIds.length - 1)
          : [0];
    feeds.logits_rows = rowsTensor(lmHeadRows(rows));
    const lens = wanted.lens;
    Object.assign(feeds, lensFeeds(lens, T, d.decoderVocabSize));
    const heads = wanted.heads;
    const reads = (s: Stack) => heads !== undefined && (heads.stack ?? s) === s;
    const layerIn = (s: Stack) => (reads(s) ? heads!.layer : undefined);
    Object.assign(feeds, headsFeeds(d.encoderLayers, layerIn('encoder'), B, 'encoder_'));
    Object.assign(feeds, headsFeeds(d.decoderLayers, layerIn('decoder'), B, 'decoder_'));

    const fetches = [
      ...Array.from({ length: d.encoderLayers + 1 }, (_, l) => `encoder_hidden_states.${l}`),
      ...Array.from({ length: d.decoderLayers + 1 }, (_, l) => `decoder_hidden_states.${l}`),
    ];
    const attentions = wanted.attentions === true;
    const cross = attentions || wanted.crossAttentions === true;
    if (attentions) for (let l = 0; l < d.encoderLayers; l++) fetches.push(`encoder_attentions.${l}`);
    for (let l = 0; l < d.decoderLayers; l++) {
      if (attentions) fetches.push(`decoder_attentions.${l}`);
      if (cross) fetches.push(`cross_attentions.${l}`);
    }
    if (logitsWanted !== 'none') fetches.push('logits');
    if (lens) fetches.push(...lensFetches);
    if (reads('encoder')) fetches.push(headsNames.output(heads!.layer, 'encoder_'));
    if (reads('decoder')) fetches.push(headsNames.output(heads!.layer, 'decoder_'), headsNames.cross(heads!.layer));
    const out = await this.session.run(feeds, fetches);
    const lensOf = lens ? readLens(out, lens, d.decoderLayers + 1) : null;
    const data = (name: string) => out[name].data as Float32Array;

    const V = d.decoderVocabSize;
    const layers = (n: number, f: (l: number) => Float32Array) => Array.from({ length: n }, (_, l) => f(l));
    return inputs.map((x, b) => {
      const [ls, lt] = [x.encoderIds.length, x.decoderIds.length];
      const logitRows = out.logits?.data as Float32Array | undefined;
      const first = logitsWanted === 'all' ? inputs.slice(0, b).reduce((n, y) => n + y.decoderIds.length, 0) : b;
      const lastRow = logitsWanted === 'all' ? first + lt - 1 : b;
      return {
        encoderHiddenStates: layers(d.encoderLayers + 1, (l) =>
          sliceRows(data(`encoder_hidden_states.${l}`), b, S, ls, H),
        ),
        decoderHiddenStates: layers(d.decoderLayers + 1, (l) =>
          sliceRows(data(`decoder_hidden_states.${l}`), b, T, lt, H),
        ),
        encoderAttentions: layers(attentions ? d.encoderLayers : 0, (l) =>
          sliceAttention(data(`encoder_attentions.${l}`), b, d.encoderHeads, S, S, ls, ls),
        ),
        decoderAttentions: layers(attentions ? d.decoderLayers : 0, (l) =>
          sliceAttention(data(`decoder_attentions.${l}`), b, d.decoderHeads, T, T, lt, lt),
        ),
        crossAttentions: layers(cross ? d.decoderLayers : 0, (l) =>
          sliceAttention(data(`cross_attentions.${l}`), b, d.decoderHeads, T, S, lt, ls),
        ),
        logits: logitRows && logitsWanted === 'all' ? logitRows.slice(first * V, (first + lt) * V) : null,
        lastLogits: logitRows ? logitRows.slice(lastRow * V, (lastRow + 1) * V) : null,
        lens: lensOf?.[b] ?? null,
        heads:
          heads === undefined
            ? null
            : {
                encoder: reads('encoder')
                  ? readHeads(out[headsNames.output(heads.layer, 'encoder_')], b, ls, ls)
                  : null,
                decoder: reads('decoder')
                  ? readHeads(out[headsNames.output(heads.layer, 'decoder_')], b, lt, lt)
                  : null,
                cross: reads('decoder') ? readHeads(out[headsNames.cross(heads.layer)], b, lt, ls) : null,
              },
        encoderKeep: keepRows(ls, ls, (i, j) => encoderKeep(b, i, j)),
        decoderKeep: keepRows(lt, lt, (i, j) => decoderKeep(b, i, j)),
        crossKeep: keepRows(lt, ls, (i, j) => encoderKeep(b, i, j)),
      };
    });
  }
}
