/**
 * Seeded random weights written by several worker threads at once. Every tensor has its own random
 * stream (keyed by seed and name), so the file is bit-identical whichever worker writes which tensor
 * and however many there are. Falls back to this thread when the worker bundle is not beside us.
 */
import { closeSync, existsSync, ftruncateSync, openSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ParameterSpec } from './architectures/parameters';
import { writeAll, writeSafetensors, type SafetensorsLayout } from './safetensors';
import { randomInit } from './weightSource';

export interface WeightJob {
  parameter: ParameterSpec;
  offset: number;
}

/** The worker bundle: beside the running bundle (dist/), or dist/ of the checkout for bundled tests (out/test/…). */
function workerScript(): string | null {
  const candidates = [join(__dirname, 'weightWorker.js'), join(__dirname, '..', '..', '..', 'dist', 'weightWorker.js')];
  return candidates.find((p) => existsSync(p)) ?? null;
}

export async function writeRandomWeights(
  path: string,
  table: ParameterSpec[],
  layout: SafetensorsLayout,
  seed: number,
): Promise<void> {
  const script = workerScript();
  const workers = Math.min(availableParallelism(), 4);
  if (!script || workers < 2) {
    writeSafetensors(path, table, layout, randomInit(seed));
    return;
  }
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
  await Promise.all(
    shares
      .filter((s) => s.jobs.length > 0)
      .map(
        (s) =>
          new Promise<void>((resolve, reject) => {
            const worker = new Worker(script, { workerData: { path, seed, jobs: s.jobs } });
            worker.once('error', reject);
            worker.once('exit', (code) =>
              code === 0 ? resolve() : reject(new Error(`weight worker exited with code ${code}`)),
            );
          }),
      ),
  );
}
