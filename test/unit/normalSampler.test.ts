/**
 * The ziggurat sampler behind the families' random init: N(0, σ²) by its moments and tail masses, the
 * zeroed padding row, and files bit-identical whatever the number of weight workers (chunks have streams of
 * their own).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, ftruncateSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NormalSampler } from '../../extension/lab/models/normalSampler';
import { chunkValues, weightChunks, writeChunks, writeRandomWeights } from '../../extension/lab/models/randomWeights';
import { planSafetensors, writeAll } from '../../extension/lab/models/safetensors';
import { freshDir } from '../helpers/paths';

test('ziggurat draws have mean 0, standard deviation σ, kurtosis 3 and the normal tail masses', () => {
  const n = 4_000_000;
  const x = new Float32Array(n);
  new NormalSampler(12345).fill(x, 0.02);
  let s1 = 0;
  let s2 = 0;
  let s4 = 0;
  let beyond1 = 0;
  let beyond3 = 0;
  let beyondR = 0;
  for (const v of x) {
    const z = v / 0.02;
    s1 += z;
    s2 += z * z;
    s4 += z ** 4;
    if (Math.abs(z) > 1) beyond1++;
    if (Math.abs(z) > 3) beyond3++;
    if (Math.abs(z) > 3.442619855899) beyondR++; // drawn by the tail algorithm
  }
  const mean = s1 / n;
  const variance = s2 / n - mean ** 2;
  assert.ok(Math.abs(mean) < 3e-3, `mean ${mean}`);
  assert.ok(Math.abs(Math.sqrt(variance) - 1) < 2e-3, `std ${Math.sqrt(variance)}`);
  assert.ok(Math.abs(s4 / n / variance ** 2 - 3) < 0.03, `kurtosis ${s4 / n / variance ** 2}`);
  // P(|Z| > 1) = 0.31731, P(|Z| > 3) = 0.0026998, P(|Z| > 3.4426) = 0.000576.
  assert.ok(Math.abs(beyond1 / n - 0.31731) < 1.5e-3, `beyond 1σ ${beyond1 / n}`);
  assert.ok(Math.abs(beyond3 / n - 0.0026998) < 1.5e-4, `beyond 3σ ${beyond3 / n}`);
  assert.ok(Math.abs(beyondR / n - 0.000576) < 6e-5, `beyond R ${beyondR / n}`);
});

test('a normal chunk zeroes its padding row; ones and zeros are what they say', () => {
  const v = chunkValues(
    { name: 'e', init: { kind: 'normal', std: 0.02, zeroRow: 5 }, width: 8, rowStart: 4, rowEnd: 7, offset: 0 },
    1,
  );
  assert.deepEqual([...v.subarray(8, 16)], Array(8).fill(0));
  assert.ok(v.subarray(0, 8).some((x) => x !== 0) && v.subarray(16).some((x) => x !== 0));
  const ones = chunkValues({ name: 'n', init: { kind: 'ones' }, width: 4, rowStart: 0, rowEnd: 1, offset: 0 }, 1);
  assert.deepEqual([...ones], [1, 1, 1, 1]);
});

test('random weight files are bit-identical whether workers write them or this thread does', async () => {
  const table = [
    { name: 'big', shape: [3000, 3000], init: { kind: 'normal' as const, std: 0.02, zeroRow: 7 } },
    { name: 'norm', shape: [3000], init: { kind: 'ones' as const } },
    { name: 'bias', shape: [3000], init: { kind: 'zeros' as const } },
  ];
  const layout = planSafetensors(table, { format: 'pt' });
  const dir = freshDir();
  await writeRandomWeights(join(dir, 'parallel.safetensors'), table, layout, 9);
  // The same chunks written in order by this thread (what happens without the worker bundle).
  const fd = openSync(join(dir, 'single.safetensors'), 'w');
  writeAll(fd, layout.headerBytes);
  ftruncateSync(fd, layout.dataStart + (3000 * 3000 + 6000) * 4);
  writeChunks(fd, weightChunks(table, layout), 9);
  closeSync(fd);
  assert.ok(readFileSync(join(dir, 'parallel.safetensors')).equals(readFileSync(join(dir, 'single.safetensors'))));
});
