/**
 * Model configs: the presets hold the real Hugging Face values, the key tables accept every key
 * of real config files, dims read both families the same way, and the command line resolves a
 * model with the parser's rules (errors at the option's index, named by the option).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  checkConfigKey,
  COMMAND_LINE_FILE,
  dimsOf,
  dropoutRates,
  isArchitecture,
  moduleOf,
  shapeOf,
  modelSpecFromOptions,
  parseOptionValue,
  PRESETS,
  resolveModelSpec,
  type EntryField,
  type ModelFileReader,
} from '../../extension/lab/config';
import { LabInputError, type HfConfig, type SourceRange } from '../../extension/lab/types';
import { fixturesDir, freshDir } from '../helpers/paths';

const hfReference = (name: string) => join(fixturesDir(), 'hf-reference', name);

test('the bert-base-uncased preset is the real config', () => {
  assert.deepEqual(PRESETS['bert-base-uncased'], {
    architectures: ['BertForMaskedLM'],
    attention_probs_dropout_prob: 0.1,
    classifier_dropout: null,
    gradient_checkpointing: false,
    hidden_act: 'gelu',
    hidden_dropout_prob: 0.1,
    hidden_size: 768,
    initializer_range: 0.02,
    intermediate_size: 3072,
    is_decoder: false,
    add_cross_attention: false,
    layer_norm_eps: 1e-12,
    max_position_embeddings: 512,
    model_type: 'bert',
    num_attention_heads: 12,
    num_hidden_layers: 12,
    pad_token_id: 0,
    position_embedding_type: 'absolute',
    transformers_version: '4.6.0.dev0',
    type_vocab_size: 2,
    use_cache: true,
    vocab_size: 30522,
  });
});

test('the gpt2 preset is the real config', () => {
  assert.deepEqual(PRESETS.gpt2, {
    activation_function: 'gelu_new',
    architectures: ['GPT2LMHeadModel'],
    attn_pdrop: 0.1,
    bos_token_id: 50256,
    embd_pdrop: 0.1,
    eos_token_id: 50256,
    initializer_range: 0.02,
    layer_norm_epsilon: 1e-5,
    model_type: 'gpt2',
    n_ctx: 1024,
    n_embd: 768,
    n_head: 12,
    n_inner: null,
    n_layer: 12,
    n_positions: 1024,
    reorder_and_upcast_attn: false,
    resid_pdrop: 0.1,
    scale_attn_by_inverse_layer_idx: false,
    scale_attn_weights: true,
    summary_activation: null,
    summary_first_dropout: 0.1,
    summary_proj_to_labels: true,
    summary_type: 'cls_index',
    summary_use_proj: true,
    task_specific_params: { 'text-generation': { do_sample: true, max_length: 50 } },
    use_cache: true,
    vocab_size: 50257,
  });
});

test('every key of the presets and of the Hugging Face fixture configs is accepted', () => {
  const configs: Record<string, unknown>[] = [
    PRESETS['bert-base-uncased'],
    PRESETS.gpt2,
    ...['bert', 'bert-causal', 'gpt2'].map((name) =>
      JSON.parse(readFileSync(join(hfReference(name), 'config.json'), 'utf8')),
    ),
  ];
  for (const config of configs) {
    const architecture = config.model_type;
    assert.ok(isArchitecture(architecture));
    for (const [key, value] of Object.entries(config))
      assert.equal(checkConfigKey(architecture, key, value), undefined, `${architecture}: ${key}`);
  }
});

test('checkConfigKey: the four classes', () => {
  assert.equal(checkConfigKey('bert', 'is_decoder', true), undefined);
  assert.equal(checkConfigKey('gpt2', 'is_decoder', true)?.code, 'not-this-architecture');
  assert.equal(checkConfigKey('gpt2', 'transformers_version', '4.57.6'), undefined);
  assert.equal(checkConfigKey('bert', 'position_embedding_type', 'relative_key_query')?.code, 'not-supported');
  assert.equal(checkConfigKey('bert', 'position_embedding_type', 'sinusoidal')?.code, 'bad-value');
  assert.equal(checkConfigKey('bert', 'quantization_config', { bits: 4 })?.code, 'not-supported');
  assert.equal(checkConfigKey('bert', 'pruned_heads', {}), undefined);
  assert.equal(checkConfigKey('bert', 'pruned_heads', { 0: [1] })?.code, 'not-supported');
  assert.equal(checkConfigKey('bert', 'is_encoder_decoder', true)?.code, 'not-supported');
  assert.deepEqual(checkConfigKey('bert', 'n_head', 4), {
    code: 'unknown-key',
    message: '`n_head` is not a BERT config key; did you mean `num_attention_heads`?',
    suggestion: { target: 'key', key: 'n_head', texts: ['num_attention_heads'], closeMatch: true },
  });
  assert.deepEqual(checkConfigKey('gpt2', 'layer_norm_eps', 1e-5), {
    code: 'unknown-key',
    message: '`layer_norm_eps` is not a GPT-2 config key; did you mean `layer_norm_epsilon`?',
    suggestion: { target: 'key', key: 'layer_norm_eps', texts: ['layer_norm_epsilon'], closeMatch: true },
  });
  assert.equal(checkConfigKey('gpt2', 'attn_pdrop', 1)?.code, 'bad-value');
  assert.equal(checkConfigKey('gpt2', 'attn_pdrop', 0), undefined);
});

test('dims, dropout rates and attention rule of both families', () => {
  const bert = PRESETS['bert-base-uncased'] as HfConfig;
  assert.deepEqual(dimsOf(bert), {
    architecture: 'bert',
    numLayers: 12,
    hiddenSize: 768,
    numHeads: 12,
    headSize: 64,
    intermediateSize: 3072,
    vocabSize: 30522,
    maxPositions: 512,
    typeVocabSize: 2,
    layerNormEps: 1e-12,
    initializerRange: 0.02,
    padTokenId: 0,
  });
  assert.deepEqual(dropoutRates(bert, 'train'), { hidden_dropout_prob: 0.1, attention_probs_dropout_prob: 0.1 });
  assert.equal(moduleOf('bert').attention(bert), 'bidirectional');
  const gpt2 = PRESETS.gpt2 as HfConfig;
  assert.deepEqual(dimsOf(gpt2), {
    architecture: 'gpt2',
    numLayers: 12,
    hiddenSize: 768,
    numHeads: 12,
    headSize: 64,
    intermediateSize: 3072,
    vocabSize: 50257,
    maxPositions: 1024,
    layerNormEps: 1e-5,
    initializerRange: 0.02,
  });
  assert.deepEqual(dropoutRates(gpt2, 'train'), { resid_pdrop: 0.1, embd_pdrop: 0.1, attn_pdrop: 0.1 });
  assert.equal(moduleOf('gpt2').attention(gpt2), 'causal');
  // Which rate is which: distinct values make a mix-up visible.
  const gpt2b = { ...PRESETS.gpt2, resid_pdrop: 0.1, attn_pdrop: 0.2, embd_pdrop: 0.3, n_inner: 100 } as HfConfig;
  assert.deepEqual(dropoutRates(gpt2b, 'train'), { resid_pdrop: 0.1, attn_pdrop: 0.2, embd_pdrop: 0.3 });
  assert.deepEqual(dropoutRates(gpt2b, 'eval'), { resid_pdrop: 0, attn_pdrop: 0, embd_pdrop: 0 });
  assert.equal(shapeOf(gpt2b).stacks[0].intermediateSize, 100);
  const bertb = {
    ...PRESETS['bert-base-uncased'],
    hidden_dropout_prob: 0.3,
    attention_probs_dropout_prob: 0.2,
    is_decoder: true,
  } as HfConfig;
  assert.deepEqual(dropoutRates(bertb, 'train'), { hidden_dropout_prob: 0.3, attention_probs_dropout_prob: 0.2 });
  assert.equal(moduleOf('bert').attention(bertb), 'causal');

  const tiny = JSON.parse(readFileSync(join(hfReference('gpt2'), 'config.json'), 'utf8')) as HfConfig;
  const { stacks, vocabSize, maxPositions } = shapeOf(tiny);
  assert.deepEqual(
    [stacks[0].layers, stacks[0].hiddenSize, stacks[0].heads, vocabSize, maxPositions, stacks[0].intermediateSize],
    [2, 32, 4, 99, 64, 128],
  );
});

test('isArchitecture: every registered model_type, nothing else', () => {
  for (const a of ['bert', 'gpt2', 'llama', 'mistral', 'qwen2', 'bart', 'marian']) assert.ok(isArchitecture(a), a);
  assert.equal(isArchitecture('t5'), false);
  assert.equal(isArchitecture('constructor'), false);
  assert.equal(isArchitecture(undefined), false);
});

// ---------------------------------------------------------------- resolveModelSpec on its own

const at = (line: number, column: number, width = 1): SourceRange => ({
  start: { line, column },
  end: { line, column: column + width },
});

function fields(entries: Record<string, unknown>): EntryField[] {
  return Object.entries(entries).map(([key, value], line) => ({
    key,
    value,
    keyRange: at(line, 0, key.length),
    valueRange: at(line, key.length + 2),
  }));
}

/** A file system of a few files in memory: the resolver only reads through its ModelFileReader. */
function memoryFiles(files: Record<string, string>): ModelFileReader {
  const isDirectory = (path: string) => Object.keys(files).some((f) => f.startsWith(path + '/'));
  return {
    kindOf: async (path) => (Object.hasOwn(files, path) ? 'file' : isDirectory(path) ? 'folder' : 'missing'),
    readJson: async (path) => JSON.parse(files[path]),
    checkpointFiles: async (path) => [path],
  };
}

test('resolveModelSpec: defaults, overrides and a config from the reader it is given', async () => {
  const files = memoryFiles({
    '/models/tiny/config.json': JSON.stringify({ model_type: 'gpt2', n_layer: 1, n_embd: 16, n_head: 2 }),
  });
  const defaults = new Map<string, unknown>([
    ['seed', 5],
    ['mode', 'eval'],
  ]);
  const entry = {
    fields: fields({ name: 'tiny', config: 'tiny/config.json', n_positions: 32, atol: 0.5 }),
    range: at(0, 0, 0),
  };
  const { spec, diagnostics } = await resolveModelSpec(
    entry,
    { file: '/models/x.prompt', baseDir: '/models', defaults },
    files,
  );
  assert.deepEqual(diagnostics, []);
  assert.ok(spec);
  assert.equal(spec.configSource, '/models/tiny/config.json');
  assert.deepEqual(
    [spec.config.n_layer, spec.config.n_embd, spec.config.n_positions, spec.config.vocab_size],
    [1, 16, 32, 50257],
  );
  assert.deepEqual(
    [spec.seed, spec.mode, spec.atol, spec.rtol, spec.tokenizer],
    [5, 'eval', 0.5, 1e-5, { kind: 'bundled', name: 'gpt2' }],
  );
});

test('resolveModelSpec never shares a preset object', async () => {
  const files = memoryFiles({});
  const entry = { fields: fields({ name: 'g', config: 'gpt2' }), range: at(0, 0, 0) };
  const { spec } = await resolveModelSpec(entry, { file: 'x', baseDir: '/' }, files);
  assert.ok(spec);
  (spec.config.task_specific_params as Record<string, unknown>)['text-generation'] = null;
  spec.config.n_layer = 1;
  assert.deepEqual(PRESETS.gpt2.task_specific_params, { 'text-generation': { do_sample: true, max_length: 50 } });
  assert.equal(PRESETS.gpt2.n_layer, 12);
});

test('resolveModelSpec without a known architecture still reports keys of neither family', async () => {
  const entry = { fields: fields({ name: 'm', config: 'nope', n_layer: 2, colour: 'red' }), range: at(0, 0, 0) };
  const { spec, diagnostics } = await resolveModelSpec(entry, { file: 'x', baseDir: '/' }, memoryFiles({}));
  assert.equal(spec, null);
  assert.deepEqual(
    diagnostics.map((d) => [d.code, d.range.start.line]),
    [
      ['unknown-preset', 1],
      ['unknown-key', 3],
    ],
  );
  assert.match(diagnostics[1].message, /`colour` is not a model-entry key nor a config key of any architecture/);
});

// ---------------------------------------------------------------- the command line

test('option values are read as YAML scalars', () => {
  assert.equal(parseOptionValue('4'), 4);
  assert.equal(parseOptionValue('1e-3'), 0.001);
  assert.equal(parseOptionValue('true'), true);
  assert.equal(parseOptionValue('null'), null);
  assert.equal(parseOptionValue('eval'), 'eval');
  assert.equal(parseOptionValue('a: b'), 'a: b', 'only scalars; anything else stays text');
  assert.equal(parseOptionValue('[1, 2'), '[1, 2');
});

const options = (o: Record<string, string>) => new Map(Object.entries(o));

test('modelSpecFromOptions: presets, overrides, run settings, a default name', async () => {
  const spec = await modelSpecFromOptions(
    options({
      config: 'bert-base-uncased',
      is_decoder: 'true',
      num_hidden_layers: '4',
      mode: 'eval',
      seed: '3',
      atol: '1e-3',
    }),
    '/tmp',
  );
  assert.equal(spec.name, 'bert-base-uncased');
  assert.equal(spec.architecture, 'bert');
  assert.deepEqual(
    [spec.config.is_decoder, spec.config.num_hidden_layers, spec.mode, spec.seed, spec.atol],
    [true, 4, 'eval', 3, 0.001],
  );
  assert.equal(spec.addSpecialTokens, true);

  const gpt2 = await modelSpecFromOptions(options({ config: 'gpt2', name: 'small', n_layer: '2' }), '/tmp');
  assert.deepEqual([gpt2.name, gpt2.config.n_layer, gpt2.mode], ['small', 2, 'train']);
});

test('modelSpecFromOptions: weights folders and config paths resolve against cwd', async () => {
  const fromFolder = await modelSpecFromOptions(options({ weights: 'gpt2' }), join(fixturesDir(), 'hf-reference'));
  assert.equal(fromFolder.name, 'gpt2');
  assert.equal(fromFolder.weights, hfReference('gpt2'));
  assert.equal(fromFolder.mode, 'eval', 'given weights: eval, as from_pretrained');
  assert.equal(fromFolder.config.n_embd, 32);

  const dir = freshDir('plab-config-');
  writeFileSync(
    join(dir, 'small.json'),
    JSON.stringify({ model_type: 'bert', hidden_size: 64, num_attention_heads: 4 }),
  );
  const fromFile = await modelSpecFromOptions(options({ config: 'small.json' }), dir);
  assert.equal(fromFile.name, 'small');
  assert.equal(fromFile.configSource, join(dir, 'small.json'));
  assert.equal(fromFile.config.hidden_size, 64);
});

async function commandLineError(given: Record<string, string>, cwd = '/tmp'): Promise<LabInputError> {
  try {
    await modelSpecFromOptions(options(given), cwd);
  } catch (err) {
    assert.ok(err instanceof LabInputError, String(err));
    return err;
  }
  assert.fail('expected a LabInputError');
}

test('modelSpecFromOptions: errors name the option and point at its index', async () => {
  const err = await commandLineError({ config: 'bert-base-uncased', mode: 'eval', n_layer: '2' });
  assert.equal(err.diagnostics.length, 1);
  const [d] = err.diagnostics;
  assert.equal(d.file, COMMAND_LINE_FILE);
  assert.deepEqual(d.range.start, { line: 0, column: 2 });
  assert.equal(d.message, '--n_layer: `n_layer` is not a BERT config key; did you mean `num_hidden_layers`?');
  assert.equal(
    err.message,
    '<command line>:1:3: error: --n_layer: `n_layer` is not a BERT config key; did you mean `num_hidden_layers`?',
  );

  assert.match(
    (await commandLineError({ config: 'gpt2', is_decoder: 'true' })).message,
    /--is_decoder: GPT-2 has no `is_decoder`: it is always causal/,
  );
  assert.match(
    (await commandLineError({ config: 'gpt2', seed: 'x' })).message,
    /--seed: `seed` must be a whole number of at least 0, not "x"/,
  );
  assert.match(
    (await commandLineError({ config: 'gpt2', weights: 'model.bin' })).message,
    /--weights: pickle checkpoints are never loaded/,
  );
  assert.match(
    (await commandLineError({ config: 'gpt3' })).message,
    /--config: `gpt3` is neither a preset nor a file; did you mean `gpt2`\?/,
  );
  assert.match(
    (await commandLineError({ mode: 'eval' })).message,
    /<command line>:1:1: error: this model has no `config`/,
  );
  assert.match(
    (await commandLineError({ config: 'gpt2', text: 'hello' })).message,
    /--text: `text` is not a GPT-2 config key/,
  );
});
