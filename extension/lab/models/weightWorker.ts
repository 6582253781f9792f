/**
 * Worker-thread entry: generates a share of a model's random parameters and writes each straight to
 * its place in the safetensors file (positional writes), so a full-size model is generated on every
 * core. Built as its own bundle (dist/weightWorker.js); see randomWeightsParallel.ts.
 */
import { closeSync, openSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { randomInit } from './weightSource';
import { writeAll } from './safetensors';
import type { WeightJob } from './randomWeightsParallel';

const { path, seed, jobs } = workerData as { path: string; seed: number; jobs: WeightJob[] };
const produce = randomInit(seed);
const fd = openSync(path, 'r+');
try {
  for (const job of jobs) {
    const data = produce(job.parameter);
    writeAll(fd, new Uint8Array(data.buffer, data.byteOffset, data.byteLength), job.offset);
  }
} finally {
  closeSync(fd);
}
parentPort?.postMessage('done');
