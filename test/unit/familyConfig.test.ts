/**
 * Config keys, defaults, dimensions and presets of the family modules: the fixture configs that Hugging
 * Face saved and the four presets pass every check; the presets' parameter tables count exactly the
 * published sizes (python-figures.md: Qwen2.5-0.5B 494 M, TinyLlama 1 100 M); values the builder does not
 * implement are refused as "not supported yet" and impossible combinations named; rotary frequencies
 * follow Hugging Face's linear and llama3 rules.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CONFIG_KEYS } from '../../extension/lab/config/configKeys';
import { keyProblems, withDefaults, type FamilyConfig } from '../../extension/lab/models/familyKeys';
import { parameterCount, type FamilyModule } from '../../extension/lab/models/family';
import { llamaFamily } from '../../extension/lab/models/llama';
import { seq2seqFamily } from '../../extension/lab/models/bart';
import { inverseFrequencies } from '../../extension/lab/models/architectures/rotary';
import { DECODER_FIXTURES, fixtureConfig, SEQ2SEQ_FIXTURES } from '../helpers/familyReference';

/** The keys every Hugging Face config may carry: the entries BERT's and GPT-2's tables share (the common table). */
const COMMON = new Set([...CONFIG_KEYS.bert.keys()].filter((k) => CONFIG_KEYS.bert.get(k) === CONFIG_KEYS.gpt2.get(k)));

function problems<T extends string, D>(family: FamilyModule<T, D>, raw: FamilyConfig): string[] {
  const type = raw.model_type as T;
  const config = withDefaults(raw, family.defaults[type]);
  return [...keyProblems(raw, family.keys[type], COMMON, family.label[type]), ...family.crossKeyProblems(config)];
}

const modules = [llamaFamily, seq2seqFamily] as FamilyModule<string, unknown>[];
const moduleOf = (raw: FamilyConfig) => modules.find((m) => m.types.includes(raw.model_type as string))!;

test('the configs Hugging Face saved for the four fixtures pass every check', () => {
  for (const model of [...DECODER_FIXTURES, ...SEQ2SEQ_FIXTURES]) {
    const raw = fixtureConfig(model);
    assert.deepEqual(problems(moduleOf(raw), raw), [], model);
  }
});

test('the presets pass every check, and their parameter tables count the published sizes', () => {
  const counts: Record<string, number> = {};
  for (const m of modules)
    for (const [name, preset] of Object.entries(m.presets)) {
      assert.deepEqual(problems(m, preset), [], name);
      const dims = m.dims(withDefaults(preset, m.defaults[preset.model_type as string]));
      // `final_logits_bias` is a buffer: Hugging Face's num_parameters() leaves it out.
      counts[name] = parameterCount(m.parameters(dims).filter((p) => p.name !== 'final_logits_bias'));
    }
  assert.equal(counts['Qwen/Qwen2.5-0.5B'], 494_032_768); // "494 M params"
  assert.equal(counts['TinyLlama/TinyLlama-1.1B-Chat-v1.0'], 1_100_048_384); // "1100 M params"
  assert.equal(counts['facebook/bart-base'], 139_420_416); // 139 M, positions included
  assert.equal(counts['Helsinki-NLP/opus-mt-en-de'], 73_886_208); // 74 M without the 2 × 512 × 512 computed sinusoids
});

test('preset dimensions: Qwen2.5-0.5B 14 heads / 2 key-value heads of 64, tied, no window; TinyLlama 32 / 4', () => {
  const qwen = llamaFamily.dims(withDefaults(llamaFamily.presets['Qwen/Qwen2.5-0.5B'], llamaFamily.defaults.qwen2));
  assert.deepEqual(
    [
      qwen.hiddenSize,
      qwen.numLayers,
      qwen.numHeads,
      qwen.numKvHeads,
      qwen.headDim,
      qwen.vocabSize,
      qwen.tieWordEmbeddings,
    ],
    [896, 24, 14, 2, 64, 151936, true],
  );
  assert.ok(qwen.qkvBias && !qwen.outputBias && !qwen.mlpBias);
  assert.ok(
    qwen.layerWindows.every((w) => w === null),
    'use_sliding_window false: no layer is windowed',
  );
  const tiny = llamaFamily.dims(
    withDefaults(llamaFamily.presets['TinyLlama/TinyLlama-1.1B-Chat-v1.0'], llamaFamily.defaults.llama),
  );
  assert.deepEqual(
    [tiny.hiddenSize, tiny.numLayers, tiny.numHeads, tiny.numKvHeads, tiny.headDim],
    [2048, 22, 32, 4, 64],
  );
  const marian = seq2seqFamily.dims(
    withDefaults(seq2seqFamily.presets['Helsinki-NLP/opus-mt-en-de'], seq2seqFamily.defaults.marian),
  );
  assert.equal(marian.embedScale, Math.sqrt(512));
  assert.equal(marian.decoderStartTokenId, 58100);
  assert.equal(marian.padTokenId, 58100);
});

test('what the builder does not implement is "not supported yet"; impossible combinations are named', () => {
  const llama = fixtureConfig('llama');
  const says = (raw: FamilyConfig, pattern: RegExp) =>
    assert.ok(
      problems(moduleOf(raw), raw).some((p) => pattern.test(p)),
      `${JSON.stringify(raw)}: ${problems(moduleOf(raw), raw)}`,
    );
  says(
    { ...llama, rope_scaling: { rope_type: 'yarn', factor: 4 } },
    /not supported yet: `rope_scaling` of type `yarn`/,
  );
  says({ ...llama, rope_scaling: { type: 'wobbly' } }, /unknown type "wobbly"/);
  says({ ...llama, rope_scaling: { rope_type: 'llama3', factor: 8 } }, /rope_scaling\.low_freq_factor/);
  says({ ...llama, rope_scaling: { rope_type: 'linear', factor: 0.5 } }, /rope_scaling\.factor/);
  says({ ...llama, hidden_act: 'mish' }, /not supported yet: `hidden_act: mish`/);
  says({ ...llama, hidden_act: 'swoosh' }, /`hidden_act` must be/);
  says({ ...llama, num_key_value_heads: 3 }, /multiple of `num_key_value_heads`/);
  says({ ...llama, head_dim: 7 }, /must be even/);
  says({ ...llama, sliding_window: 4 }, /`sliding_window` is not a Llama config key/);
  says({ ...fixtureConfig('qwen2'), use_mrope: true }, /not supported yet: `use_mrope: true`/);
  says({ ...fixtureConfig('qwen2'), layer_types: ['full_attention'] }, /1 entries for 2 layers/);
  says({ ...fixtureConfig('qwen2'), layer_types: ['sliding_attention', 'full_attention'] }, /no window applies/);
  const bart = fixtureConfig('bart');
  says({ ...bart, encoder_layerdrop: 0.1 }, /not supported yet: `encoder_layerdrop: 0.1`/);
  says({ ...bart, is_encoder_decoder: false }, /not supported yet: `is_encoder_decoder: false`/);
  says({ ...bart, encoder_attention_heads: 5 }, /divisible by `encoder_attention_heads`/);
  says({ ...bart, decoder_vocab_size: 100 }, /not a BART config key/);
  says({ ...fixtureConfig('marian'), pad_token_id: 125 }, /must be below the vocabulary size/);
});

test('rotary frequencies: default 1/θ^(2i/d); linear divides by the factor; llama3 keeps short wavelengths, divides long ones, blends between', () => {
  const dim = 128;
  const base = inverseFrequencies({ theta: 500000, dim, scaling: { type: 'default' } });
  base.forEach((x, i) => assert.ok(Math.abs(x - 500000 ** (-(2 * i) / dim)) <= 1e-6 * x));
  const linear = inverseFrequencies({ theta: 500000, dim, scaling: { type: 'linear', factor: 4 } });
  linear.forEach((x, i) => assert.equal(x, Math.fround(base[i] / 4)));
  const llama3 = inverseFrequencies({
    theta: 500000,
    dim,
    scaling: { type: 'llama3', factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 8192 },
  });
  let kept = 0;
  let divided = 0;
  let blended = 0;
  base.forEach((x, i) => {
    const wavelen = (2 * Math.PI) / x;
    if (wavelen < 8192 / 4) kept += Number(llama3[i] === x);
    else if (wavelen > 8192) divided += Number(llama3[i] === Math.fround(x / 8));
    else {
      blended++;
      assert.ok(llama3[i] < x && llama3[i] > x / 8, `entry ${i} lies between`);
    }
  });
  assert.equal(kept + divided + blended, dim / 2);
  assert.ok(kept > 0 && divided > 0 && blended > 0, `${kept} kept, ${divided} divided, ${blended} blended`);
});
