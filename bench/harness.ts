// What the benchmark scripts share: wall and CPU seconds, medians of warm runs, one child process per model (so each
// model's peak memory is its own), and the entry every script has (`--model NAME CACHE` measures in this process,
// `--rows` prints JSON rows for `npm run bench`, no argument a markdown table).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Wall seconds since `start` (a `process.hrtime.bigint()`). */
export const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;

/** CPU seconds of this process (all threads) since `since` (a `process.cpuUsage()`). */
export const cpuSeconds = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
};

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Runs `run` once to warm up, then `times` times: what the warm-up returned, and the median wall and CPU seconds of
 * the timed runs.
 */
export async function warmMedian<T>(
  run: () => Promise<T>,
  times: number,
): Promise<{ first: T; seconds: number; cpu: number }> {
  const first = await run();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < times; i++) {
    const c = process.cpuUsage();
    const start = process.hrtime.bigint();
    await run();
    wall.push(seconds(start));
    cpu.push(cpuSeconds(c));
  }
  return { first, seconds: median(wall), cpu: median(cpu) };
}

/** The peak resident memory of this process so far, in MB. */
export const peakMb = () => process.resourceUsage().maxRSS / 1024;

/**
 * Measures each model in a child process of `script` (`--model NAME CACHE`, one cache folder for all, removed
 * after) and turns each JSON line a child prints into a table row.
 */
export function childRows<L>(
  script: string,
  models: readonly string[],
  cachePrefix: string,
  row: (model: string, line: L) => string[],
): string[][] {
  const cache = mkdtempSync(join(tmpdir(), cachePrefix));
  const out: string[][] = [];
  try {
    for (const model of models) {
      const r = spawnSync(process.execPath, [script, '--model', model, cache], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(r.stderr);
      for (const line of r.stdout.trim().split('\n')) out.push(row(model, JSON.parse(line) as L));
    }
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
  return out;
}

/** The entry of a benchmark script: measure one model, print JSON rows, or print a markdown table. */
export function benchMain(measure: (model: string, cacheDir: string) => Promise<void>, rows: () => string[][]): void {
  const args = process.argv.slice(2);
  if (args[0] === '--model') void measure(args[1], args[2]);
  else if (args[0] === '--rows') for (const r of rows()) console.log(JSON.stringify(r));
  else {
    console.log('| measurement | time | peak memory | versus |\n|---|---|---|---|');
    for (const r of rows()) console.log(`| ${r.join(' | ')} |`);
  }
}
