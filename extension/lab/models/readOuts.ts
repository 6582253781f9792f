/**
 * Feeding and reading the graph's optional read-outs (blocks/lens.ts) for both sessions: the logit lens on
 * the positions asked for, and one layer's attention maps. Nothing asked = zero rows fed, nothing computed.
 */
import type * as ort from 'onnxruntime-node';
import { rowsTensor, sliceAttention } from './batchFeeds';
import { headsNames, lensInputs, lensOutputs } from './blocks/lens';

/** The lens of one input: for each layer 0..L (embeddings first) and each position asked, the top k. */
export interface LensReadout {
  /** The positions read, in the order asked. */
  positions: number[];
  k: number;
  /** Streams read: L+1 (the last is the model's own output, whose lens is its logits). */
  layers: number;
  /** [layer][position][rank] flattened: the token ids, best first. */
  ids: Int32Array;
  /** The logits of those ids, same layout. */
  logits: Float32Array;
  /** [layer][position]: log Σ exp(logits) over the whole vocabulary (probability = exp(logit − logSumExp)). */
  logSumExp: Float32Array;
}

export interface LensRequest {
  /** Per input of the call, the positions to read (empty: none). */
  positions: number[][];
  k: number;
}

/**
 * Rows fed to `lens_rows`: input b's positions as flat batch × seq indices. A single row is doubled, as
 * `lmHeadRows` does for the logits: onnxruntime multiplies one row by another kernel that rounds differently.
 */
export function lensFeeds(request: LensRequest | undefined, T: number, vocab: number): Record<string, ort.Tensor> {
  const rows = (request?.positions ?? []).flatMap((ps, b) => ps.map((p) => b * T + p));
  const fed = rows.length === 1 ? [rows[0], rows[0]] : rows;
  const k = Math.max(1, Math.min(request?.k ?? 1, vocab));
  return { [lensInputs.rows]: rowsTensor(fed), [lensInputs.k]: rowsTensor([k]) };
}

export const lensFetches = Object.values(lensOutputs);

/** Splits the lens outputs into one readout per input (null for inputs with no position asked). */
export function readLens(
  out: ort.InferenceSession.ReturnType,
  request: LensRequest,
  layers: number,
): (LensReadout | null)[] {
  const values = out[lensOutputs.values].data as Float32Array;
  const ids = out[lensOutputs.ids].data as BigInt64Array;
  const sums = out[lensOutputs.logSumExp].data as Float32Array;
  const n = out[lensOutputs.logSumExp].dims[0] / layers;
  const k = out[lensOutputs.values].dims[1];
  let offset = 0;
  return request.positions.map((positions) => {
    const first = offset;
    offset += positions.length;
    if (positions.length === 0) return null;
    const P = positions.length;
    const readout: LensReadout = {
      positions: [...positions],
      k,
      layers,
      ids: new Int32Array(layers * P * k),
      logits: new Float32Array(layers * P * k),
      logSumExp: new Float32Array(layers * P),
    };
    for (let l = 0; l < layers; l++)
      for (let p = 0; p < P; p++) {
        const row = l * n + first + p;
        readout.logSumExp[l * P + p] = sums[row];
        for (let r = 0; r < k; r++) {
          readout.ids[(l * P + p) * k + r] = Number(ids[row * k + r]);
          readout.logits[(l * P + p) * k + r] = values[row * k + r];
        }
      }
    return readout;
  });
}

/** Feeds every layer's pick input: every input of the call at `layer`, none elsewhere. */
export function headsFeeds(
  layers: number,
  layer: number | undefined,
  batch: number,
  prefix = '',
): Record<string, ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = {};
  const all = Array.from({ length: batch }, (_, b) => b);
  for (let l = 0; l < layers; l++) feeds[headsNames.pick(l, prefix)] = rowsTensor(l === layer ? all : []);
  return feeds;
}

/** Input b's maps [heads, lenQ, lenK] from a picked output [batch, heads, Tq, Tk]. */
export function readHeads(tensor: ort.Tensor, b: number, lenQ: number, lenK: number): Float32Array {
  const [, heads, Tq, Tk] = tensor.dims;
  return sliceAttention(tensor.data as Float32Array, b, heads, Tq, Tk, lenQ, lenK);
}

/**
 * The lens request of the distinct inputs a session runs (`source[i]`: the distinct input of input i):
 * identical inputs run once, so each reads the positions any of its copies asked for.
 */
export function lensOfUnique(
  request: LensRequest | undefined,
  source: number[],
  unique: number,
): LensRequest | undefined {
  if (!request) return undefined;
  const positions: number[][] = Array.from({ length: unique }, () => []);
  source.forEach((u, i) => {
    if (request.positions[i].length > positions[u].length) positions[u] = request.positions[i];
  });
  return { k: request.k, positions };
}
