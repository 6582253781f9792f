/**
 * Seeded random weights for the family modules, written by worker threads. Every tensor is cut into
 * row chunks of about 4 M values, each with its own random stream (keyed by seed, name and first row),
 * so the file is bit-identical whatever the number of workers, and a 136 M-value embedding is shared
 * among all cores instead of keeping one busy. Normal draws use the ziggurat sampler (normalSampler.ts).
 */
import { closeSync, existsSync, ftruncateSync, openSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { InitRule } from './architectures/parameters';
import { NormalSampler } from './normalSampler';
import { streamSeed } from './random';
import { writeAll, type SafetensorsLayout } from './safetensors';

const CHUNK_VALUES = 1 << 22;

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

export function weightChunks(table: PlannedParameter[], layout: SafetensorsLayout): WeightChunk[] {
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
      new NormalSampler(streamSeed('family-weights', seed, chunk.name, chunk.rowStart)).fill(values, init.std);
      const z = init.zeroRow;
      if (z !== undefined && z >= chunk.rowStart && z < chunk.rowEnd)
        values.fill(0, (z - chunk.rowStart) * chunk.width, (z - chunk.rowStart + 1) * chunk.width);
      break;
    }
  }
  return values;
}

/** Generates and writes chunks through one reused buffer: a fresh 16 MB array per chunk costs page faults, not just memory. */
export function writeChunks(fd: number, chunks: WeightChunk[], seed: number): void {
  const largest = Math.max(0, ...chunks.map((c) => (c.rowEnd - c.rowStart) * c.width));
  const buffer = new Float32Array(largest);
  for (const chunk of chunks) {
    const data = chunkValues(chunk, seed, buffer);
    writeAll(fd, new Uint8Array(data.buffer, data.byteOffset, data.byteLength), chunk.offset);
  }
}

/** The worker bundle (dist/familyWeightWorker.js) beside the running bundle or in dist/ above it. */
function workerScript(): string | null {
  for (let dir = __dirname, i = 0; i < 5; i++, dir = dirname(dir)) {
    for (const candidate of [join(dir, 'familyWeightWorker.js'), join(dir, 'dist', 'familyWeightWorker.js')])
      if (existsSync(candidate)) return candidate;
  }
  return null;
}

export async function writeFamilyRandomWeights(
  path: string,
  table: PlannedParameter[],
  layout: SafetensorsLayout,
  seed: number,
): Promise<void> {
  const chunks = weightChunks(table, layout);
  const fd = openSync(path, 'w');
  try {
    writeAll(fd, layout.headerBytes);
    const end = Math.max(layout.dataStart, ...[...layout.offsets.values()].map((o) => o.begin + o.length));
    ftruncateSync(fd, end);
    const script = workerScript();
    const workers = Math.min(availableParallelism(), 8, Math.ceil(chunks.length / 2));
    if (!script || workers < 2) {
      writeChunks(fd, chunks, seed);
      return;
    }
    // Chunks are of nearly equal size: dealt out in turn, the shares come out even.
    const shares = Array.from({ length: workers }, (_, w) => chunks.filter((_, i) => i % workers === w));
    await Promise.all(
      shares.map(
        (share) =>
          new Promise<void>((resolve, reject) => {
            const worker = new Worker(script, { workerData: { path, seed, chunks: share } });
            worker.once('error', reject);
            worker.once('exit', (code) =>
              code === 0 ? resolve() : reject(new Error(`weight worker exited with code ${code}`)),
            );
          }),
      ),
    );
  } finally {
    closeSync(fd);
  }
}
