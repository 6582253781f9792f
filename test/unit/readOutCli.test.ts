/**
 * `compare --lens K --heads LAYER` in a real child process: the JSON report carries both read-outs for
 * every model that can have them, the table prints the lens and the heads compactly, and a bad value is a
 * usage error (exit 2, no stack trace).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ComparisonReport, MeasuredResult } from '../../extension/protocol/report';
import { freshDir, repoRoot } from '../helpers/paths';
import { referenceFolder } from '../helpers/hfReference';

const dir = freshDir();
const cache = freshDir();
const file = join(dir, 'lens.prompt');
writeFileSync(
  file,
  `---\nmodels:\n  - name: qwen2\n    weights: ${referenceFolder('qwen2')}\n---\nIch will ein Auto kaufen\n~ Ich will das Auto kaufen\n`,
);

function compare(args: string[]) {
  return spawnSync(process.execPath, [join(repoRoot(), 'bin', 'perturbation-lab.js'), 'compare', file, ...args], {
    encoding: 'utf8',
    env: { ...process.env, PERTURBATION_LAB_CACHE: cache, NO_COLOR: '1' },
    timeout: 120_000,
  });
}

test('compare --lens 4 --heads 0 --json carries the lens and the heads; the table prints them', () => {
  const json = compare(['--lens', '4', '--heads', '0', '--json']);
  assert.equal(json.status, 0, json.stderr);
  const report = JSON.parse(json.stdout) as ComparisonReport;
  assert.equal(report.version, 4);
  const r = report.results[0] as MeasuredResult;
  assert.equal(r.logitLens!.k, 4);
  assert.equal(r.attentionHeads!.layer, 0);
  const table = compare(['--lens', '4', '--heads', '0']);
  assert.equal(table.status, 0, table.stderr);
  const last = r.logitLens!.positions.at(-1)!;
  assert.match(table.stdout, new RegExp(`logit lens at position ${last.variantPosition} \\(top 1 of 4 per layer`));
  assert.match(table.stdout, /heads of layer 0: no head attends from an earlier position to the perturbed one/);
  const plain = compare(['--json']);
  assert.equal(plain.status, 0, plain.stderr);
  assert.equal('logitLens' in (JSON.parse(plain.stdout) as ComparisonReport).results[0], false);
});

for (const [args, message] of [
  [['--lens', '0'], /--lens takes the top k, a whole number from 1 to 20 \(got "0"\)/],
  [['--lens', 'x'], /--lens takes the top k/],
  [['--heads', '-1'], /--heads takes a layer/],
  [['--heads', '9'], /heads: 9 is past its last layer/],
] as const)
  test(`compare ${args.join(' ')} is refused with exit 2`, () => {
    const r = compare([...args]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });
