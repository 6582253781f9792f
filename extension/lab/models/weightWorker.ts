/**
 * Worker-thread entry (its own bundle, dist/weightWorker.js), for the two jobs that read or write a whole
 * model file: generating a share of a model's random parameters, each written straight to its place in the
 * safetensors file (positional writes), so a full-size model is generated on every core
 * (randomWeightsParallel.ts); and hashing a large file off the main thread (fileHash.ts).
 */
import { closeSync, openSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { randomInit } from './weightSource';
import { writeAll } from './safetensors';
import { NotARegularFileError, sha256OfFileSync } from './fileHash';
import type { WeightJob } from './randomWeightsParallel';

export type WorkerJob =
  { kind: 'weights'; path: string; seed: number; jobs: WeightJob[] } | { kind: 'hash'; path: string };

const job = workerData as WorkerJob;
switch (job.kind) {
  case 'weights': {
    const produce = randomInit(job.seed);
    const fd = openSync(job.path, 'r+');
    try {
      for (const { parameter, offset } of job.jobs) {
        const data = produce(parameter);
        writeAll(fd, new Uint8Array(data.buffer, data.byteOffset, data.byteLength), offset);
      }
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
