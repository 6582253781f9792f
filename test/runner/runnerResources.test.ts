/**
 * The runner's resource settings over a real forked process: `perturbationLab.memoryLimit` refuses a model
 * at its entry with the numbers (an input error with a range, as the Problems panel shows it), and
 * `perturbationLab.threads` far beyond the cores is clamped: the runner runs, with a handful of threads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunnerClient, type RunEvent } from '../../extension/host/runnerClient';
import type { RunnerSettings } from '../../extension/protocol/runner';
import { freshDir, repoRoot } from '../helpers/paths';
import { TINY_BERT_KEYS } from '../helpers/tinyPrompts';

const runnerPath = join(repoRoot(), 'dist', 'runner.js');
const file = join(freshDir(), 'tiny.prompt');
const text = `---
models:
  - name: tiny
${TINY_BERT_KEYS}
mode: eval
---
the cat sat on the mat
~ the cat sat on the rug
`;

function client(settings: Partial<RunnerSettings>): RunnerClient {
  return new RunnerClient({
    runnerPath,
    settings: () => ({ cacheDir: freshDir(), threads: 0, trusted: true, ...settings }),
    log: () => {},
  });
}

test(
  'a memory limit the model exceeds is an input error at its entry, with the numbers',
  { timeout: 60_000 },
  async () => {
    const c = client({ memoryLimit: 100e6 });
    try {
      const last = (await c.run({ file, text }, () => {}).finished) as Extract<RunEvent, { type: 'failed' }>;
      assert.equal(last.type, 'failed');
      assert.equal(last.error.kind, 'input');
      const [d] = last.error.diagnostics ?? [];
      assert.deepEqual(d.range.start, { line: 2, column: 4 });
      assert.equal(d.code, 'model-too-large');
      assert.match(
        d.message,
        /^tiny: .* parameters = .* float32, .* limit 100 MB \(set by `perturbationLab\.memoryLimit`: 100 MB\)/,
      );
    } finally {
      c.dispose();
    }
  },
);

test(
  'threads far beyond the cores are clamped: the run works with a handful of threads',
  { timeout: 60_000 },
  async () => {
    const c = client({ threads: 100000, cacheSizeLimit: 10e9 });
    try {
      const last = await c.run({ file, text }, () => {}).finished;
      assert.equal(last.type, 'done', JSON.stringify(last));
      const threads = Number(/Threads:\s+(\d+)/.exec(readFileSync(`/proc/${c.pid}/status`, 'utf8'))?.[1]);
      assert.ok(threads < 64, `the runner has ${threads} threads`);
    } finally {
      c.dispose();
    }
  },
);
