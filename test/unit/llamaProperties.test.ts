/**
 * Properties of the Llama-family graph on random seeded models, run the way a comparison runs (inputs of
 * one case in one batch): causality (a later edit leaves earlier positions bit-identical), grouped-query
 * attention equals full attention with repeated key/value heads, sliding windows mask exactly what Hugging
 * Face's mask rule says, attention dropout has its keep rate and scale in train mode, eval mode is exact,
 * and these models (attention_dropout 0) are deterministic in train mode.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import {
  planSafetensors,
  readSafetensorsHeader,
  readTensorAsFloat32,
  writeSafetensors,
} from '../../extension/lab/models/safetensors';
import { freshDir } from '../helpers/paths';
import { maxAbsDiff } from '../helpers/hfReference';
import { identical, llamaConfig, openDecoder, row } from '../helpers/familyModels';

const ids = [5, 17, 42, 99, 7, 250, 31, 8, 64, 12, 300, 77];
const edited = ids.map((x, i) => (i === 6 ? 123 : x));

for (const fixture of ['llama', 'qwen2'] as const) {
  test(`${fixture}: an edit at position 6 leaves positions 0-5 bit-identical in every layer and changes every later one`, async () => {
    const { session, dims } = await openDecoder(llamaConfig(fixture));
    const [base, variant] = await session.forward([{ ids }, { ids: edited }], { attentions: true });
    await session.release();
    const H = dims.hiddenSize;
    for (let l = 0; l <= dims.numLayers; l++)
      for (let p = 0; p < ids.length; p++) {
        const same = identical(row(base.hiddenStates[l], p, H), row(variant.hiddenStates[l], p, H));
        if (p < 6) assert.ok(same, `layer ${l} position ${p} changed before the edit`);
        else if (l > 0) assert.ok(!same, `layer ${l} position ${p} unchanged after the edit`);
      }
    assert.deepEqual(base.keep[3], [1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
  });
}

test('grouped-query attention (2 key/value heads for 4 query heads) equals full attention with each key/value head repeated', async () => {
  const grouped = await openDecoder(llamaConfig('llama', { num_key_value_heads: 2 }), { seed: 3 });
  // The same weights as a 4-key/value-head checkpoint: head h reads key/value head ⌊h/2⌋ (repeat_kv's order).
  const full = llamaConfig('llama', { num_key_value_heads: 4 });
  const dir = freshDir();
  const header = readSafetensorsHeader(grouped.weightsPath);
  const tensors = [...header.tensors.values()].map((entry) => {
    const data = readTensorAsFloat32(grouped.weightsPath, entry);
    if (!/\.(k_proj|v_proj)\.weight$/.test(entry.name)) return { name: entry.name, shape: entry.shape, data };
    const [rows, width] = entry.shape;
    const d = grouped.dims.headDim;
    const out = new Float32Array(rows * 2 * width);
    for (let h = 0; h < 4; h++)
      out.set(data.subarray(Math.floor(h / 2) * d * width, (Math.floor(h / 2) + 1) * d * width), h * d * width);
    return { name: entry.name, shape: [rows * 2, width], data: out };
  });
  closeSync(openSync(join(dir, 'model.safetensors'), 'w'));
  writeSafetensors(join(dir, 'model.safetensors'), tensors, planSafetensors(tensors, { format: 'pt' }), (t) => t.data);
  const repeated = await openDecoder(full, { checkpoint: dir });
  const [a] = await grouped.session.forward([{ ids }], { attentions: true, logits: 'all' });
  const [b] = await repeated.session.forward([{ ids }], { attentions: true, logits: 'all' });
  await grouped.session.release();
  await repeated.session.release();
  a.hiddenStates.forEach((h, l) => assert.ok(maxAbsDiff(h, b.hiddenStates[l]) <= 1e-6, `hidden_states.${l}`));
  a.attentions.forEach((p, l) => assert.ok(maxAbsDiff(p, b.attentions[l]) <= 1e-7, `attentions.${l}`));
  assert.ok(maxAbsDiff(a.logits!, b.logits!) <= 1e-6);
});

test('Mistral sliding window 3: keys i−2..i only; an edit at 0 stops reaching position 3 after one layer, 5 after two', async () => {
  const config = llamaConfig('llama', { model_type: 'mistral', sliding_window: 3 });
  delete config.attention_bias;
  delete config.mlp_bias;
  delete config.pretraining_tp;
  const { session, dims } = await openDecoder(config);
  assert.deepEqual(dims.layerWindows, [3, 3]);
  const [base, variant] = await session.forward([{ ids }, { ids: [9, ...ids.slice(1)] }], { attentions: true });
  await session.release();
  const T = ids.length;
  for (const probs of base.attentions)
    for (let h = 0; h < dims.numHeads; h++)
      for (let i = 0; i < T; i++)
        for (let j = 0; j < T; j++) {
          const p = probs[(h * T + i) * T + j];
          if (j > i || i - j >= 3) assert.equal(p, 0, `head ${h} query ${i} key ${j} outside the window`);
          else assert.ok(p > 0, `head ${h} query ${i} key ${j} inside the window`);
        }
  assert.deepEqual(base.slidingKeep![5], [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
  const H = dims.hiddenSize;
  const changed = (l: number, p: number) =>
    !identical(row(base.hiddenStates[l], p, H), row(variant.hiddenStates[l], p, H));
  assert.deepEqual(
    ids.map((_, p) => changed(1, p)),
    ids.map((_, p) => p < 3),
  );
  assert.deepEqual(
    ids.map((_, p) => changed(2, p)),
    ids.map((_, p) => p < 5),
  );
});

test('Qwen2 use_sliding_window from max_window_layers 1: layer 0 full causal, layer 1 windowed; without the flag nothing is windowed', async () => {
  const windowed = await openDecoder(
    llamaConfig('qwen2', { use_sliding_window: true, sliding_window: 4, max_window_layers: 1, layer_types: null }),
  );
  assert.deepEqual(windowed.dims.layerWindows, [null, 4]);
  const [out] = await windowed.session.forward([{ ids }], { attentions: true });
  await windowed.session.release();
  const T = ids.length;
  const at = (l: number, i: number, j: number) => out.attentions[l][i * T + j];
  assert.ok(at(0, 11, 0) > 0, 'layer 0 reads position 0 from position 11');
  assert.equal(at(1, 11, 7), 0);
  assert.ok(at(1, 11, 8) > 0);
  const off = await openDecoder(
    llamaConfig('qwen2', { use_sliding_window: false, sliding_window: 4, layer_types: null }),
  );
  assert.deepEqual(off.dims.layerWindows, [null, null]);
  await off.session.release();
});

test('attention dropout in train mode: keep rate 1−p, kept probabilities scaled by exactly 1/(1−p); eval exact; seeds reproduce', async () => {
  const p = 0.3;
  const { session, dims } = await openDecoder(llamaConfig('llama', { attention_dropout: p }));
  const long = Array.from({ length: 48 }, (_, i) => 3 + ((i * 37) % 400));
  const [evalA, evalB, trainA, trainB, trainC] = await session.forward(
    [
      { ids: long },
      { ids: long, dropoutSeed: null },
      { ids: long, dropoutSeed: 11 },
      { ids: long, dropoutSeed: 11 },
      { ids: long, dropoutSeed: 12 },
    ],
    { attentions: true },
  );
  await session.release();
  evalA.hiddenStates.forEach((h, l) => assert.ok(identical(h, evalB.hiddenStates[l])));
  trainA.hiddenStates.forEach((h, l) => assert.ok(identical(h, trainB.hiddenStates[l]), 'same seed, same masks'));
  assert.ok(!identical(trainA.hiddenStates[2], trainC.hiddenStates[2]), 'another seed, other masks');
  // Layer 0's probabilities see the same input in both modes: train = eval × mask.
  const T = long.length;
  let allowed = 0;
  let dropped = 0;
  for (let h = 0; h < dims.numHeads; h++)
    for (let i = 0; i < T; i++)
      for (let j = 0; j <= i; j++) {
        const k = (h * T + i) * T + j;
        allowed++;
        if (trainA.attentions[0][k] === 0) dropped++;
        else {
          const ratio = trainA.attentions[0][k] / evalA.attentions[0][k];
          assert.ok(Math.abs(ratio - 1 / (1 - p)) < 1e-5, `kept probability scaled by ${ratio}`);
        }
      }
  assert.ok(
    Math.abs(dropped / allowed - p) < 0.03,
    `dropped ${dropped / allowed} of the probabilities, expected about ${p}`,
  );
});

test('attention_dropout 0 (every released Llama, Mistral, Qwen2): train mode with seeds is bit-identical to eval mode', async () => {
  const { session } = await openDecoder(llamaConfig('qwen2'));
  const [evalRun, trainRun, otherSeed] = await session.forward(
    [{ ids }, { ids, dropoutSeed: 1 }, { ids, dropoutSeed: 2 }],
    {
      attentions: true,
    },
  );
  await session.release();
  evalRun.hiddenStates.forEach((h, l) => {
    assert.ok(identical(h, trainRun.hiddenStates[l]));
    assert.ok(identical(h, otherSeed.hiddenStates[l]));
  });
});

test('head_dim wider than hidden_size / heads (Mistral-style explicit head_dim): q is heads × head_dim wide and the model runs causally', async () => {
  const { session, dims, weightsPath } = await openDecoder(llamaConfig('llama', { head_dim: 16 }));
  const shapes = new Map([...readSafetensorsHeader(weightsPath).tensors.values()].map((e) => [e.name, e.shape]));
  assert.deepEqual(shapes.get('model.layers.0.self_attn.q_proj.weight'), [64, 32]);
  assert.deepEqual(shapes.get('model.layers.0.self_attn.k_proj.weight'), [32, 32]);
  assert.deepEqual(shapes.get('model.layers.0.self_attn.o_proj.weight'), [32, 64]);
  const [a, b] = await session.forward([{ ids }, { ids: edited }]);
  await session.release();
  const H = dims.hiddenSize;
  assert.ok(identical(row(a.hiddenStates[2], 5, H), row(b.hiddenStates[2], 5, H)));
  assert.ok(!identical(row(a.hiddenStates[2], 6, H), row(b.hiddenStates[2], 6, H)));
});
