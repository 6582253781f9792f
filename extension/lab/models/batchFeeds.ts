/**
 * Pieces every family runner shares: opening a session, right-padding a batch, keep masks, dropout
 * masks drawn per run from a seed (the scheme of `session.ts`: one stream per site and position, so a
 * shorter input sees exactly the prefix of a longer one's mask), cutting one input's rows out of a batched
 * output, and running identical inputs once.
 */
import { dirname } from 'node:path';
import * as ort from 'onnxruntime-node';
import { fillDropoutRow, streamSeed } from './random';
import { graphWithOutputs } from './prunedGraph';

export interface RunnerOptions {
  intraOpThreads?: number;
  /**
   * ORT copies each Gemm weight into a packed layout at load. A tied embedding is also read by Gather, so
   * its packed copy is extra memory (545 MB at Qwen2.5-0.5B size: peak 2.62 GB instead of 2.10 GB), and packing
   * makes opening slow (measured 2.5–6.8 s instead of 0.7–1.5 s) for ~17 % less CPU per comparison.
   * Default: packing disabled.
   */
  prepackWeights?: boolean;
  /**
   * ORT's pool threads spin between parallel sections. On a machine the editor and other processes share,
   * the spinning takes CPU from them and, when cores are oversubscribed, from ORT's own working threads
   * (measured at Qwen2.5-0.5B size: 0.64–0.68 CPU s per comparison spinning, 0.43–0.48 s not). Default: off.
   */
  spinThreads?: boolean;
}

/**
 * Opens a built model. With `keepOutput`, the graph is trimmed in memory to the outputs it keeps (see
 * prunedGraph.ts) and its external weights are found through the model's folder; the file stays as built.
 */
export function openInferenceSession(
  onnxPath: string,
  options: RunnerOptions = {},
  keepOutput?: (name: string) => boolean,
): Promise<ort.InferenceSession> {
  const session: Record<string, string> = {
    disable_prepacking: options.prepackWeights ? '0' : '1',
    'intra_op.allow_spinning': options.spinThreads ? '1' : '0',
  };
  const sessionOptions: ort.InferenceSession.SessionOptions = {
    // 'basic' (constant folding, no fusions): loads ~2× faster than 'all', measured as fast or faster here
    // (bench/), and keeps the arithmetic exactly as the graph spells it.
    graphOptimizationLevel: 'basic',
    executionMode: 'sequential',
    intraOpNumThreads: options.intraOpThreads ?? 0,
    logSeverityLevel: 3,
    extra: { session },
  };
  if (!keepOutput) return ort.InferenceSession.create(onnxPath, sessionOptions);
  session.model_external_initializers_file_folder_path = dirname(onnxPath);
  return ort.InferenceSession.create(graphWithOutputs(onnxPath, keepOutput), sessionOptions);
}

/** ids of several inputs right-padded to the longest (or `atLeast`) ([B, T] int64); padded slots hold `padId`. */
export function paddedIds(rows: number[][], padId: number, atLeast = 0): { tensor: ort.Tensor; T: number } {
  // A loop, not Math.max(...): a spread of tens of thousands of arguments overflows the stack.
  const T = rows.reduce((n, r) => Math.max(n, r.length), atLeast);
  const data = new BigInt64Array(rows.length * T).fill(BigInt(padId));
  rows.forEach((r, b) => r.forEach((id, i) => (data[b * T + i] = BigInt(id))));
  return { tensor: new ort.Tensor('int64', data, [rows.length, T]), T };
}

/** Position ids 0..T−1 for every row: Hugging Face's plain forward uses a range, whatever the attention mask. */
export function rangePositions(B: number, T: number): ort.Tensor {
  const data = new BigInt64Array(B * T);
  for (let b = 0; b < B; b++) for (let i = 0; i < T; i++) data[b * T + i] = BigInt(i);
  return new ort.Tensor('int64', data, [B, T]);
}

/** [B, T] int64 zeros (BERT's token_type_ids, as Hugging Face defaults them). */
export function zerosInt64(B: number, T: number): ort.Tensor {
  return new ort.Tensor('int64', new BigInt64Array(B * T), [B, T]);
}

/** Indices into the flattened batch × seq rows (the rows the LM head runs on). */
export function rowsTensor(rows: number[]): ort.Tensor {
  return new ort.Tensor('int64', BigInt64Array.from(rows.map(BigInt)), [rows.length]);
}

/** A [B, 1, Tq, Tk] keep mask (1 = query i may attend to key j) from a rule per (input, query, key). */
export function keepTensor(B: number, Tq: number, Tk: number, keep: (b: number, i: number, j: number) => number) {
  const data = new Float32Array(B * Tq * Tk);
  for (let b = 0; b < B; b++)
    for (let i = 0; i < Tq; i++) for (let j = 0; j < Tk; j++) data[(b * Tq + i) * Tk + j] = keep(b, i, j);
  return new ort.Tensor('float32', data, [B, 1, Tq, Tk]);
}

/** One input's effective mask as rows (its own query and key lengths), for the report. */
export function keepRows(lenQ: number, lenK: number, keep: (i: number, j: number) => number): number[][] {
  return Array.from({ length: lenQ }, (_, i) => Array.from({ length: lenK }, (_, j) => keep(i, j)));
}

/** Hugging Face's attention_mask of one input (1 = real token), ones when not given, 0 beyond its length. */
export function paddingKeep(length: number, T: number, mask?: number[]): number[] {
  return Array.from({ length: T }, (_, j) => (j < length ? (mask?.[j] ?? 1) : 0));
}

const one = (rank: number) => new ort.Tensor('float32', Float32Array.of(1), Array<number>(rank).fill(1));

/**
 * A dropout mask [B, T, width] (kept 1/(1−p), dropped 0) for the inputs' seeds; a single broadcast 1 when
 * no input has a seed or p is 0 (eval mode, or a rate of 0: nothing to draw, nothing to allocate).
 */
export function hiddenDropout(seeds: (number | null)[], T: number, width: number, p: number, site: string) {
  if (p === 0 || seeds.every((s) => s === null)) return one(3);
  const data = new Float32Array(seeds.length * T * width);
  seeds.forEach((seed, b) => {
    for (let i = 0; i < T; i++) fillRow(data, (b * T + i) * width, width, seed, p, site, i);
  });
  return new ort.Tensor('float32', data, [seeds.length, T, width]);
}

/** A dropout mask [B, heads, Tq, Tk] on attention probabilities, one stream per head and query position. */
export function probsDropout(seeds: (number | null)[], heads: number, Tq: number, Tk: number, p: number, site: string) {
  if (p === 0 || seeds.every((s) => s === null)) return one(4);
  const data = new Float32Array(seeds.length * heads * Tq * Tk);
  seeds.forEach((seed, b) => {
    for (let h = 0; h < heads; h++)
      for (let i = 0; i < Tq; i++) fillRow(data, ((b * heads + h) * Tq + i) * Tk, Tk, seed, p, `${site}/h${h}`, i);
  });
  return new ort.Tensor('float32', data, [seeds.length, heads, Tq, Tk]);
}

function fillRow(
  out: Float32Array,
  offset: number,
  length: number,
  seed: number | null,
  p: number,
  site: string,
  i: number,
) {
  if (seed === null) out.fill(1, offset, offset + length);
  else fillDropoutRow(out, offset, length, p, streamSeed('dropout', seed, site, i));
}

/** Rows [b·T, b·T + len) of a [B·T, width] output. */
export function sliceRows(data: Float32Array, b: number, T: number, len: number, width: number): Float32Array {
  return data.slice(b * T * width, (b * T + len) * width);
}

/** Input b's [heads, lenQ, lenK] block of a [B, heads, Tq, Tk] attention output. */
export function sliceAttention(
  data: Float32Array,
  b: number,
  heads: number,
  Tq: number,
  Tk: number,
  lenQ: number,
  lenK: number,
): Float32Array {
  const out = new Float32Array(heads * lenQ * lenK);
  for (let h = 0; h < heads; h++)
    for (let i = 0; i < lenQ; i++) {
      const from = ((b * heads + h) * Tq + i) * Tk;
      out.set(data.subarray(from, from + lenK), (h * lenQ + i) * lenK);
    }
  return out;
}

/**
 * Identical inputs (same ids, masks and, when the model draws dropout, the same seed) computed once: in
 * eval mode the control run of a comparison is the base again, and computing it twice would only cost time.
 * The outputs of identical inputs share their arrays: callers read them, never write.
 */
export function uniqueInputs<T>(inputs: T[], key: (x: T) => string): { unique: T[]; source: number[] } {
  const seen = new Map<string, number>();
  const unique: T[] = [];
  const source = inputs.map((x) => {
    const k = key(x);
    let at = seen.get(k);
    if (at === undefined) {
      seen.set(k, (at = unique.length));
      unique.push(x);
    }
    return at;
  });
  return { unique, source };
}
