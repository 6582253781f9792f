/**
 * Seeded random weights, written by worker threads. Every tensor is cut into row chunks of about 4 M
 * values, each with its own random stream (keyed by seed, name and first row), so the file is
 * bit-identical whatever the number of workers and whichever writes which chunk, and a 136 M-value
 * embedding is shared among all cores instead of keeping one busy. Normal draws use the ziggurat sampler
 * (normalSampler.ts, ~5× the polar method). Each worker writes its chunks straight to their place in the
 * safetensors file and holds one chunk at a time.
 * Cancellable: an abort terminates every worker (their CPU and memory are freed at once) and rejects with
 * CancelledError once they have stopped; a failing worker stops the others too. Without the worker bundle
 * the chunks are written on this thread, letting events (a cancel) through between two chunks.
 */
import { closeSync, ftruncateSync, openSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { InitRule } from './blocks/parameters';
import { NormalSampler } from './normalSampler';
import { streamSeed } from './random';
import { writeAll, type SafetensorsLayout } from './safetensors';
import { CancelledError, throwIfCancelled, yieldToEvents } from '../cancel';
import { workerScript } from './workerScript';
import type { WorkerJob } from './weightWorker';

/** Values per chunk (16 MB of float32): what one worker holds at a time. */
export const CHUNK_VALUES = 1 << 22;
/** Worker threads at most: beyond this the disk, not the draws, is the limit. */
export const MAX_WEIGHT_WORKERS = 8;

export interface WeightChunk {
  name: string;
  init: InitRule;
  /** Row width (1 for vectors) and the chunk's rows [rowStart, rowEnd). */
  width: number;
  rowStart: number;
  rowEnd: number;
  /** Absolute byte offset of the chunk in the file. */
  offset: number;
}

export interface PlannedParameter {
  name: string;
  shape: number[];
  init: InitRule;
}

export function weightChunks(table: readonly PlannedParameter[], layout: SafetensorsLayout): WeightChunk[] {
  const chunks: WeightChunk[] = [];
  for (const p of table) {
    const rows = p.shape.length > 1 ? p.shape[0] : 1;
    const width = p.shape.reduce((a, b) => a * b, 1) / rows;
    const step = Math.max(1, Math.floor(CHUNK_VALUES / width));
    const begin = layout.offsets.get(p.name)!.begin;
    for (let r = 0; r < rows; r += step) {
      const rowEnd = Math.min(rows, r + step);
      chunks.push({ name: p.name, init: p.init, width, rowStart: r, rowEnd, offset: begin + r * width * 4 });
    }
  }
  return chunks;
}

/** The values of one chunk under its init rule, written into `out` (a fresh array when not given). */
export function chunkValues(chunk: WeightChunk, seed: number, out?: Float32Array): Float32Array {
  const length = (chunk.rowEnd - chunk.rowStart) * chunk.width;
  const values = out ? out.subarray(0, length) : new Float32Array(length);
  const init = chunk.init;
  switch (init.kind) {
    case 'ones':
      values.fill(1);
      break;
    case 'zeros':
      values.fill(0);
      break;
    case 'normal': {
      new NormalSampler(streamSeed('weights', seed, chunk.name, chunk.rowStart)).fill(values, init.std);
      const z = init.zeroRow;
      if (z !== undefined && z >= chunk.rowStart && z < chunk.rowEnd)
        values.fill(0, (z - chunk.rowStart) * chunk.width, (z - chunk.rowStart + 1) * chunk.width);
      break;
    }
  }
  return values;
}

/** A whole parameter under its init rule (an optional tensor a checkpoint lacks starts so, as in Hugging Face). */
export function initialValues(p: PlannedParameter, seed: number): Float32Array {
  const rows = p.shape.length > 1 ? p.shape[0] : 1;
  const width = p.shape.reduce((a, b) => a * b, 1) / rows;
  return chunkValues({ name: p.name, init: p.init, width, rowStart: 0, rowEnd: rows, offset: 0 }, seed);
}

/** Generates and writes chunks through one reused buffer: a fresh 16 MB array per chunk costs page faults, not just memory. */
export function writeChunks(fd: number, chunks: readonly WeightChunk[], seed: number): void {
  const largest = Math.max(0, ...chunks.map((c) => (c.rowEnd - c.rowStart) * c.width));
  const buffer = new Float32Array(largest);
  for (const chunk of chunks) {
    const data = chunkValues(chunk, seed, buffer);
    writeAll(fd, new Uint8Array(data.buffer, data.byteOffset, data.byteLength), chunk.offset);
  }
}

/** How many workers a table gets: one per core, at most MAX_WEIGHT_WORKERS, at least two chunks each. */
export function weightWorkerCount(chunkCount: number, cores = availableParallelism()): number {
  return Math.max(1, Math.min(cores, MAX_WEIGHT_WORKERS, Math.ceil(chunkCount / 2)));
}

export async function writeRandomWeights(
  path: string,
  table: readonly PlannedParameter[],
  layout: SafetensorsLayout,
  seed: number,
  signal?: AbortSignal,
): Promise<void> {
  throwIfCancelled(signal);
  const chunks = weightChunks(table, layout);
  const fd = openSync(path, 'w');
  try {
    writeAll(fd, layout.headerBytes);
    const end = Math.max(layout.dataStart, ...[...layout.offsets.values()].map((o) => o.begin + o.length));
    ftruncateSync(fd, end);
    const script = workerScript();
    const workers = weightWorkerCount(chunks.length);
    if (!script || workers < 2) {
      for (const chunk of chunks) {
        throwIfCancelled(signal);
        writeChunks(fd, [chunk], seed);
        await yieldToEvents();
      }
      return;
    }
    // Chunks are of nearly equal size: dealt out in turn, the shares come out even.
    const shares = Array.from({ length: workers }, (_, w) => chunks.filter((_, i) => i % workers === w));
    await runWorkers(
      script,
      shares.map((share) => ({ kind: 'weights' as const, path, seed, chunks: share })),
      signal,
    );
  } finally {
    closeSync(fd);
  }
}

/** Runs one worker per share; resolves when all exit cleanly, rejects (after stopping the rest) on the first failure or an abort. */
function runWorkers(script: string, shares: WorkerJob[], signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const running = new Set<Worker>();
    let settled = false;
    const stopAll = (error: Error) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      void Promise.all([...running].map((w) => w.terminate())).then(() => reject(error));
    };
    const onAbort = () => stopAll(new CancelledError());
    signal?.addEventListener('abort', onAbort, { once: true });
    for (const workerData of shares) {
      const worker = new Worker(script, { workerData });
      running.add(worker);
      worker.once('error', (e) => stopAll(e));
      worker.once('exit', (code) => {
        running.delete(worker);
        if (settled) return;
        if (code !== 0) stopAll(new Error(`weight worker exited with code ${code}`));
        else if (running.size === 0) {
          settled = true;
          signal?.removeEventListener('abort', onAbort);
          resolve();
        }
      });
    }
  });
}
