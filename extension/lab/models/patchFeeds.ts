/**
 * The activation-patching inputs of a single-stack graph (`blocks/singleStack.ts` `patchInputs`): per block
 * the rows entering there (`patch.entry.l`) and the per-head mask (`patch.head_mask.l`), and the row whose
 * head contexts masked heads take (`patch.head_source`). A plain run feeds no entry rows and a broadcast
 * `false` mask, which leaves every number as it was without the inputs. (An encoder-decoder feeds its own inputs
 * in `bart/session.ts`, with these head masks.)
 */
import * as ort from 'onnxruntime-node';
import { patchInputs } from './blocks/singleStack';

export interface PatchFeeds {
  /** Per block l, the rows entering there: rows × T × H floats, row-major (empty when none enters). */
  entries: Float32Array[];
  /**
   * Per block l, the heads to patch of every row present there ([rows at l] × heads, 1 = take the source row's
   * context), or null for no head patching. Rows at block l: the plain inputs, then the entry rows of blocks 0..l.
   */
  headMasks: (Uint8Array | null)[] | null;
  /** The batch row (a plain input) whose per-head contexts the masked heads take. */
  headSource: number;
  /** Rows of the flattened last hidden state the LM head runs on. */
  logitRows: number[];
}

/** A head mask that patches nothing: a broadcast `false`, which selects every context untouched, bit for bit. */
export const noHeads = () => new ort.Tensor('bool', new Uint8Array(1), [1, 1, 1, 1]);

/** A head mask of rows × heads (1 = patch that row's head), shaped to broadcast over [rows, heads, T, d]. */
export const headMaskTensor = (mask: Uint8Array, heads: number) =>
  new ort.Tensor('bool', mask, [mask.length / heads, heads, 1, 1]);

/** What a plain run feeds: nothing enters, no head is patched. */
export function plainPatchFeeds(layers: number, hiddenSize: number): Record<string, ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = {
    [patchInputs.headSource]: new ort.Tensor('int64', new BigInt64Array(1), [1]),
  };
  for (let l = 0; l < layers; l++) {
    feeds[patchInputs.entry(l)] = new ort.Tensor('float32', new Float32Array(0), [0, hiddenSize]);
    feeds[patchInputs.headMask(l)] = noHeads();
  }
  return feeds;
}

export function patchFeeds(
  patch: PatchFeeds,
  hiddenSize: number,
  T: number,
  heads: number,
): Record<string, ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = {
    [patchInputs.headSource]: new ort.Tensor('int64', BigInt64Array.of(BigInt(patch.headSource)), [1]),
  };
  patch.entries.forEach((rows, l) => {
    if (rows.length % (T * hiddenSize) !== 0) throw new Error(`internal: entry rows of block ${l} are not whole`);
    feeds[patchInputs.entry(l)] = new ort.Tensor('float32', rows, [rows.length / hiddenSize, hiddenSize]);
    const mask = patch.headMasks?.[l] ?? null;
    feeds[patchInputs.headMask(l)] = mask === null ? noHeads() : headMaskTensor(mask, heads);
  });
  return feeds;
}
