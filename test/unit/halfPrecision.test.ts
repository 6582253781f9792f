/**
 * F16 and BF16 checkpoints load (widened to float32): a copy of a fixture checkpoint written in each
 * dtype builds, every loaded weight is within half a unit in the last place of that dtype of the float32
 * original, and the model computes Hugging Face's numbers within what the dtype's rounding allows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, copyFileSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { bfloat16Bits, encodeHalf, float16Bits } from '../../extension/lab/models/halfPrecision';
import { modelSpecFromOptions } from '../../extension/lab/config';
import { planModel, resolveLimits, ResourceError } from '../../extension/lab/resources';
import { readSafetensorsHeader, readTensorAsFloat32, writeAll } from '../../extension/lab/models/safetensors';
import { freshDir } from '../helpers/paths';
import { maxAbsDiff, referenceFolder } from '../helpers/hfReference';
import { loadFamilyReference, type DecoderRun, type Seq2SeqRun } from '../helpers/familyReference';
import { llamaConfig, openDecoder, openSeq2Seq, seq2seqConfig } from '../helpers/familyModels';

test('float32 → float16 / bfloat16 rounds to nearest even, with subnormals, overflow and NaN', () => {
  const cases16: [number, number][] = [
    [1, 0x3c00],
    [-2, 0xc000],
    [1 / 3, 0x3555],
    [65504, 0x7bff],
    [65520, 0x7c00],
    [2 ** -24, 0x0001],
    [2 ** -25, 0x0000],
    [3 * 2 ** -25, 0x0002],
    [1 + 2 ** -11, 0x3c00],
    [1 + 3 * 2 ** -11, 0x3c02],
    [Infinity, 0x7c00],
  ];
  for (const [x, bits] of cases16) assert.equal(float16Bits(x), bits, `float16(${x})`);
  assert.equal(float16Bits(NaN) & 0x7e00, 0x7e00);
  const casesB: [number, number][] = [
    [1, 0x3f80],
    [1 / 3, 0x3eab],
    [-1.5, 0xbfc0],
    [1 + 2 ** -8, 0x3f80],
    [1 + 3 * 2 ** -8, 0x3f82],
  ];
  for (const [x, bits] of casesB) assert.equal(bfloat16Bits(x), bits, `bfloat16(${x})`);
});

/** A copy of a fixture folder whose checkpoint holds every tensor in `dtype`. */
function halfCopy(model: string, dtype: 'F16' | 'BF16'): string {
  const dir = freshDir();
  const source = join(referenceFolder(model), 'model.safetensors');
  const header = readSafetensorsHeader(source);
  const json: Record<string, unknown> = { __metadata__: header.metadata };
  const blobs: Uint16Array[] = [];
  let cursor = 0;
  for (const entry of header.tensors.values()) {
    const data = encodeHalf(readTensorAsFloat32(source, entry), dtype);
    json[entry.name] = { dtype, shape: entry.shape, data_offsets: [cursor, cursor + data.byteLength] };
    cursor += data.byteLength;
    blobs.push(data);
  }
  const text = Buffer.from(JSON.stringify(json));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(text.length));
  const fd = openSync(join(dir, 'model.safetensors'), 'w');
  try {
    for (const bytes of [length, text, ...blobs.map((b) => new Uint8Array(b.buffer))]) writeAll(fd, bytes);
  } finally {
    closeSync(fd);
  }
  copyFileSync(join(referenceFolder(model), 'config.json'), join(dir, 'config.json'));
  return dir;
}

/** Every loaded weight within half an ulp of the dtype (relative 2^-11 for F16, 2^-8 for BF16; F16 subnormals 2^-25). */
function assertWeightsRounded(model: string, builtWeights: string, dtype: 'F16' | 'BF16'): void {
  const original = readSafetensorsHeader(join(referenceFolder(model), 'model.safetensors'));
  const built = readSafetensorsHeader(builtWeights);
  const relative = dtype === 'F16' ? 2 ** -11 : 2 ** -8;
  for (const [name, entry] of built.tensors) {
    const source = original.tensors.get(name);
    if (!source) continue; // computed or defaulted
    const a = readTensorAsFloat32(builtWeights, entry);
    const b = readTensorAsFloat32(join(referenceFolder(model), 'model.safetensors'), source);
    for (let i = 0; i < a.length; i++) {
      const bound = Math.abs(b[i]) * relative + (dtype === 'F16' ? 2 ** -25 : 0);
      assert.ok(Math.abs(a[i] - b[i]) <= bound, `${model} ${dtype} ${name}[${i}]: ${a[i]} vs ${b[i]}`);
    }
  }
}

for (const dtype of ['F16', 'BF16'] as const) {
  // Hidden states of these tiny models have entries of order 1-3: BF16's 8-bit mantissa moves them by up to ~1e-2.
  const tolerance = dtype === 'F16' ? 2e-3 : 3e-2;

  test(`llama from a ${dtype} checkpoint: weights within the dtype's rounding, hidden states near Hugging Face's`, async (t) => {
    const folder = halfCopy('llama', dtype);
    const { session, weightsPath } = await openDecoder(llamaConfig('llama'), { checkpoint: folder });
    assertWeightsRounded('llama', weightsPath, dtype);
    const run = loadFamilyReference<DecoderRun>('llama').runs.base;
    const [out] = await session.forward([{ ids: run.input_ids[0] }], { attentions: true });
    await session.release();
    const diffs = run.hidden_states.data.map((e, l) => maxAbsDiff(out.hiddenStates[l], e));
    t.diagnostic(
      `llama ${dtype}: hidden-state differences vs float32 Hugging Face ${diffs.map((x) => x.toExponential(1))}`,
    );
    diffs.forEach((diff, l) => assert.ok(diff <= tolerance, `hidden_states.${l} differs by ${diff}`));
    assert.ok(
      diffs.some((x) => x > 0),
      'rounded weights change something',
    );
  });

  test(`bart from a ${dtype} checkpoint: weights within the dtype's rounding, decoder states near Hugging Face's`, async (t) => {
    const folder = halfCopy('bart', dtype);
    const { session, weightsPath } = await openSeq2Seq(seq2seqConfig('bart'), { checkpoint: folder });
    assertWeightsRounded('bart', weightsPath, dtype);
    const run = loadFamilyReference<Seq2SeqRun>('bart').runs.base;
    const [out] = await session.forward([{ encoderIds: run.input_ids[0], decoderIds: run.decoder_input_ids[0] }]);
    await session.release();
    const diffs = run.decoder_hidden_states.data.map((e, l) => maxAbsDiff(out.decoderHiddenStates[l], e));
    t.diagnostic(`bart ${dtype}: decoder hidden-state differences ${diffs.map((x) => x.toExponential(1))}`);
    diffs.forEach((diff, l) => assert.ok(diff <= tolerance, `decoder_hidden_states.${l} differs by ${diff}`));
  });
}

test('the resource plan knows the checkpoint dtype: reading BF16 costs 6 bytes a value, and a refusal says what is stored', async () => {
  const cache = freshDir();
  const bf16 = await modelSpecFromOptions(new Map([['weights', halfCopy('llama', 'BF16')]]), cache);
  const f32 = await modelSpecFromOptions(new Map([['weights', referenceFolder('llama')]]), cache);
  const machine = { total: 24e9, available: 20e9, cgroup: null };
  const knobs = { memoryKnob: '--memory-limit', cacheKnob: '--cache-limit' };
  const ctx = { limits: resolveLimits(knobs, machine), machine, heldNow: 0 };
  const a = planModel(bf16, ctx);
  const b = planModel(f32, ctx);
  assert.equal(a.checkpointDtype, 'BF16');
  assert.equal(b.checkpointDtype, 'F32');
  // The same float32 weights once loaded; the largest tensor's read holds its stored bytes and a float32 copy.
  assert.equal(a.size.weightBytes, b.size.weightBytes);
  const largest = a.size.largestTensor.elements;
  assert.equal(a.size.buildBytes - b.size.buildBytes, largest * (6 - 8));
  const tiny = { ...ctx, limits: { ...ctx.limits, memory: { bytes: 1e6, source: 'test' } } };
  assert.throws(
    () => planModel(bf16, tiny),
    (e: unknown) =>
      e instanceof ResourceError &&
      /float32 \(the checkpoint stores BF16: .*; the lab computes in float32\)/.test(e.message),
  );
});
