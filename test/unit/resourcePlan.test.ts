/**
 * The resource plan on its own: sizes as people write them, model sizes checked against the real parameter
 * tables and graphs, refusals with the numbers and the keys that drive them (on a fixed machine, so the
 * numbers are the same everywhere), passes that fit, and the machine's limits read from a cgroup tree.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { onnx } from 'onnx-proto';
import { BYTE_SIZE_FORMS, formatBytes, formatCount, parseByteSize } from '../../extension/protocol/sizes';
import { PRESETS, dimsOf } from '../../extension/lab/config';
import { moduleOf, withClassDefaults } from '../../extension/lab/models/registry';
import { ensureModel } from '../../extension/lab/models/modelCache';
import {
  checkpointBytes,
  clampThreads,
  estimateModel,
  MAX_INPUTS_PER_PASS,
  memoryCeiling,
  PASS_BUDGET_BYTES,
  planModel,
  planPasses,
  resolveLimits,
  ResourceError,
  type MachineMemory,
  type PlanContext,
} from '../../extension/lab/resources';
import { sizeDrivers } from '../../extension/lab/resources/drivers';
import { countParameters } from '../../extension/lab/resources/modelSize';
import type { HfConfig, ModelSpec } from '../../extension/lab/types';
import { freshDir } from '../helpers/paths';

const zero = { line: 0, column: 0 };
function presetSpec(
  preset: 'gpt2' | 'bert-base-uncased',
  overrides: Record<string, unknown> = {},
  mode = 'eval',
): ModelSpec {
  const config = { ...PRESETS[preset], ...overrides } as HfConfig;
  return {
    name: 'm',
    architecture: config.model_type,
    config,
    configSource: preset,
    seed: 0,
    mode: mode as ModelSpec['mode'],
    dropout: 'independent',
    addSpecialTokens: true,
    atol: 1e-8,
    rtol: 1e-5,
    tokenizer: { kind: 'bundled', name: config.model_type === 'bert' ? 'bert-uncased' : 'gpt2' },
    range: { start: zero, end: zero },
  };
}

/** A 24 GB machine with 20 GB available and no cgroup: the default limit is 18 GB. */
const machine: MachineMemory = { total: 24e9, available: 20e9, cgroup: null };
const knobs = { memoryKnob: '--memory-limit', cacheKnob: '--cache-limit' };
const ctx: PlanContext = { limits: resolveLimits(knobs, machine), machine, heldNow: 0 };

function refusal(fn: () => unknown): ResourceError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ResourceError) return e;
    throw e;
  }
  throw new Error('expected a ResourceError');
}

test('sizes: 18GB, 500MB, 1.5GiB and plain bytes in; 95.6 GB out; anything else is not a size', () => {
  assert.equal(parseByteSize('18GB'), 18e9);
  assert.equal(parseByteSize('500MB'), 500e6);
  assert.equal(parseByteSize(' 1.5 GiB '), 1.5 * 2 ** 30);
  assert.equal(parseByteSize('1048576'), 1048576);
  assert.equal(parseByteSize('2g'), 2e9);
  assert.equal(parseByteSize('10kb'), 10e3);
  for (const bad of ['', 'GB', '-1GB', '1XB', '1e9', '18 G B', '99999999999999999999TB'])
    assert.equal(parseByteSize(bad), undefined, bad);
  assert.match(BYTE_SIZE_FORMS, /18GB/);
  assert.equal(formatBytes(95.6e9), '95.6 GB');
  assert.equal(formatBytes(999.6e6), '1 GB');
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatCount(23.9e9), '23.9 B');
  assert.equal(formatCount(124_439_808), '124 M');
});

test('model sizes match the real parameter tables and graphs (extrapolated from one and two layers)', () => {
  for (const preset of ['gpt2', 'bert-base-uncased'] as const) {
    const dims = dimsOf(PRESETS[preset] as HfConfig);
    const module = moduleOf(dims.architecture);
    const table = module.parameters(dims);
    const size = estimateModel(dims);
    assert.equal(
      size.parameters,
      table.reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0),
      preset,
    );
    const shapes = new Map(table.map((p) => [p.name, p.shape]));
    const graph = module.graph(dims, (b, name) =>
      b.external({ name, dims: shapes.get(name)!, location: 'model.safetensors', offset: 0, length: 0 }),
    );
    assert.equal(size.graphNodes, onnx.ModelProto.decode(graph.encode('x', 'y')).graph!.node!.length, preset);
    assert.equal(size.hasLmHead, preset === 'gpt2');
  }
  // A BF16 checkpoint takes half the disk of the float32 the lab computes in.
  const gpt2 = estimateModel(dimsOf(PRESETS.gpt2 as HfConfig));
  assert.equal(checkpointBytes(gpt2, 'BF16'), gpt2.weightBytes / 2);
  assert.equal(checkpointBytes(gpt2, 'F32'), gpt2.weightBytes);
  // Hugging Face's own counts: GPT2Model 124,439,808; BertModel (with its pooler) 109,482,240.
  assert.equal(estimateModel(dimsOf(PRESETS.gpt2 as HfConfig)).parameters, 124_439_808);
  assert.equal(estimateModel(dimsOf(PRESETS['bert-base-uncased'] as HfConfig)).parameters, 109_482_240);
});

test('every family: sizes extrapolated from one and two layers per stack equal the real tables and graphs', () => {
  const configs: Record<string, unknown>[] = [
    { ...PRESETS['facebook/bart-base'], encoder_layers: 3, decoder_layers: 2, vocab_size: 500 },
    {
      ...PRESETS['Helsinki-NLP/opus-mt-en-de'],
      encoder_layers: 2,
      decoder_layers: 4,
      vocab_size: 300,
      decoder_vocab_size: 300,
      pad_token_id: 299,
      decoder_start_token_id: 299,
    },
    { ...PRESETS['Qwen/Qwen2.5-0.5B'], num_hidden_layers: 3, vocab_size: 500 },
    { ...PRESETS['TinyLlama/TinyLlama-1.1B-Chat-v1.0'], num_hidden_layers: 3, vocab_size: 500 },
    {
      ...PRESETS['Qwen/Qwen2.5-0.5B'],
      num_hidden_layers: 4,
      use_sliding_window: true,
      max_window_layers: 2,
      vocab_size: 500,
    },
  ];
  for (const raw of configs) {
    const dims = dimsOf(withClassDefaults(raw as HfConfig));
    const module = moduleOf(dims.architecture);
    const table = module.parameters(dims);
    const shapes = new Map(table.map((p) => [p.name, p.shape]));
    const graph = module.graph(dims, (b, name) =>
      b.external({ name, dims: shapes.get(name)!, location: 'model.safetensors', offset: 0, length: 0 }),
    );
    const size = estimateModel(dims);
    const what = `${dims.architecture} ${JSON.stringify(module.layerCounts(dims))}`;
    assert.equal(
      size.parameters,
      table.reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0),
      what,
    );
    assert.equal(size.graphNodes, onnx.ModelProto.decode(graph.encode('x', 'y')).graph!.node!.length, what);
    assert.equal(
      size.layers,
      module.layerCounts(dims).reduce((a, b) => a + b, 0),
      what,
    );
    assert.equal(size.hasLmHead, true, what);
  }
});

test('the disk estimate covers what a build really writes', { timeout: 60_000 }, async () => {
  const spec = presetSpec('gpt2', { n_layer: 3, n_embd: 64, n_head: 4 });
  const built = await ensureModel(spec, freshDir());
  const written = statSync(built.weightsPath).size + statSync(built.onnxPath).size;
  const estimated = estimateModel(built.dims).diskBytes;
  assert.ok(estimated >= written && estimated < written * 1.05, `estimated ${estimated}, written ${written}`);
});

test('a model too large for the memory limit is refused naming the key and the numbers', () => {
  const e = refusal(() =>
    planModel(presetSpec('bert-base-uncased', { hidden_size: 65536, num_attention_heads: 16 }), ctx),
  );
  assert.equal(e.code, 'model-too-large');
  assert.match(e.message, /^m: `hidden_size: 65536` → 217 B parameters = 869 GB float32/);
  assert.match(e.message, /limit 18 GB \(75 % of this machine's 24 GB; --memory-limit sets another\)/);
  // Absurd sizes that used to overflow typed arrays or the stack are caught by the same plan.
  for (const [preset, key, value] of [
    ['gpt2', 'vocab_size', 3e9],
    ['gpt2', 'n_positions', 1e9],
    ['bert-base-uncased', 'intermediate_size', 3e9],
    ['gpt2', 'n_layer', 100000],
  ] as const) {
    const r = refusal(() => planModel(presetSpec(preset, { [key]: value }), ctx));
    assert.equal(r.code, 'model-too-large', key);
    assert.match(r.message, new RegExp(`\`${key}: ${value}\` → `), key);
  }
});

test('a model too deep to open in reasonable time is refused, whatever its width', () => {
  const e = refusal(() => planModel(presetSpec('gpt2', { n_layer: 100000, n_embd: 8, n_head: 2 }), ctx));
  assert.equal(e.code, 'model-too-deep');
  // About 57 nodes a layer: 3 of them take patching's entry rows and head mask, 15 read out the lens (5 of those
  // chain its layers) and the picked heads (blocks/lens.ts).
  assert.match(e.message, /`n_layer: 100000` → 100000 layers = 5\.7 M graph nodes/);
  assert.match(e.message, /at most about \d+ layers/);
  // The real families' depths pass.
  planModel(presetSpec('gpt2', { n_layer: 48, n_embd: 64, n_head: 4 }), ctx);
});

test('a tensor larger than one array can hold is refused even under a huge limit', () => {
  const huge: MachineMemory = { total: 1e15, available: 1e15, cgroup: null };
  const hugeCtx: PlanContext = { limits: resolveLimits(knobs, huge), machine: huge, heldNow: 0 };
  const e = refusal(() => planModel(presetSpec('gpt2', { vocab_size: 2e9, n_embd: 8, n_head: 2 }), hugeCtx));
  assert.equal(e.code, 'tensor-too-large');
  assert.match(e.message, /`vocab_size: 2000000000` → `transformer\.wte\.weight` holds 16 B values = 64 GB float32/);
});

test('the tightest ceiling is the one named: the limit, the memory available now, a cgroup', () => {
  assert.match(memoryCeiling(ctx).text, /^limit 18 GB/);
  const busy: MachineMemory = { total: 24e9, available: 2e9, cgroup: null };
  const busyCtx = { limits: resolveLimits(knobs, busy), machine: busy, heldNow: 0 };
  assert.match(memoryCeiling(busyCtx).text, /only 2 GB of memory is available now \(of 24 GB\)/);
  const e = refusal(() => planModel(presetSpec('gpt2', { n_layer: 48, n_embd: 1600, n_head: 25 }), busyCtx));
  assert.match(e.message, /only 2 GB of memory is available now/);
  const contained: MachineMemory = {
    total: 24e9,
    available: 20e9,
    cgroup: { limit: 4e9, workingSet: 1e9, source: '/sys/fs/cgroup/memory.max' },
  };
  const limits = resolveLimits(knobs, contained);
  assert.equal(limits.memory.bytes, 3e9);
  assert.match(limits.memory.source, /75 % of the 4 GB this process's control group may use/);
  const set = resolveLimits({ ...knobs, memoryLimit: { bytes: 5e8, source: 'set by --memory-limit 500MB' } }, machine);
  assert.equal(set.memory.bytes, 5e8);
  assert.equal(set.cache.bytes, 10e9);
});

test('full-size models fit; long cases are split into passes within the pass budget', () => {
  const plan = planModel(presetSpec('bert-base-uncased'), ctx);
  assert.ok(plan.openBytes > 438e6 && plan.openBytes < 700e6, `bert-base open: ${plan.openBytes}`);
  const long = planPasses(plan, {
    inputs: 22,
    kept: 2,
    length: 500,
    train: false,
    attentions: false,
    logitRowsPerInput: 1,
  });
  assert.ok(long.inputsPerPass > 1 && long.inputsPerPass < 22, `${long.inputsPerPass} per pass`);
  assert.ok(long.passBytes <= PASS_BUDGET_BYTES, `${long.passBytes}`);
  assert.equal(long.passes, Math.ceil(22 / long.inputsPerPass));
  const train = planPasses(plan, {
    inputs: 22,
    kept: 2,
    length: 500,
    train: true,
    attentions: false,
    logitRowsPerInput: 1,
  });
  assert.ok(train.inputsPerPass < long.inputsPerPass, "train mode's dropout masks take room");
  const short = planPasses(plan, {
    inputs: 20002,
    kept: 2,
    length: 8,
    train: false,
    attentions: false,
    logitRowsPerInput: 1,
  });
  assert.equal(short.inputsPerPass, MAX_INPUTS_PER_PASS);
  // One input that does not fit beside the open model is refused with its length.
  const tight: MachineMemory = { total: 24e9, available: 20e9, cgroup: null };
  const tightCtx = {
    limits: resolveLimits({ ...knobs, memoryLimit: { bytes: plan.openBytes + 100e6, source: 'set by test' } }, tight),
    machine: tight,
    heldNow: 0,
  };
  const e = refusal(() =>
    planPasses(planModel(presetSpec('bert-base-uncased', {}, 'train'), tightCtx), {
      inputs: 3,
      kept: 2,
      length: 512,
      train: true,
      attentions: false,
      logitRowsPerInput: 1,
    }),
  );
  assert.equal(e.code, 'input-too-large');
  assert.match(e.message, /one 512-token input needs .* for a forward pass \(train mode's dropout masks\)/);
});

test('the keys that drive a size are found by measuring, biggest first', () => {
  const spec = presetSpec('gpt2', { n_layer: 96, n_embd: 3072, n_head: 24, layer_norm_epsilon: 1e-3 });
  const drivers = sizeDrivers(spec, countParameters);
  assert.deepEqual(
    drivers.map((d) => d.key),
    ['n_embd', 'n_layer'],
  );
  assert.deepEqual(sizeDrivers(presetSpec('gpt2', { n_layer: 2 }), countParameters), [], 'smaller is no driver');
});

test('threads: at most one per core; 0 lets onnxruntime choose', () => {
  assert.equal(clampThreads(100000, 2), 2);
  assert.equal(clampThreads(1, 2), 1);
  assert.equal(clampThreads(0, 2), undefined);
  assert.equal(clampThreads(undefined, 2), undefined);
});

test('the plan of a file is quick: a thousand entries of one shape are estimated once', () => {
  const spec = presetSpec('gpt2');
  const first = estimateModel(dimsOf(spec.config));
  for (let i = 0; i < 1000; i++) assert.equal(estimateModel(dimsOf({ ...spec.config } as HfConfig)), first);
});
