/** The worker-thread bundle (weights and hashes): beside the running bundle (dist/), or dist/ of the checkout. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export function workerScript(): string | null {
  const candidates = [
    join(__dirname, 'weightWorker.js'),
    join(__dirname, '..', '..', '..', 'dist', 'weightWorker.js'), // bundled tests: out/test/<dir>/
    join(__dirname, '..', '..', 'dist', 'weightWorker.js'), // bundled benchmarks: out/bench/
  ];
  return candidates.find((p) => existsSync(p)) ?? null;
}
