/**
 * What the parser suggests with a problem, for the editor's quick fixes: every "did you mean" carries its
 * replacement, a wrong value the values that would be right (the closest first), and one model entry's error
 * leaves the other entries resolved.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadModelFiles, parsePromptFile } from '../../extension/lab/promptFile';
import type { Suggestion } from '../../extension/lab/types';
import { freshDir } from '../helpers/paths';
import { join } from 'node:path';

function suggestionOf(front: string, code: string): Suggestion | undefined {
  const text = `---\n${front}---\nThe cat sat\n~ The dog sat\n`;
  const { diagnostics } = parsePromptFile(text, join(freshDir('plab-suggest-'), 't.prompt'));
  const found = diagnostics.find((d) => d.code === code);
  assert.ok(found, `no ${code} in ${JSON.stringify(diagnostics)}`);
  return found.suggestion;
}

const gpt2 = 'models:\n  - name: g\n    config: gpt2\n';
const bert = 'models:\n  - name: b\n    config: bert-base-uncased\n';

test('keys: a misspelt top-level key, an entry key, a case key, a name from the other family', () => {
  assert.deepEqual(suggestionOf(`${gpt2}sed: 1\n`, 'unknown-key'), {
    target: 'key',
    key: 'sed',
    texts: ['seed'],
    closeMatch: true,
  });
  assert.deepEqual(suggestionOf(`${bert}    n_layer: 2\n`, 'unknown-key')?.texts, ['num_hidden_layers']);
  assert.deepEqual(suggestionOf(`${gpt2}    num_hidden_layers: 2\n`, 'unknown-key')?.texts, ['n_layer']);
  assert.deepEqual(suggestionOf(`${bert}    is_decoderr: true\n`, 'unknown-key')?.texts, ['is_decoder']);
  assert.deepEqual(suggestionOf(`${gpt2}cases:\n  - bse: a\n    variants: [b]\n`, 'unknown-key')?.texts, ['base']);
  // Without `config:` the architecture is unknown, and the key is still matched against both families.
  assert.deepEqual(suggestionOf('models:\n  - name: x\n    n_layr: 2\n', 'unknown-key')?.texts, ['n_layer']);
  assert.equal(suggestionOf(`${gpt2}    qqqqqqqq: 2\n`, 'unknown-key'), undefined, 'nothing close, nothing offered');
});

test('"Allowed:" lists only what works (`perturb` is not supported yet)', () => {
  const text = `---\n${gpt2}qqqqqqqq: 1\ncases:\n  - base: a\n    qqqqqqqq: 1\n    variants: [b]\n---\n`;
  const { diagnostics } = parsePromptFile(text, join(freshDir('plab-suggest-'), 't.prompt'));
  const allowed = diagnostics.filter((d) => d.code === 'unknown-key').map((d) => d.message.split('Allowed: ')[1]);
  assert.deepEqual(allowed, [
    '`models`, `cases`, `seed`, `mode`, `dropout`, `add_special_tokens`, `atol`, `rtol`, `compare`, `patch`, `patch_target`, `lens` and `heads`',
    '`base`, `encoder` and `variants`',
  ]);
});

test('values: a misspelt preset, an enum, a YAML 1.1 boolean, an empty value', async () => {
  // `gtp2` could be a file beside the prompt: it is known to be no preset only once files are looked at.
  const misspelt = `---\nmodels:\n  - name: g\n    config: gtp2\n---\nThe cat sat\n~ The dog sat\n`;
  const loaded = await loadModelFiles(parsePromptFile(misspelt, join(freshDir('plab-suggest-'), 't.prompt')));
  assert.deepEqual(loaded.diagnostics.find((d) => d.code === 'unknown-preset')?.suggestion, {
    target: 'value',
    key: 'config',
    texts: [
      'gpt2',
      'bert-base-uncased',
      'TinyLlama/TinyLlama-1.1B-Chat-v1.0',
      'Qwen/Qwen2.5-0.5B',
      'facebook/bart-base',
      'Helsinki-NLP/opus-mt-en-de',
    ],
    closeMatch: true,
  });
  assert.deepEqual(suggestionOf(`${gpt2}mode: evl\n`, 'bad-value'), {
    target: 'value',
    key: 'mode',
    texts: ['eval', 'train'],
    closeMatch: true,
  });
  assert.deepEqual(suggestionOf(`${bert}    is_decoder: yes\n`, 'bad-value')?.texts, ['true', 'false']);
  const empty = suggestionOf(`${gpt2}    dropout:\n`, 'bad-value');
  assert.deepEqual(empty, { target: 'value', key: 'dropout', texts: ['independent', 'paired'], closeMatch: false });
  // Only what the builder implements: `hidden_act: gelu`, not every activation Hugging Face knows.
  assert.deepEqual(suggestionOf(`${bert}    hidden_act: gelux\n`, 'bad-value')?.texts, ['gelu']);
});

test('an empty value says so in words, not "null"', () => {
  const text = `---\n${gpt2}    mode:\n---\na\n~ b\n`;
  const { diagnostics } = parsePromptFile(text, join(freshDir('plab-suggest-'), 't.prompt'));
  assert.equal(diagnostics[0].message, '`mode` has no value; write `train` or `eval`');
});

test('one broken entry leaves the others resolved', () => {
  const text = `---\nmodels:\n  - name: g\n    config: gpt2\n  - name: b\n    config: bert-base-uncased\n    n_layer: 2\n---\na\n~ b\n`;
  const result = parsePromptFile(text, join(freshDir('plab-suggest-'), 't.prompt'));
  assert.equal(result.experiment, null);
  assert.deepEqual(
    result.models.map((m) => m.name),
    ['g'],
  );
});
