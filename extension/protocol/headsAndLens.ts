/**
 * The report's "where and why" read-outs of one model × variant, present only where asked for (`lens:`,
 * `heads:` in a `.prompt` file, `--lens`, `--heads` on the command line, or the panel's on-demand request):
 * the logit lens of the edited stream and one layer's attention heads, base and variant, aligned by token.
 * Their shapes are checked here too (reportShape.ts adds them to a measured result).
 */
import type { StackName } from './report';
import { arrayOf, boolean, fields, index, nullable, number, string, type Check } from './shape';

/** One token of a lens row: its id, its text (shown as text), its logit and probability at that layer. */
export interface LensToken {
  id: number;
  token: string;
  logit: number;
  probability: number;
}

/** The lens at one position: the variant's, and the base's at the aligned position. */
export interface LensPosition {
  variantPosition: number;
  /** The base position aligned with it (lab/compare/alignment.ts); null for a token the edit inserted. */
  basePosition: number | null;
  /** [layer 0..L][rank]: the top k of the variant's stream (layer 0 = the embeddings, L = the model's output). */
  variant: LensToken[][];
  /** The same for the base at `basePosition` (empty when it is null). */
  base: LensToken[][];
  /** The variant's prediction here: its top-1 at the last layer (the model's own). */
  prediction: LensToken;
  /** The first layer whose top-1 is that prediction (L when only the output has it). */
  firstLayer: number;
  /**
   * The layer from which the top-1 stays that prediction through the output (≥ `firstLayer`; later when it is top 1
   * early, drops out and comes back).
   */
  settledLayer: number;
  /** The base's prediction at `basePosition` and its first and settled layers; null when `basePosition` is null. */
  basePrediction: LensToken | null;
  baseFirstLayer: number | null;
  baseSettledLayer: number | null;
}

/**
 * The logit lens: the model's final norm and unembedding applied to every layer's stream (of the decoder, for
 * an encoder-decoder), at the variant's last positions (at most `LENS_MAX_POSITIONS`).
 */
export interface LogitLens {
  stack: StackName;
  k: number;
  /** Streams read: L+1, as `hidden_states`. */
  layers: number;
  positions: LensPosition[];
}

/** Positions a lens reads per input: the last ones (a prompt's own prediction is at its end). */
export const LENS_MAX_POSITIONS = 32;
/** The largest top-k a lens reports. */
export const LENS_MAX_K = 20;

/** A head's attention from positions before the first perturbed one to a perturbed one (where a leak enters). */
export interface HeadLeak {
  head: number;
  /** The largest such weight in the variant's map, and where: query (earlier) and key (perturbed), variant positions. */
  weight: number;
  query: number;
  key: number;
}

/**
 * One layer's attention, head by head, of the stack the variant edits: the maps of the base and the variant
 * (their own lengths), their difference over the token pairs the alignment pairs, and the leak heads.
 */
export interface AttentionHeads {
  stack: StackName;
  layer: number;
  heads: number;
  /** Train mode with attention dropout: the maps are after dropout (what the next product reads). */
  afterDropout: boolean;
  /** [head][query][key]. */
  base: number[][][];
  variant: number[][][];
  /**
   * The aligned pairs both sides have, as [base position, variant position]; `difference[h][i][j]` is
   * variant[h][pairs[i][1]][pairs[j][1]] − base[h][pairs[i][0]][pairs[j][0]].
   */
  pairs: number[][];
  difference: number[][][];
  /** An encoder-decoder's decoder layer: its cross-attention [head][decoder][encoder]; null otherwise. */
  cross: { base: number[][][]; variant: number[][][] } | null;
  /** Every head, largest leak first; empty when nothing was perturbed or the edit is at position 0. */
  leaks: HeadLeak[];
}

const maps = arrayOf(arrayOf(arrayOf(number)));
const lensToken = fields<LensToken>({ id: index, token: string, logit: number, probability: number });

export const logitLensShape: Check = fields<LogitLens>({
  stack: string,
  k: index,
  layers: index,
  positions: arrayOf(
    fields<LensPosition>({
      variantPosition: index,
      basePosition: nullable(index),
      variant: arrayOf(arrayOf(lensToken)),
      base: arrayOf(arrayOf(lensToken)),
      prediction: lensToken,
      firstLayer: index,
      settledLayer: index,
      basePrediction: nullable(lensToken),
      baseFirstLayer: nullable(index),
      baseSettledLayer: nullable(index),
    }),
  ),
});

export const attentionHeadsShape: Check = fields<AttentionHeads>({
  stack: string,
  layer: index,
  heads: index,
  afterDropout: boolean,
  base: maps,
  variant: maps,
  pairs: arrayOf(arrayOf(index)),
  difference: maps,
  cross: nullable(fields<NonNullable<AttentionHeads['cross']>>({ base: maps, variant: maps })),
  leaks: arrayOf(fields<HeadLeak>({ head: index, weight: number, query: index, key: index })),
});
