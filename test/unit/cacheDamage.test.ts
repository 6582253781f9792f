/**
 * The model cache under damage and change, with real files: bytes overwritten in a cached
 * `model.safetensors` (which used to give silently wrong numbers), a truncated weights file, a missing
 * `meta.json`, a damaged `model.onnx`, an entry an older version wrote — each is detected, moved aside and
 * rebuilt with a notice, and the numbers are the intact model's. A checkpoint rewritten with the same size
 * and its mtime restored gets a new build (identity by content). Cancelling a build or a checkpoint import
 * stops it and leaves nothing behind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  closeSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { ensureModel, modelKey, type BuiltModel } from '../../extension/lab/models/modelCache';
import { ModelSession, singleStack } from '../../extension/lab/models/session';
import { ModelStore } from '../../extension/lab/models/modelStore';
import { readSafetensorsHeader, readTensorAsFloat32 } from '../../extension/lab/models/safetensors';
import { CancelledError } from '../../extension/lab/cancel';
import type { ModelSpec } from '../../extension/lab/types';
import { freshDir } from '../helpers/paths';
import { tinySpec } from '../helpers/specs';
import { referenceFolder } from '../helpers/hfReference';

const SETTINGS = { causal: true, rates: { hidden: 0, attention: 0, embedding: 0 } };
const IDS = [3, 14, 15, 92, 65, 35];

async function lastLayer(built: BuiltModel): Promise<Float32Array> {
  const session = await ModelSession.open(built.onnxPath, built.dims);
  try {
    const [out] = await session.forward([{ ids: IDS }], SETTINGS);
    return out.hiddenStates.at(-1)!;
  } finally {
    await session.release();
  }
}

/** Overwrites `length` bytes in the middle of a file with a pattern, keeping its size. */
function overwriteMiddle(path: string, length = 4096): void {
  const size = statSync(path).size;
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, Buffer.alloc(length, 0x7f), 0, length, Math.floor(size / 2));
  } finally {
    closeSync(fd);
  }
}

function models(cacheDir: string): string[] {
  return readdirSync(join(cacheDir, 'models')).sort();
}

async function builtAndReference(spec: ModelSpec) {
  const cacheDir = freshDir();
  const built = await ensureModel(spec, cacheDir);
  return { cacheDir, built, reference: await lastLayer(built) };
}

const DAMAGE: [string, (b: BuiltModel) => void, RegExp][] = [
  [
    'bytes overwritten in model.safetensors',
    (b) => overwriteMiddle(b.weightsPath),
    /model\.safetensors no longer holds the bytes its build wrote/,
  ],
  [
    'a truncated model.safetensors',
    (b) => truncateSync(b.weightsPath, statSync(b.weightsPath).size - 1000),
    /model\.safetensors is \d+ bytes; the build wrote \d+/,
  ],
  ['a missing meta.json', (b) => rmSync(join(b.dir, 'meta.json')), /meta\.json is missing/],
  ['bytes overwritten in model.onnx', (b) => overwriteMiddle(b.onnxPath, 64), /model\.onnx no longer holds the bytes/],
  ['a missing model.onnx', (b) => rmSync(b.onnxPath), /model\.onnx is missing/],
  [
    'a FIFO in place of meta.json (reading it would never end)',
    (b) => {
      rmSync(join(b.dir, 'meta.json'));
      assert.equal(spawnSync('mkfifo', [join(b.dir, 'meta.json')]).status, 0);
    },
    /meta\.json is not a regular file/,
  ],
  [
    'a FIFO in place of model.safetensors',
    (b) => {
      rmSync(b.weightsPath);
      assert.equal(spawnSync('mkfifo', [b.weightsPath]).status, 0);
    },
    /model\.safetensors is not a regular file/,
  ],
  [
    'an entry an older version wrote (no hashes in meta.json)',
    (b) => {
      const meta = JSON.parse(readFileSync(join(b.dir, 'meta.json'), 'utf8')) as Record<string, unknown>;
      delete meta.files;
      writeFileSync(join(b.dir, 'meta.json'), JSON.stringify(meta));
    },
    /records no file sizes and hashes \(an older version built it\)/,
  ],
];

for (const [what, damage, notice] of DAMAGE) {
  test(`${what}: detected, moved aside, rebuilt with a notice; the numbers are the intact model's`, async () => {
    const { cacheDir, built, reference } = await builtAndReference(tinySpec('gpt2', { mode: 'eval' }));
    damage(built);
    const messages: string[] = [];
    const again = await ensureModel(tinySpec('gpt2', { mode: 'eval' }), cacheDir, (m) => messages.push(m));
    assert.equal(again.dir, built.dir);
    const told = messages.find((m) => /is damaged/.test(m));
    assert.ok(told, `a notice among: ${messages.join(' | ')}`);
    assert.match(told, notice);
    assert.match(told, /moved aside to .*\.damaged-/);
    const entries = models(cacheDir);
    assert.equal(entries.filter((n) => n.startsWith('.damaged-')).length, 1, entries.join(', '));
    assert.deepEqual(
      Buffer.from((await lastLayer(again)).buffer),
      Buffer.from(reference.buffer),
      'bit-identical to the intact build',
    );
    // Intact now: the next use neither rebuilds nor complains.
    const quiet: string[] = [];
    await ensureModel(tinySpec('gpt2', { mode: 'eval' }), cacheDir, (m) => quiet.push(m));
    assert.deepEqual(quiet, []);
  });
}

for (const [what, damage] of [
  ['model.safetensors', (b: BuiltModel) => overwriteMiddle(b.weightsPath)],
  ['model.onnx', (b: BuiltModel) => overwriteMiddle(b.onnxPath, 64)],
] as const) {
  test(`bytes overwritten in ${what}, found while the store opens the model beside the check: rebuilt, intact numbers`, async () => {
    const spec = tinySpec('gpt2', { mode: 'eval', seed: 11 });
    const { cacheDir, built, reference } = await builtAndReference(spec);
    damage(built);
    const store = new ModelStore(cacheDir);
    try {
      const messages: string[] = [];
      const session = singleStack(await store.get(spec, (m) => messages.push(m)));
      assert.ok(
        messages.some((m) => /is damaged/.test(m) && m.includes(`${what} no longer holds the bytes`)),
        messages.join(' | '),
      );
      const [out] = await session.forward([{ ids: IDS }], SETTINGS);
      assert.deepEqual(Buffer.from(out.hiddenStates.at(-1)!.buffer), Buffer.from(reference.buffer));
    } finally {
      await store.dispose();
    }
  });
}

test('a warm session whose weights file is written to is reopened from a rebuilt entry: the numbers stay intact', async () => {
  const cacheDir = freshDir();
  const store = new ModelStore(cacheDir);
  const spec = tinySpec('gpt2', { mode: 'eval', seed: 7 });
  try {
    const first = singleStack(await store.get(spec));
    const [reference] = await first.forward([{ ids: IDS }], SETTINGS);
    const built = await ensureModel(spec, cacheDir);
    overwriteMiddle(built.weightsPath, 64 * 1024);
    const messages: string[] = [];
    const second = singleStack(await store.get(spec, (m) => messages.push(m)));
    assert.ok(
      messages.some((m) => /is damaged/.test(m)),
      messages.join(' | '),
    );
    const [out] = await second.forward([{ ids: IDS }], SETTINGS);
    assert.deepEqual(Buffer.from(out.hiddenStates.at(-1)!.buffer), Buffer.from(reference.hiddenStates.at(-1)!.buffer));
  } finally {
    await store.dispose();
  }
});

test('damaged entries and build folders are swept once their process is gone', async () => {
  const cacheDir = freshDir();
  const spec = tinySpec('gpt2', { mode: 'eval', seed: 4 });
  await ensureModel(spec, cacheDir);
  const root = join(cacheDir, 'models');
  // A process id that is not running (beyond the kernel's default pid_max).
  const deadPid = 4_194_999;
  const dead = [`.damaged-gpt2-0123-${Date.now()}-${deadPid}-ab12`, `.tmp-gpt2-0123-${deadPid}-abcd1234`];
  const living = [`.damaged-gpt2-0456-${Date.now()}-${process.ppid}-cd34`];
  for (const name of [...dead, ...living]) {
    mkdirSync(join(root, name));
    writeFileSync(join(root, name, 'model.safetensors'), 'x');
  }
  await ensureModel(tinySpec('gpt2', { mode: 'eval', seed: 5 }), cacheDir);
  const left = models(cacheDir);
  for (const name of dead) assert.ok(!left.includes(name), `${name} swept`);
  for (const name of living) assert.ok(left.includes(name), `${name} kept while its process lives`);
});

test('a checkpoint rewritten with the same size and its mtime restored gets a new build (identity by content)', async () => {
  const cacheDir = freshDir();
  const weights = join(freshDir(), 'model.safetensors');
  copyFileSync(join(referenceFolder('gpt2'), 'model.safetensors'), weights);
  const spec = () => tinySpec('gpt2', { mode: 'eval', weights });
  const first = await ensureModel(spec(), cacheDir);
  const before = await lastLayer(first);

  // Change one tensor's bytes in place, keep the size, put the mtime back as it was (to the nanosecond, as
  // `touch -r` does: what a checkpoint tool that preserves timestamps leaves).
  const stamp = join(freshDir(), 'stamp');
  writeFileSync(stamp, '');
  assert.equal(spawnSync('touch', ['-r', weights, stamp]).status, 0);
  const { mtimeNs, size } = statSync(weights, { bigint: true });
  const header = readSafetensorsHeader(weights);
  const wpe = header.tensors.get('transformer.wpe.weight')!;
  const fd = openSync(weights, 'r+');
  writeSync(fd, Buffer.alloc(wpe.end - wpe.begin, 0), 0, wpe.end - wpe.begin, wpe.begin);
  closeSync(fd);
  assert.equal(spawnSync('touch', ['-r', stamp, weights]).status, 0);
  assert.equal(statSync(weights, { bigint: true }).size, size);
  assert.equal(statSync(weights, { bigint: true }).mtimeNs, mtimeNs, 'the same mtime, to the nanosecond');

  const second = await ensureModel(spec(), cacheDir);
  assert.notEqual(second.key, first.key, 'a new key for new content');
  const rebuilt = readSafetensorsHeader(second.weightsPath);
  const positions = readTensorAsFloat32(second.weightsPath, rebuilt.tensors.get('transformer.wpe.weight')!);
  assert.ok(
    positions.every((x) => x === 0),
    'the build holds the new content',
  );
  const after = await lastLayer(second);
  assert.notDeepEqual(Buffer.from(after.buffer), Buffer.from(before.buffer), 'and computes with it');
  // The same content at another path is the same model.
  const elsewhere = join(freshDir(), 'model.safetensors');
  copyFileSync(weights, elsewhere);
  assert.equal((await modelKey(tinySpec('gpt2', { weights: elsewhere }), cacheDir)).key, second.key);
  // The hash is remembered beside the cache with the file's identity, for the next process.
  const records = readdirSync(join(cacheDir, 'checkpoint-hashes'));
  assert.ok(records.length >= 1);
});

test('a cancel during a random-weights build stops it and leaves nothing behind', async () => {
  const cacheDir = freshDir();
  const controller = new AbortController();
  const spec = tinySpec('gpt2', { mode: 'eval' }, { n_layer: 4, n_embd: 256, n_head: 4, vocab_size: 20000 });
  await assert.rejects(
    ensureModel(
      spec,
      cacheDir,
      (m) => {
        if (/random parameters/.test(m)) controller.abort();
      },
      controller.signal,
    ),
    CancelledError,
  );
  assert.deepEqual(models(cacheDir), []);
});

test('a cancel during a checkpoint import is heard, and nothing is left behind', async () => {
  const cacheDir = freshDir();
  const controller = new AbortController();
  const spec = tinySpec('bert', { mode: 'eval', weights: referenceFolder('bert') });
  await assert.rejects(
    ensureModel(
      spec,
      cacheDir,
      (m) => {
        // Aborted from within the import's own progress call: only an import that yields can notice.
        if (/loading .* parameters/.test(m)) queueMicrotask(() => controller.abort());
      },
      controller.signal,
    ),
    CancelledError,
  );
  assert.ok(!existsSync(join(cacheDir, 'models')) || models(cacheDir).length === 0, models(cacheDir).join(', '));
});
