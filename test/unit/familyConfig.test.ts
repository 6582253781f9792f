/**
 * Config keys, defaults, dimensions and presets of the family modules: the fixture configs that Hugging
 * Face saved and the four presets pass every check; the presets' parameter tables count exactly the
 * published sizes (python-figures.md: Qwen2.5-0.5B 494 M, TinyLlama 1 100 M); values the builder does not
 * implement are refused as "not supported yet" and impossible combinations named; rotary frequencies
 * follow Hugging Face's linear and llama3 rules.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkConfigKey, checkConsistency } from '../../extension/lab/config/validate';
import { describeConfig, moduleOf, PRESETS, withClassDefaults } from '../../extension/lab/models/registry';
import { parameterCount } from '../../extension/lab/models/blocks/parameters';
import { inverseFrequencies } from '../../extension/lab/models/blocks/rotary';
import type { LlamaDims } from '../../extension/lab/models/llama';
import type { Seq2SeqDims } from '../../extension/lab/models/bart';
import type { HfConfig } from '../../extension/lab/types';
import { DECODER_FIXTURES, fixtureConfig, SEQ2SEQ_FIXTURES } from '../helpers/familyReference';

/** Every problem of a raw config: each key on its own (the parser's check), then the rules between keys. */
function problems(raw: HfConfig): string[] {
  const single = Object.entries(raw).flatMap(([key, value]) => {
    const problem = checkConfigKey(raw.model_type, key, value);
    return problem ? [problem.message] : [];
  });
  return single.length > 0 ? single : checkConsistency(withClassDefaults(raw)).map((p) => p.message);
}

const FAMILY_PRESETS = [
  'TinyLlama/TinyLlama-1.1B-Chat-v1.0',
  'Qwen/Qwen2.5-0.5B',
  'facebook/bart-base',
  'Helsinki-NLP/opus-mt-en-de',
];

test('the configs Hugging Face saved for the four fixtures pass every check', () => {
  for (const model of [...DECODER_FIXTURES, ...SEQ2SEQ_FIXTURES]) {
    const raw = fixtureConfig(model);
    assert.deepEqual(problems(raw), [], model);
  }
});

test('the presets pass every check, and their parameter tables count the published sizes', () => {
  const counts: Record<string, number> = {};
  for (const name of FAMILY_PRESETS) {
    const preset = PRESETS[name];
    assert.ok(preset, `${name} is registered`);
    assert.deepEqual(problems(preset), [], name);
    const { module, dims } = describeConfig(withClassDefaults(preset));
    assert.ok(Object.hasOwn(module.presets, name), `${name} belongs to ${module.architecture}`);
    // `final_logits_bias` is a buffer: Hugging Face's num_parameters() leaves it out.
    counts[name] = parameterCount(module.parameters(dims).filter((p) => p.name !== 'final_logits_bias'));
  }
  assert.equal(counts['Qwen/Qwen2.5-0.5B'], 494_032_768); // "494 M params"
  assert.equal(counts['TinyLlama/TinyLlama-1.1B-Chat-v1.0'], 1_100_048_384); // "1100 M params"
  assert.equal(counts['facebook/bart-base'], 139_420_416); // 139 M, positions included
  assert.equal(counts['Helsinki-NLP/opus-mt-en-de'], 73_886_208); // 74 M without the 2 × 512 × 512 computed sinusoids
});

test('preset dimensions: Qwen2.5-0.5B 14 heads / 2 key-value heads of 64, tied, no window; TinyLlama 32 / 4', () => {
  const qwen = moduleOf('qwen2').dims(withClassDefaults(PRESETS['Qwen/Qwen2.5-0.5B'])) as LlamaDims;
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
  const tiny = moduleOf('llama').dims(withClassDefaults(PRESETS['TinyLlama/TinyLlama-1.1B-Chat-v1.0'])) as LlamaDims;
  assert.deepEqual(
    [tiny.hiddenSize, tiny.numLayers, tiny.numHeads, tiny.numKvHeads, tiny.headDim],
    [2048, 22, 32, 4, 64],
  );
  const marian = moduleOf('marian').dims(withClassDefaults(PRESETS['Helsinki-NLP/opus-mt-en-de'])) as Seq2SeqDims;
  assert.equal(marian.embedScale, Math.sqrt(512));
  assert.equal(marian.decoderStartTokenId, 58100);
  assert.equal(marian.padTokenId, 58100);
});

test('what the builder does not implement is "not supported yet"; impossible combinations are named', () => {
  const llama = fixtureConfig('llama');
  const says = (raw: HfConfig, pattern: RegExp) =>
    assert.ok(
      problems(raw).some((p) => pattern.test(p)),
      `${JSON.stringify(raw)}: ${problems(raw).join(' | ')}`,
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
