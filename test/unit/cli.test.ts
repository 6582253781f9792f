/**
 * The command line as a user runs it: a real child process on dist/cli.js, its exit codes
 * (0 ran, 2 bad input), its JSON report, and `states` / `export` on a small random BERT.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ComparisonReport } from '../../extension/protocol/report';
import { freshDir, repoRoot } from '../helpers/paths';
import { measured } from '../helpers/results';

const cache = freshDir();
const work = freshDir();
const TINY = [
  '--config',
  'bert-base-uncased',
  '--hidden_size',
  '32',
  '--num_hidden_layers',
  '2',
  '--num_attention_heads',
  '4',
  '--intermediate_size',
  '37',
];

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [join(repoRoot(), 'bin', 'perturbation-lab.js'), ...args], {
    cwd: work,
    encoding: 'utf8',
    env: { ...process.env, PERTURBATION_LAB_CACHE: cache, NO_COLOR: '1' },
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function promptFile(name: string, text: string): string {
  const path = join(work, name);
  writeFileSync(path, text);
  return path;
}

const tinyModels = `---
models:
  - name: tiny
    config: bert-base-uncased
    hidden_size: 32
    num_hidden_layers: 2
    num_attention_heads: 4
    intermediate_size: 37
  - name: tiny-causal
    config: bert-base-uncased
    hidden_size: 32
    num_hidden_layers: 2
    num_attention_heads: 4
    intermediate_size: 37
    is_decoder: true
mode: eval
add_special_tokens: false
---
the cat sat on the mat
~ the cat sat on the rug
`;

test('--help works on every command and exits 0; an unknown command exits 2', () => {
  for (const args of [['--help'], ['compare', '--help'], ['states', '--help'], ['export', '--help']]) {
    const r = cli(args);
    assert.equal(r.code, 0, args.join(' '));
    assert.match(r.stdout, /perturbation-lab/);
  }
  const r = cli(['frobnicate']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown command "frobnicate"/);
});

test('compare --json prints one versioned ComparisonReport with no raw tensors', () => {
  const r = cli(['compare', promptFile('tiny.prompt', tinyModels), '--json']);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as ComparisonReport;
  assert.equal(report.version, 4);
  assert.equal(report.tool, 'perturbation-lab');
  assert.deepEqual(
    report.models.map((m) => [m.name, m.mode, m.config.is_decoder ?? false]),
    [
      ['tiny', 'eval', false],
      ['tiny-causal', 'eval', true],
    ],
  );
  assert.equal(report.models[0].config.hidden_size, 32);
  assert.deepEqual(
    report.results.map((x) => x.verdict),
    ['bidirectional', 'causal'],
  );
  assert.ok(!/hidden_states|"attentions"/.test(r.stdout), 'no raw tensors in the report');
  assert.equal(measured(report.results[0]).layers.length, 3);
});

test('compare prints a table with one row per model and the explanation', () => {
  const r = cli(['compare', join(work, 'tiny.prompt')]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /tiny-causal\s+random \(seed 0\)\s+eval\s+causal\s+causal/);
  assert.match(r.stdout, /tiny\s+random \(seed 0\)\s+eval\s+bidirectional\s+bidirectional/);
  assert.match(r.stdout, /Causal: positions 0–4/);
});

test('bad input exits 2 with file:line:column and no stack trace', () => {
  const bad = promptFile('bad.prompt', tinyModels.replace('    is_decoder: true', '    n_layer: 3'));
  const r = cli(['compare', bad]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:15:5: error: .*n_layer`));
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  const missing = cli(['compare', join(work, 'nope.prompt')]);
  assert.equal(missing.code, 2);
  assert.doesNotMatch(missing.stderr, /\n\s+at /);
  assert.equal(cli(['compare']).code, 2);
  assert.equal(cli(['compare', join(work, 'tiny.prompt'), '--bogus', '1']).code, 2);
});

test('states writes every hidden state [T][H] and attention map [heads][T][T]; --ids works too', () => {
  const out = join(work, 'states.json');
  const r = cli([
    'states',
    ...TINY,
    '--mode',
    'eval',
    '--add_special_tokens',
    'false',
    '--text',
    'hello world',
    '--out',
    out,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(require('node:fs').readFileSync(out, 'utf8'));
  assert.deepEqual(s.input_ids, [7592, 2088]);
  assert.deepEqual(s.tokens, ['hello', 'world']);
  assert.equal(s.hidden_states.length, 3);
  assert.equal(s.hidden_states[0].length, 2);
  assert.equal(s.hidden_states[0][0].length, 32);
  assert.equal(s.attentions.length, 2);
  assert.deepEqual([s.attentions[0].length, s.attentions[0][0].length, s.attentions[0][0][0].length], [4, 2, 2]);
  const byIds = cli(['states', ...TINY, '--mode', 'eval', '--ids', '7592,2088']);
  assert.equal(byIds.code, 0, byIds.stderr);
  assert.deepEqual(JSON.parse(byIds.stdout).hidden_states, s.hidden_states);
  assert.equal(cli(['states', ...TINY, '--ids', '7592,99999999']).code, 2);
  assert.equal(cli(['states', ...TINY]).code, 2, 'no input');
  assert.equal(cli(['states', ...TINY, '--ids', '5,,7']).code, 2, 'an empty id');
  const tooLong = cli(['states', ...TINY, '--max_position_embeddings', '4', '--text', 'one two three four five']);
  assert.equal(tooLong.code, 2);
  assert.match(tooLong.stderr, /7 tokens long; this model has 4 positions/);
  const unwritable = cli(['states', ...TINY, '--ids', '1', '--out', join(work, 'missing-folder', 'x.json')]);
  assert.equal(unwritable.code, 2);
  assert.match(unwritable.stderr, /ENOENT/);
  assert.doesNotMatch(unwritable.stderr, /\n\s+at /);
  const wrongKey = cli(['states', ...TINY, '--n_layer', '3', '--ids', '1']);
  assert.equal(wrongKey.code, 2);
  assert.match(wrongKey.stderr, /n_layer/);
});

test('export writes a Hugging Face folder that weights: loads back to the same states', () => {
  const dir = join(work, 'exported');
  const r = cli(['export', ...TINY, '--seed', '3', '--out', dir]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(existsSync(join(dir, 'config.json')) && existsSync(join(dir, 'model.safetensors')));
  const fromSeed = cli(['states', ...TINY, '--seed', '3', '--mode', 'eval', '--ids', '101,7592,102']);
  const fromFolder = cli(['states', '--weights', dir, '--ids', '101,7592,102']);
  assert.equal(fromFolder.code, 0, fromFolder.stderr);
  assert.deepEqual(JSON.parse(fromFolder.stdout).hidden_states, JSON.parse(fromSeed.stdout).hidden_states);
});
