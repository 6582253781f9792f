/**
 * Worker-thread entry: generates a share of a family model's random weight chunks and writes each to
 * its place in the safetensors file. Built as its own bundle (dist/familyWeightWorker.js); see familyWeights.ts.
 */
import { closeSync, openSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { writeChunks, type WeightChunk } from './familyWeights';

const { path, seed, chunks } = workerData as { path: string; seed: number; chunks: WeightChunk[] };
const fd = openSync(path, 'r+');
try {
  writeChunks(fd, chunks, seed);
} finally {
  closeSync(fd);
}
parentPort?.postMessage('done');
