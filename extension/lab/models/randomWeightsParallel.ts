/**
 * Seeded random weights written by several worker threads at once. Every tensor has its own random
 * stream (keyed by seed and name), so the file is bit-identical whichever worker writes which tensor
 * and however many there are. Falls back to this thread when the worker bundle is not beside us.
 * Cancellable: an abort terminates every worker (their CPU and memory are freed at once) and rejects
 * with CancelledError once they have stopped; a failing worker stops the others too.
 */
import { closeSync, ftruncateSync, openSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ParameterSpec } from './architectures/parameters';
import { writeAll, type SafetensorsLayout } from './safetensors';
import { randomInit } from './weightSource';
import { CancelledError, throwIfCancelled } from '../cancel';
import { writeWeightsYielding } from './weightFile';
import { workerScript } from './workerScript';
import type { WorkerJob } from './weightWorker';

export interface WeightJob {
  parameter: ParameterSpec;
  offset: number;
}

export async function writeRandomWeights(
  path: string,
  table: ParameterSpec[],
  layout: SafetensorsLayout,
  seed: number,
  signal?: AbortSignal,
): Promise<void> {
  throwIfCancelled(signal);
  const script = workerScript();
  const workers = Math.min(availableParallelism(), 4);
  if (!script || workers < 2) return writeWeightsYielding(path, table, layout, randomInit(seed), signal);
  const fd = openSync(path, 'w');
  try {
    writeAll(fd, layout.headerBytes);
    const end = Math.max(...[...layout.offsets.values()].map((o) => o.begin + o.length));
    ftruncateSync(fd, end);
  } finally {
    closeSync(fd);
  }
  // Largest tensors first, each to the least-loaded worker: shares come out nearly equal.
  const shares: { load: number; jobs: WeightJob[] }[] = Array.from({ length: workers }, () => ({ load: 0, jobs: [] }));
  const bySize = [...table].sort((a, b) => layout.offsets.get(b.name)!.length - layout.offsets.get(a.name)!.length);
  for (const parameter of bySize) {
    const spot = layout.offsets.get(parameter.name)!;
    const share = shares.reduce((min, s) => (s.load < min.load ? s : min));
    share.jobs.push({ parameter, offset: spot.begin });
    share.load += spot.length;
  }
  await runWorkers(
    script,
    shares.filter((s) => s.jobs.length > 0).map((s): WorkerJob => ({ kind: 'weights', path, seed, jobs: s.jobs })),
    signal,
  );
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
