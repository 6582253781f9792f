/**
 * Where a model's tokenizer comes from: `tokenizer:` (a folder or its tokenizer.json, opened only in the
 * second phase, so the trust check sees it first), else the `weights:` folder's own, else the one the lab
 * ships; a prompt file's model without any is an error that says what to add, the command line's is not
 * (`states --ids` and `export` need none). An export carries the tokenizer's files in the layout
 * `save_pretrained` writes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { modelSpecFromOptions } from '../../extension/lab/config';
import { loadModelFiles, parsePromptFile } from '../../extension/lab/promptFile';
import { exportModelFolder } from '../../extension/lab/models/exportFolder';
import { loadTokenizer } from '../../extension/lab/tokenizers';
import { untrustedPaths } from '../../extension/runner/trust';
import type { LabDiagnostic } from '../../extension/lab/types';
import { freshDir } from '../helpers/paths';
import { referenceFolder } from '../helpers/hfReference';
import { tinySpec } from '../helpers/specs';

const TINY_QWEN = `    config: Qwen/Qwen2.5-0.5B
    num_hidden_layers: 1
    hidden_size: 32
    intermediate_size: 37
    num_attention_heads: 4
    num_key_value_heads: 2
    vocab_size: 500`;

function promptIn(dir: string, entry: string): string {
  return `---\nmodels:\n  - name: qwen\n${entry}\n---\nIch will ein\n~ Ich will das\n`;
}

async function load(dir: string, text: string) {
  const parsed = parsePromptFile(text, join(dir, 'x.prompt'));
  return { parsed, loaded: await loadModelFiles(parsed) };
}

const errors = (d: LabDiagnostic[]) => d.filter((x) => x.severity === 'error');

test('`tokenizer:` names a folder or its tokenizer.json; the parser only records it (the trust check sees it first)', async () => {
  const dir = freshDir();
  for (const value of [referenceFolder('qwen2'), join(referenceFolder('qwen2'), 'tokenizer.json')]) {
    const { parsed, loaded } = await load(dir, promptIn(dir, `${TINY_QWEN}\n    tokenizer: ${value}`));
    assert.deepEqual(
      parsed.files.map((f) => [f.key, f.path]),
      [['tokenizer', value]],
    );
    assert.match(untrustedPaths(parsed.files)[0], /^qwen: tokenizer \//);
    assert.equal(parsed.experiment, null, 'a named file waits for the second phase');
    assert.deepEqual(errors(loaded.diagnostics), []);
    assert.deepEqual(loaded.experiment!.models[0].tokenizer, { kind: 'folder', folder: referenceFolder('qwen2') });
  }
});

test('a preset whose tokenizer the lab does not ship needs `tokenizer:` or `weights:`, and says so at `config:`', async () => {
  const dir = freshDir();
  const { parsed } = await load(dir, promptIn(dir, TINY_QWEN));
  const [d] = errors(parsed.diagnostics);
  assert.equal(d.code, 'no-tokenizer');
  assert.match(
    d.message,
    /the lab ships no Qwen2 tokenizer: give the model's own with `tokenizer:`.*or `weights:` a folder/,
  );
  assert.deepEqual(d.range.start, { line: 3, column: 12 }, 'on the `config:` value');
  // The command line tokenizes only when asked to: the spec resolves, without a tokenizer.
  const spec = await modelSpecFromOptions(
    new Map([
      ['config', 'Qwen/Qwen2.5-0.5B'],
      ['num_hidden_layers', '1'],
    ]),
    dir,
  );
  assert.equal(spec.tokenizer.kind, 'none');
});

test('a `weights:` folder with a tokenizer uses it; one without falls back to the shipped one', async () => {
  const dir = freshDir();
  const llama = await modelSpecFromOptions(new Map([['weights', referenceFolder('llama')]]), dir);
  assert.deepEqual(llama.tokenizer, { kind: 'folder', folder: referenceFolder('llama') });
  const gpt2 = await modelSpecFromOptions(new Map([['weights', referenceFolder('gpt2')]]), dir);
  assert.deepEqual(gpt2.tokenizer, { kind: 'bundled', name: 'gpt2' }, 'the GPT-2 fixture folder has no tokenizer.json');
});

test('a bad `tokenizer:` is an error on its value, naming what the folder lacks', async () => {
  const dir = freshDir();
  const slow = join(dir, 'slow');
  mkdirSync(slow);
  writeFileSync(join(slow, 'vocab.txt'), '[PAD]\n');
  writeFileSync(join(dir, 'notes.txt'), 'hello');
  const cases: [string, string, RegExp][] = [
    [join(dir, 'missing'), 'file-not-found', /no tokenizer at .*missing/],
    [slow, 'bad-tokenizer', /has no tokenizer\.json and tokenizer_config\.json.*only a slow tokenizer's files/],
    [join(dir, 'notes.txt'), 'bad-tokenizer', /must be a folder with tokenizer\.json .* not notes\.txt/],
  ];
  for (const [value, code, message] of cases) {
    const { loaded } = await load(dir, promptIn(dir, `${TINY_QWEN}\n    tokenizer: ${value}`));
    const found = errors(loaded.diagnostics);
    assert.deepEqual(
      found.map((d) => d.code),
      [code],
      JSON.stringify(found),
    );
    assert.match(found[0].message, message);
    assert.deepEqual(found[0].range.start, { line: 10, column: 15 }, 'on the `tokenizer:` value');
  }
});

test('an export carries its tokenizer: a folder’s files as they are, a shipped one as save_pretrained lays it out', async () => {
  const cache = freshDir();
  // A folder tokenizer: its files, byte for byte.
  const llama = await modelSpecFromOptions(new Map([['weights', referenceFolder('llama')]]), cache);
  const out = join(freshDir(), 'llama');
  const written = await exportModelFolder(llama, cache, out);
  const fixtureFiles = ['special_tokens_map.json', 'tokenizer.json', 'tokenizer_config.json'];
  assert.deepEqual(written.tokenizerFiles.map((f) => f.split('/').pop()).sort(), fixtureFiles);
  for (const name of fixtureFiles)
    assert.ok(readFileSync(join(out, name)).equals(readFileSync(join(referenceFolder('llama'), name))), name);
  assert.deepEqual(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).architectures, ['LlamaForCausalLM']);
  // The exported folder is itself a model folder with its tokenizer: it reads back with the same ids.
  const back = await modelSpecFromOptions(new Map([['weights', out]]), cache);
  const ids = (await loadTokenizer(back.tokenizer, cache)).encode('Ich will ein', true).ids;
  assert.deepEqual(ids, (await loadTokenizer(llama.tokenizer, cache)).encode('Ich will ein', true).ids);

  // A shipped tokenizer: tokenizer.json, tokenizer_config.json with added_tokens_decoder (HF's keys), the special tokens map.
  const gpt2Out = join(freshDir(), 'gpt2');
  await exportModelFolder(tinySpec('gpt2', { mode: 'eval' }), cache, gpt2Out);
  assert.deepEqual(readdirSync(gpt2Out).sort(), ['config.json', 'model.safetensors', ...fixtureFiles]);
  const config = JSON.parse(readFileSync(join(gpt2Out, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
  const theirs = JSON.parse(readFileSync(join(referenceFolder('llama'), 'tokenizer_config.json'), 'utf8')) as {
    added_tokens_decoder: Record<string, Record<string, unknown>>;
  };
  const ours = config.added_tokens_decoder as Record<string, Record<string, unknown>>;
  assert.deepEqual(Object.keys(ours), ['50256']);
  assert.deepEqual(Object.keys(ours['50256']).sort(), Object.keys(theirs.added_tokens_decoder['0']).sort());
  assert.equal(ours['50256'].content, '<|endoftext|>');
  assert.equal(config.tokenizer_class, 'GPT2Tokenizer');
  assert.deepEqual(JSON.parse(readFileSync(join(gpt2Out, 'special_tokens_map.json'), 'utf8')), {
    bos_token: '<|endoftext|>',
    eos_token: '<|endoftext|>',
    unk_token: '<|endoftext|>',
  });
  // …and the folder reads back as a folder tokenizer giving the shipped tokenizer's ids.
  const folder = await loadTokenizer({ kind: 'folder', folder: gpt2Out }, cache);
  const shipped = await loadTokenizer({ kind: 'bundled', name: 'gpt2' }, cache);
  for (const text of ['<pad> Ich will ein', 'Hello, world! <|endoftext|>', '  leading spaces'])
    assert.deepEqual(folder.encode(text, true).ids, shipped.encode(text, true).ids, text);
});
