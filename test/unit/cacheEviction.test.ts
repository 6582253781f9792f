/**
 * The model cache under its size limit: least recently used entries go first; an entry with a lease of a
 * living process (this one, another one) is never removed; leases of dead processes and folders they left
 * mid-eviction are cleaned up; a ModelStore closes its own idle sessions to make room and refuses, with
 * the numbers, when every entry is in use. Real folders, real processes, real builds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { evictEntry, leaseEntry, makeRoom, scanCache, touchEntry } from '../../extension/lab/models/cacheEviction';
import { ModelStore } from '../../extension/lab/models/modelStore';
import { cacheKey } from '../../extension/lab/models/modelCache';
import { estimateModel, PROCESS_BASELINE_BYTES, readMachineMemory, resolveLimits } from '../../extension/lab/resources';
import { dimsOf } from '../../extension/lab/config';
import { freshDir } from '../helpers/paths';
import { tinySpec } from '../helpers/specs';

const MB = 1e6;

/** A cache with complete entries of 1 MB each, used in the given order (first = least recently). */
function fakeCache(keys: string[]): string {
  const cacheDir = freshDir('plab-evict-');
  keys.forEach((key, i) => {
    const dir = join(cacheDir, 'models', key);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'model.safetensors'), Buffer.alloc(MB, 1));
    writeFileSync(join(dir, 'meta.json'), '{}');
    touchEntry(cacheDir, key);
    const when = new Date(Date.now() - (keys.length - i) * 60_000);
    utimesSync(join(cacheDir, 'models', '.last-used', key), when, when);
  });
  return cacheDir;
}

const present = (cacheDir: string) =>
  readdirSync(join(cacheDir, 'models'))
    .filter((n) => !n.startsWith('.'))
    .sort();

test('least recently used entries go first, only as many as needed', () => {
  const cacheDir = fakeCache(['a', 'b', 'c', 'd']);
  const before = scanCache(cacheDir);
  assert.equal(before.entries.length, 4);
  const entry = before.entries[0].bytes;
  // Room for one more entry under a limit of four: one must go, the oldest.
  const r = makeRoom(cacheDir, entry, 4 * entry + 1000);
  assert.deepEqual(
    r.evicted.map((e) => e.key),
    ['a'],
  );
  assert.deepEqual(present(cacheDir), ['b', 'c', 'd']);
  // Using `b` makes it the newest: the next eviction takes `c`.
  touchEntry(cacheDir, 'b');
  makeRoom(cacheDir, 2 * entry, 4 * entry + 1000);
  assert.deepEqual(present(cacheDir), ['b', 'd']);
});

test('an entry in use by this process or another living one is never evicted; dead leases are ignored', async () => {
  const cacheDir = fakeCache(['a', 'b', 'c']);
  const release = leaseEntry(cacheDir, 'a');
  const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  try {
    writeFileSync(join(cacheDir, 'models', '.leases', `b@${other.pid}@test`), '');
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(join(cacheDir, 'models', '.leases', `c@${dead.stdout}@test`), '');
    const scan = scanCache(cacheDir);
    assert.deepEqual(
      scan.entries.map((e) => [e.key, e.inUse]),
      [
        ['a', true],
        ['b', true],
        ['c', false],
      ],
    );
    assert.ok(!existsSync(join(cacheDir, 'models', '.leases', `c@${dead.stdout}@test`)), 'the dead lease is removed');
    // Everything must go to make this room; only `c` may.
    makeRoom(cacheDir, 100 * MB, 1);
    assert.deepEqual(present(cacheDir), ['a', 'b']);
    assert.equal(evictEntry(cacheDir, scan.entries[0]), false, 'evicting a leased entry directly refuses too');
    release();
    makeRoom(cacheDir, 100 * MB, 1);
    assert.deepEqual(present(cacheDir), ['b']);
  } finally {
    other.kill();
    release();
  }
});

test("builds in progress and damaged entries count toward the size but are never evicted; a dead evictor's leftovers go", () => {
  const cacheDir = fakeCache(['a']);
  const models = join(cacheDir, 'models');
  mkdirSync(join(models, '.tmp-gpt2-x-1-ab'));
  writeFileSync(join(models, '.tmp-gpt2-x-1-ab', 'model.safetensors'), Buffer.alloc(MB, 2));
  mkdirSync(join(models, 'no-meta'));
  writeFileSync(join(models, 'no-meta', 'model.onnx'), Buffer.alloc(MB, 3));
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  mkdirSync(join(models, `.evict-gpt2-y-${dead.stdout}-cd`));
  const scan = scanCache(cacheDir);
  assert.deepEqual(
    scan.entries.map((e) => e.key),
    ['a'],
  );
  assert.ok(scan.totalBytes >= 3 * MB, `${scan.totalBytes}`);
  assert.ok(!existsSync(join(models, `.evict-gpt2-y-${dead.stdout}-cd`)));
  makeRoom(cacheDir, 100 * MB, 1);
  assert.ok(existsSync(join(models, '.tmp-gpt2-x-1-ab')) && existsSync(join(models, 'no-meta')));
  assert.ok(!existsSync(join(models, 'a')));
});

test(
  'a store closes its idle sessions to make room, and refuses with the numbers when the room is in use',
  { timeout: 120_000 },
  async () => {
    const cacheDir = freshDir();
    const machine = readMachineMemory();
    const one = tinySpec('gpt2', { seed: 1 });
    const two = tinySpec('gpt2', { seed: 2 });
    // Measure one entry, then allow a bit more than one.
    const probe = new ModelStore(cacheDir);
    await probe.get(one);
    await probe.dispose();
    const entry = scanCache(cacheDir).entries[0].bytes;
    const limits = resolveLimits(
      { memoryKnob: 'm', cacheKnob: 'c', cacheLimit: { bytes: Math.floor(entry * 1.5), source: 'set by test' } },
      machine,
    );
    const a = new ModelStore(cacheDir, { limits });
    const b = new ModelStore(cacheDir, { limits });
    try {
      await a.get(one);
      // b cannot evict `one`: a has it open.
      await assert.rejects(b.get(two), (e: Error) => {
        assert.equal(e.name, 'ResourceError');
        assert.match(
          e.message,
          /needs .* in the model cache, which holds .* of models in use; cache limit .* \(set by test\)/,
        );
        return true;
      });
      assert.deepEqual(present(cacheDir), [cacheKey(one)]);
      // a itself may: its session of `one` is idle when it asks for `two`.
      await a.get(two);
      assert.deepEqual(present(cacheDir), [cacheKey(two)]);
      assert.equal(a.size, 1);
    } finally {
      await a.dispose();
      await b.dispose();
    }
    assert.deepEqual(readdirSync(join(cacheDir, 'models', '.leases')), [], 'every lease released');
  },
);

test(
  'a store closes its least recently used idle session when a new one would not fit beside it in memory',
  { timeout: 120_000 },
  async () => {
    const cacheDir = freshDir();
    const one = tinySpec('gpt2', { seed: 1 });
    const two = tinySpec('gpt2', { seed: 2 });
    const resident = estimateModel(dimsOf(one.config)).residentBytes;
    const machine = readMachineMemory();
    // Room for the process and one model and a half.
    const limits = resolveLimits(
      {
        memoryKnob: 'm',
        cacheKnob: 'c',
        memoryLimit: { bytes: PROCESS_BASELINE_BYTES + Math.floor(1.5 * resident), source: 'set by test' },
      },
      machine,
    );
    const roomy = new ModelStore(cacheDir);
    const tight = new ModelStore(cacheDir, { limits });
    try {
      await roomy.get(one);
      await roomy.get(two);
      assert.equal(roomy.size, 2);
      await tight.get(one);
      await tight.get(two);
      assert.equal(tight.size, 1, 'the idle session of `one` was closed to make room');
    } finally {
      await roomy.dispose();
      await tight.dispose();
    }
  },
);
