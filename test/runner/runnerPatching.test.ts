/**
 * Activation patching over the real forked runner (dist/runner.js) and the host's RunnerClient: the grid of a
 * result streams in `patching` events after that result, rows growing pass by pass, and the finished grid is
 * the result's `patching` in `done`'s report; a cancel between two passes ends the run (cancelled) and the
 * runner stays usable.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { RunnerClient, type RunEvent } from '../../extension/host/runnerClient';
import { freshDir, repoRoot } from '../helpers/paths';
import { measured } from '../helpers/results';

const runnerPath = join(repoRoot(), 'dist', 'runner.js');
const cacheDir = freshDir();
const file = join(freshDir(), 'patch.prompt');

// 6 blocks × 17 positions = 102 cells: more than one pass holds (64 inputs per pass at most), so rows stream.
const TEXT = `---
models:
  - name: tiny
    config: bert-base-uncased
    hidden_size: 32
    num_hidden_layers: 6
    num_attention_heads: 4
    intermediate_size: 37
mode: eval
patch: residual
add_special_tokens: false
---
the cat sat on the mat and the dog sat on the rug while the bird sang
~ the cat sat on the mat and the dog lay on the rug while the bird sang
`;

// Ten such cases: a cancel sent at the first grid arrives long before the last.
const MANY = TEXT.replace(/\n(the cat[^\n]*\n~[^\n]*\n)$/, (_, c: string) => '\n' + Array(10).fill(c).join('\n'));

const client = () =>
  new RunnerClient({ runnerPath, settings: () => ({ cacheDir, threads: 1, trusted: true }), log: () => {} });
type PatchingEvent = Extract<RunEvent, { type: 'patching' }>;

test(
  'a patching grid streams after its result, rows growing, and ends as the result’s patching',
  { timeout: 90_000 },
  async () => {
    const c = client();
    try {
      const events: RunEvent[] = [];
      const handle = c.run({ file, text: TEXT }, (e) => events.push(e));
      const last = await handle.finished;
      assert.equal(last.type, 'done', JSON.stringify(last));
      const types = events.map((e) => e.type);
      const resultAt = types.indexOf('result');
      const grids = events.filter((e): e is PatchingEvent => e.type === 'patching');
      assert.ok(grids.length >= 2, `${grids.length} patching events`);
      assert.ok(types.indexOf('patching') > resultAt, 'the comparison comes first, then its grid');
      for (const g of grids) assert.deepEqual(g.ref, { model: 'tiny', caseIndex: 0, variantIndex: 0 });
      const counts = grids.map((g) => g.patching.rows.length);
      assert.ok(
        counts.every((n, i) => i === 0 || n > counts[i - 1]),
        `rows grow: ${counts}`,
      );
      assert.ok(counts[0] < 6, 'the first event holds part of the grid');
      assert.equal(counts.at(-1), 6);
      const done = last as Extract<RunEvent, { type: 'done' }>;
      const grid = measured(done.report.results[0]).patching;
      assert.deepEqual(grid, grids.at(-1)!.patching);
      // The result event itself was sent before any patching: it has none.
      const sent = events[resultAt] as Extract<RunEvent, { type: 'result' }>;
      assert.equal(measured(sent.result).patching, undefined);
    } finally {
      c.dispose();
    }
  },
);

test('cancel between patching passes ends the run; the runner stays usable', { timeout: 90_000 }, async () => {
  const c = client();
  try {
    const events: RunEvent[] = [];
    const handle = c.run({ file, text: MANY }, (e) => {
      events.push(e);
      if (e.type === 'patching') handle.cancel();
    });
    const last = await handle.finished;
    assert.equal(last.type, 'failed');
    assert.equal((last as Extract<RunEvent, { type: 'failed' }>).error.kind, 'cancelled');
    const grids = events.filter((e): e is PatchingEvent => e.type === 'patching');
    const results = events.filter((e) => e.type === 'result').length;
    assert.ok(results >= 1 && results < 10, `${results} of 10 results before the cancel took effect`);
    assert.ok(grids.length < 20, `${grids.length} grid updates before the cancel took effect`);
    const again = c.run({ file, text: TEXT }, () => {});
    assert.equal((await again.finished).type, 'done');
  } finally {
    c.dispose();
  }
});
