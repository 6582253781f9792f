/**
 * Worker-thread entry (its own bundle, dist/weightWorker.js), for the two jobs that read or write a whole
 * model file: generating a share of a model's random parameter chunks, each written straight to its place
 * in the safetensors file (positional writes), so a full-size model is generated on every core
 * (randomWeights.ts); and hashing a large file off the main thread (fileHash.ts).
 */
import { closeSync, openSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { writeChunks, type WeightChunk } from './randomWeights';
import { NotARegularFileError, sha256OfFileSync } from './fileHash';

export type WorkerJob =
  { kind: 'weights'; path: string; seed: number; chunks: WeightChunk[] } | { kind: 'hash'; path: string };

const job = workerData as WorkerJob;
switch (job.kind) {
  case 'weights': {
    const fd = openSync(job.path, 'r+');
    try {
      writeChunks(fd, job.chunks, job.seed);
    } finally {
      closeSync(fd);
    }
    parentPort?.postMessage('done');
    break;
  }
  case 'hash':
    try {
      parentPort?.postMessage({ digest: sha256OfFileSync(job.path) });
    } catch (e) {
      parentPort?.postMessage(
        e instanceof NotARegularFileError ? { notRegular: e.message } : { error: (e as Error).message },
      );
    }
    break;
  default: {
    const never: never = job;
    throw new Error(`unknown worker job ${JSON.stringify(never)}`);
  }
}
