/**
 * The model cache and export: entries that differ only in is_decoder, mode or dropout share one key;
 * a warm cache is reused untouched; a leftover half-built folder never counts; `export` writes a
 * Hugging Face folder with every parameter under its name, and loading it back with `weights:`
 * round-trips every tensor bit for bit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  statSync,
  utimesSync,
  writeFileSync,
  readFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { cacheKey, ensureModel } from '../../extension/lab/models/modelCache';
import { exportModelFolder } from '../../extension/lab/models/exportFolder';
import {
  planSafetensors,
  readSafetensorsHeader,
  readTensorAsFloat32,
  writeSafetensors,
} from '../../extension/lab/models/safetensors';
import { dimsOf, moduleOf } from '../../extension/lab/models/registry';
import { weightChunks, writeChunks, writeRandomWeights } from '../../extension/lab/models/randomWeights';
import { CheckpointError } from '../../extension/lab/models/weightSource';
import { writeAll } from '../../extension/lab/models/safetensors';
import { ModelSession } from '../../extension/lab/models/session';
import { ModelStore } from '../../extension/lab/models/modelStore';
import { freshDir } from '../helpers/paths';
import { tinySpec } from '../helpers/specs';
import { maxAbsDiff, referenceFolder } from '../helpers/hfReference';

test('is_decoder, mode and dropout do not change the cache key; seed, shape and weights do', () => {
  const base = tinySpec('bert');
  assert.equal(
    cacheKey(base),
    cacheKey(tinySpec('bert', { mode: 'eval', dropout: 'paired' }, { is_decoder: true, hidden_dropout_prob: 0.3 })),
  );
  assert.notEqual(cacheKey(base), cacheKey(tinySpec('bert', { seed: 1 })));
  assert.notEqual(cacheKey(base), cacheKey(tinySpec('bert', {}, { num_hidden_layers: 3 })));
  assert.notEqual(cacheKey(base), cacheKey(tinySpec('gpt2')));
});

test('a warm cache entry is reused as it is, and a leftover temporary folder is ignored', async () => {
  const cacheDir = freshDir();
  const spec = tinySpec('gpt2');
  mkdirSync(join(cacheDir, 'models', `.tmp-${cacheKey(spec)}-1-dead`), { recursive: true });
  writeFileSync(join(cacheDir, 'models', `.tmp-${cacheKey(spec)}-1-dead`, 'model.onnx'), 'half-written');
  const first = await ensureModel(spec, cacheDir);
  const mtime = statSync(first.onnxPath).mtimeMs;
  const second = await ensureModel(spec, cacheDir);
  assert.equal(second.dir, first.dir);
  assert.equal(statSync(second.onnxPath).mtimeMs, mtime, 'not rebuilt');
  assert.deepEqual(readdirSync(first.dir).sort(), ['meta.json', 'model.onnx', 'model.safetensors']);
  // A build folder a dead process left an hour ago is swept by the next build.
  const stale = join(cacheDir, 'models', '.tmp-old-1-dead');
  mkdirSync(stale);
  utimesSync(stale, new Date(Date.now() - 2 * 3600_000), new Date(Date.now() - 2 * 3600_000));
  await ensureModel(tinySpec('gpt2', { seed: 9 }), cacheDir);
  assert.ok(!existsSync(stale), 'the stale build folder is gone');
});

for (const family of ['bert', 'gpt2'] as const) {
  test(`${family}: export writes a Hugging Face folder and weights: round-trips it bit for bit`, async () => {
    const cacheDir = freshDir();
    const out = freshDir();
    const spec = tinySpec(family, { seed: 5, mode: 'eval' }, family === 'bert' ? { is_decoder: true } : {});
    await exportModelFolder(spec, cacheDir, out);
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(config.architectures, [family === 'bert' ? 'BertModel' : 'GPT2LMHeadModel']);
    if (family === 'bert') assert.equal(config.is_decoder, true);
    const exported = readSafetensorsHeader(join(out, 'model.safetensors'));
    assert.deepEqual(exported.metadata, { format: 'pt' });
    const names = [...exported.tensors.keys()];
    if (family === 'bert') {
      assert.ok(
        names.includes('pooler.dense.weight') && names.includes('pooler.dense.bias'),
        'BertModel folders carry the pooler',
      );
      assert.equal(names.length, 5 + 16 * 2 + 2);
      // Hugging Face zeroes the padding row of the word embeddings.
      const words = readTensorAsFloat32(
        join(out, 'model.safetensors'),
        exported.tensors.get('embeddings.word_embeddings.weight')!,
      );
      assert.ok(words.subarray(0, 32).every((x) => x === 0));
      assert.ok(words.subarray(32, 64).some((x) => x !== 0));
    } else {
      assert.ok(!names.includes('lm_head.weight'), 'the tied LM head is not stored');
      assert.ok(names.every((n) => n.startsWith('transformer.')));
    }

    const reloaded = tinySpec(family, { mode: 'eval', weights: out, seed: 999 }, { is_decoder: family === 'bert' });
    const built = await ensureModel(reloaded, cacheDir);
    const again = readSafetensorsHeader(built.weightsPath);
    for (const [name, entry] of exported.tensors) {
      const a = readTensorAsFloat32(join(out, 'model.safetensors'), entry);
      const b = readTensorAsFloat32(built.weightsPath, again.tensors.get(name)!);
      assert.equal(
        Buffer.compare(
          Buffer.from(a.buffer, a.byteOffset, a.byteLength),
          Buffer.from(b.buffer, b.byteOffset, b.byteLength),
        ),
        0,
        `${name} round-trips bit for bit`,
      );
    }
    const original = await ModelSession.open((await ensureModel(spec, cacheDir)).onnxPath, built.dims);
    const copy = await ModelSession.open(built.onnxPath, built.dims);
    const settings = { causal: true, rates: { hidden: 0, attention: 0, embedding: 0 } };
    const [x] = await original.forward([{ ids: [3, 14, 15, 92, 65] }], settings);
    const [y] = await copy.forward([{ ids: [3, 14, 15, 92, 65] }], settings);
    assert.equal(maxAbsDiff(x.hiddenStates[2], y.hiddenStates[2]), 0);
    await original.release();
    await copy.release();
  });
}

test('pickle-only folders and broken safetensors files are refused with a message, not a crash', async () => {
  const cacheDir = freshDir();
  const pickleDir = freshDir();
  writeFileSync(join(pickleDir, 'pytorch_model.bin'), 'not loaded');
  await assert.rejects(ensureModel(tinySpec('bert', { weights: pickleDir }), cacheDir), /never loaded/);
  const broken = join(freshDir(), 'model.safetensors');
  writeFileSync(broken, Buffer.from([255, 255, 255, 255, 0, 0, 0, 0, 1, 2, 3]));
  await assert.rejects(ensureModel(tinySpec('bert', { weights: broken }), cacheDir), /not a safetensors file/);
  // Damaged headers: offsets that don't cover the tensor, a missing field, a dtype that doesn't fit the bytes.
  const header = readSafetensorsHeader(join(referenceFolder('bert'), 'model.safetensors'));
  const json: Record<string, { dtype: string; shape: number[]; data_offsets?: number[] }> = {};
  let offset = 0;
  for (const t of header.tensors.values()) {
    const length = t.end - t.begin;
    json[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + length] };
    offset += length;
  }
  const damaged = (mutate: (h: typeof json) => void) => {
    const h = structuredClone(json);
    mutate(h);
    const body = Buffer.from(JSON.stringify(h));
    const path = join(freshDir(), 'model.safetensors');
    const size = Buffer.alloc(8);
    size.writeBigUInt64LE(BigInt(body.length));
    writeFileSync(path, Buffer.concat([size, body, Buffer.alloc(offset)]));
    return path;
  };
  const first = [...header.tensors.keys()][0];
  for (const [what, mutate] of [
    ['short offsets', (h: typeof json) => (h[first].data_offsets = [0, 8])],
    ['no offsets', (h: typeof json) => delete h[first].data_offsets],
    ['wrong dtype', (h: typeof json) => (h[first].dtype = 'F64')],
  ] as const) {
    await assert.rejects(
      ensureModel(tinySpec('bert', { weights: damaged(mutate) }), cacheDir),
      (e: Error) => e instanceof CheckpointError && /damaged or not a safetensors file/.test(e.message),
      what,
    );
  }
  assert.ok(
    !readdirSync(join(cacheDir, 'models')).some((n) => n.startsWith('.tmp')),
    'no half-written entry left behind',
  );
});

test('random weights written by worker threads are bit-identical to a single-threaded write', async () => {
  const dir = freshDir();
  const spec = tinySpec('gpt2', {}, { n_layer: 3 });
  const dims = dimsOf(spec.config);
  const table = moduleOf(dims.architecture).parameters(dims);
  const layout = planSafetensors(table, { format: 'pt' });
  await writeRandomWeights(join(dir, 'parallel.safetensors'), table, layout, 11);
  // The same chunks written in order by this thread.
  const fd = openSync(join(dir, 'single.safetensors'), 'w');
  writeAll(fd, layout.headerBytes);
  writeChunks(fd, weightChunks(table, layout), 11);
  closeSync(fd);
  const a = readFileSync(join(dir, 'parallel.safetensors'));
  const b = readFileSync(join(dir, 'single.safetensors'));
  assert.equal(a.length, b.length);
  assert.ok(a.equals(b), 'same bytes');
  // And the draws are the init Hugging Face specifies: N(0, 0.02²) for wte.
  const wte = readTensorAsFloat32(
    join(dir, 'parallel.safetensors'),
    readSafetensorsHeader(join(dir, 'parallel.safetensors')).tensors.get('transformer.wte.weight')!,
  );
  const mean = wte.reduce((s, x) => s + x, 0) / wte.length;
  const std = Math.sqrt(wte.reduce((s, x) => s + (x - mean) ** 2, 0) / wte.length);
  assert.ok(Math.abs(mean) < 0.002 && Math.abs(std - 0.02) < 0.002, `wte mean ${mean}, std ${std}`);
});

for (const family of ['bert', 'gpt2'] as const) {
  test(`${family}: an exported folder holds exactly the tensor names, shapes and dtypes Hugging Face saves`, async () => {
    // The fixture folder was written by transformers' own save_pretrained for the same config, so the
    // same key set is what from_pretrained loads with no missing and no unexpected keys.
    const out = freshDir();
    await exportModelFolder(tinySpec(family, { mode: 'eval' }), freshDir(), out);
    const ours = readSafetensorsHeader(join(out, 'model.safetensors'));
    const theirs = readSafetensorsHeader(join(referenceFolder(family), 'model.safetensors'));
    const describe = (h: typeof ours) => [...h.tensors.values()].map((t) => `${t.name} ${t.dtype} [${t.shape}]`).sort();
    assert.deepEqual(describe(ours), describe(theirs));
    assert.deepEqual(ours.metadata, theirs.metadata);
  });
}

test('a BERT checkpoint with TensorFlow-style LayerNorm names (gamma/beta) loads as Hugging Face loads it', async () => {
  const source = join(referenceFolder('bert'), 'model.safetensors');
  const header = readSafetensorsHeader(source);
  const renamed = [...header.tensors.values()].map((t) => ({
    name: t.name.replace(/LayerNorm\.weight$/, 'LayerNorm.gamma').replace(/LayerNorm\.bias$/, 'LayerNorm.beta'),
    shape: t.shape,
    from: t,
  }));
  assert.ok(renamed.some((t) => t.name.endsWith('gamma')));
  const file = join(freshDir(), 'model.safetensors');
  writeSafetensors(file, renamed, planSafetensors(renamed, { format: 'pt' }), (t) =>
    readTensorAsFloat32(source, t.from),
  );
  const cacheDir = freshDir();
  const settings = { causal: false, rates: { hidden: 0, attention: 0, embedding: 0 } };
  const a = await ensureModel(tinySpec('bert', { mode: 'eval', weights: file }), cacheDir);
  const b = await ensureModel(tinySpec('bert', { mode: 'eval', weights: referenceFolder('bert') }), cacheDir);
  const [x] = await (await ModelSession.open(a.onnxPath, a.dims)).forward([{ ids: [5, 6, 7] }], settings);
  const [y] = await (await ModelSession.open(b.onnxPath, b.dims)).forward([{ ids: [5, 6, 7] }], settings);
  assert.equal(maxAbsDiff(x.hiddenStates[2], y.hiddenStates[2]), 0);
});

test('the store keeps at most MAX_OPEN_SESSIONS models open, dropping the least recently used', async () => {
  const store = new ModelStore(freshDir(), {}, 2);
  const a = await store.get(tinySpec('gpt2', { seed: 1 }));
  await store.get(tinySpec('gpt2', { seed: 2 }));
  assert.equal(await store.get(tinySpec('gpt2', { seed: 1 })), a, 'a hit returns the open session');
  await store.get(tinySpec('gpt2', { seed: 3 }));
  assert.equal(store.size, 2);
  assert.equal(await store.get(tinySpec('gpt2', { seed: 1 })), a, 'the most recently used one stayed open');
  await store.dispose();
});
