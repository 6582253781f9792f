/**
 * The resource plan as a user meets it on the command line (a real child process on dist/cli.js):
 * models that cannot fit are input errors at their entry, naming the key and the numbers, with nothing
 * built or written; threads are clamped to the cores; the cache stays under its limit while a file with
 * many distinct models runs; bad limits are usage errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { ComparisonReport } from '../../extension/protocol/report';
import { scanCache } from '../../extension/lab/models/cacheEviction';
import { freshDir, repoRoot } from '../helpers/paths';
import { TINY_GPT2_KEYS } from '../helpers/tinyPrompts';

const work = freshDir();

function cli(args: string[], cache: string, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [join(repoRoot(), 'bin', 'perturbation-lab.js'), ...args], {
    cwd: work,
    encoding: 'utf8',
    env: { ...process.env, PERTURBATION_LAB_CACHE: cache, NO_COLOR: '1', ...env },
    // Before the plan existed these ran for minutes and grew past 6 GB: fail instead of waiting.
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function promptFile(name: string, entry: string): string {
  const path = join(work, name);
  writeFileSync(path, `---\nmodels:\n  - name: m\n${entry}\nmode: eval\n---\nhello world\n~ hello there\n`);
  return path;
}

const written = (cache: string) => (existsSync(cache) ? readdirSync(cache, { recursive: true }) : []);

test('a model too large for the memory limit is an input error at its entry, with nothing built or written', () => {
  const cache = freshDir();
  const file = promptFile(
    'wide.prompt',
    '    config: bert-base-uncased\n    hidden_size: 65536\n    num_attention_heads: 16',
  );
  const r = cli(['compare', file], cache);
  assert.equal(r.code, 2, r.stderr);
  assert.match(
    r.stderr,
    // The tightest bound is named: the default limit, or what is available now on a busy machine.
    /wide\.prompt:3:5: error: m: `hidden_size: 65536` → 217 B parameters = 869 GB float32, .* (limit .* \(75 % of this machine's .*; --memory-limit or \$PERTURBATION_LAB_MEMORY_LIMIT sets another\)|only .* of memory is available now)/,
  );
  assert.doesNotMatch(r.stderr, /internal error|at .*\.js/);
  assert.deepEqual(written(cache), [], 'no model, no temporary file, no tokenizer');
});

test('absurd sizes that overflowed typed arrays or the stack are input errors naming their key', () => {
  for (const [name, entry, key] of [
    ['vocab', '    config: gpt2\n    vocab_size: 3000000000', '`vocab_size: 3000000000`'],
    ['positions', '    config: gpt2\n    n_positions: 1000000000', '`n_positions: 1000000000`'],
    ['inner', '    config: bert-base-uncased\n    intermediate_size: 3000000000', '`intermediate_size: 3000000000`'],
    ['layers', '    config: gpt2\n    n_layer: 100000', '`n_layer: 100000`'],
    [
      'deep',
      '    config: gpt2\n    n_layer: 100000\n    n_embd: 8\n    n_head: 2',
      '`n_layer: 100000` → 100000 layers',
    ],
  ]) {
    const cache = freshDir();
    const r = cli(['compare', promptFile(`${name}.prompt`, entry)], cache);
    assert.equal(r.code, 2, `${name}: ${r.stderr}`);
    assert.ok(r.stderr.includes(key), `${name}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`${name}\\.prompt:3:5: error: `));
    assert.deepEqual(written(cache), [], name);
  }
});

test('states and export refuse the same way, from the command line', () => {
  const cache = freshDir();
  const r = cli(['states', '--config', 'gpt2', '--n_embd', '65536', '--n_head', '16', '--text', 'hi'], cache);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /^<command line>: error: gpt2: `n_embd: 65536` → .* parameters = .* float32/);
  const e = cli(['export', '--config', 'gpt2', '--vocab_size', '3000000000', '--out', join(work, 'out')], cache);
  assert.equal(e.code, 2, e.stderr);
  assert.match(e.stderr, /`vocab_size: 3000000000`/);
  assert.deepEqual(written(cache), []);
  assert.ok(!existsSync(join(work, 'out')));
});

test('states refuses an output larger than one JSON text can hold, before building anything', () => {
  const cache = freshDir();
  const ids = Array.from({ length: 1000 }, (_, i) => String(1000 + i)).join(',');
  const r = cli(['states', '--config', 'gpt2', '--ids', ids], cache);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /the states of a 1000-token input are 204 M numbers, more than one JSON text holds/);
  assert.ok(!existsSync(join(cache, 'models')), 'no model built');
});

test('--threads beyond the cores is clamped with a note, and the run works', () => {
  const r = cli(['compare', promptFile('tiny.prompt', TINY_GPT2_KEYS), '--threads', '100000', '--json'], freshDir());
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stderr,
    new RegExp(
      `--threads 100000 is more than this machine's ${availableParallelism()} cores; using ${availableParallelism()}`,
    ),
  );
  assert.equal((JSON.parse(r.stdout) as ComparisonReport).results.length, 1);
});

test('limits that are not sizes are usage errors; a limit the model exceeds names it', () => {
  const file = promptFile('tiny.prompt', TINY_GPT2_KEYS);
  const bad = cli(['compare', file, '--memory-limit', '18 parsecs'], freshDir());
  assert.equal(bad.code, 2);
  assert.match(
    bad.stderr,
    /--memory-limit takes a size such as `18GB`, `500MB`, `1.5GiB` or a number of bytes, not "18 parsecs"/,
  );
  const env = cli(['compare', file], freshDir(), { PERTURBATION_LAB_CACHE_LIMIT: 'lots' });
  assert.equal(env.code, 2);
  assert.match(env.stderr, /\$PERTURBATION_LAB_CACHE_LIMIT takes a size/);
  const low = cli(['compare', file, '--memory-limit', '100MB'], freshDir());
  assert.equal(low.code, 2);
  assert.match(low.stderr, /tiny\.prompt:3:5: error: m: .* limit 100 MB \(set by --memory-limit 100MB\)/);
  const small = cli(['compare', file], freshDir(), { PERTURBATION_LAB_CACHE_LIMIT: '10kB' });
  assert.equal(small.code, 2);
  assert.match(small.stderr, /in the model cache; cache limit 10 kB \(set by \$PERTURBATION_LAB_CACHE_LIMIT 10kB\)/);
});

test(
  'many models with distinct seeds run to the end and the cache stays under its limit (least recently used go)',
  { timeout: 120_000 },
  () => {
    const cache = freshDir();
    const entries = Array.from({ length: 8 }, (_, i) => `  - name: m${i}\n${TINY_GPT2_KEYS}\n    seed: ${i}`).join(
      '\n',
    );
    const file = join(work, 'seeds.prompt');
    writeFileSync(file, `---\nmodels:\n${entries}\nmode: eval\n---\nhello world\n~ hello there\n`);
    // One entry (GPT-2's full vocabulary × 32) is about 6.7 MB: room for two.
    const r = cli(['compare', file, '--cache-limit', '16MB', '--json'], cache);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as ComparisonReport).results.length, 8);
    const scan = scanCache(cache);
    assert.ok(scan.totalBytes <= 16e6, `the cache holds ${scan.totalBytes} bytes`);
    assert.ok(scan.entries.length >= 2 && scan.entries.length < 8, `${scan.entries.length} entries kept`);
    // The newest models stayed, the oldest went.
    const again = cli(['compare', file, '--cache-limit', '16MB', '--json'], cache);
    assert.equal(again.code, 0, again.stderr);
    assert.ok(scanCache(cache).totalBytes <= 16e6);
  },
);
