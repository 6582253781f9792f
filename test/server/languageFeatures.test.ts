/**
 * Hover and completion over a real LSP connection: the tokens each tokenizer makes of the prompt
 * under the cursor (real tokenizers), and front-matter completion from the engine's key tables.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MarkupKind, type CompletionItem, type MarkupContent } from 'vscode-languageserver';
import { SEED_TEXT, promptFile, range, seedUri, tempDir } from './fixtures';
import { LspTestClient } from './lspClient';

const labels = (items: CompletionItem[]) => items.map((i) => i.label);

describe('hover and completion', () => {
  let client: LspTestClient;
  let dir: string;
  before(async () => {
    dir = tempDir();
    client = await LspTestClient.start({ initializationOptions: { cacheDir: tempDir() } });
  });
  after(() => client.kill());

  test("hover on the seed base: every tokenizer's tokens, `<pad>` split into three", async () => {
    const uri = seedUri(dir);
    await client.open(uri, SEED_TEXT, 1);
    const hover = await client.hover(uri, { line: 19, character: 3 });
    const contents = hover?.contents as MarkupContent;
    assert.equal(contents.kind, MarkupKind.Markdown);
    assert.deepEqual(hover?.range, range(19, 0, 19, 18));
    assert.match(contents.value, /\*\*gpt2\*\*: 7 tokens — gpt2\n\n```text\n< │ pad │ > │ ĠIch │ Ġwill │ Ġe │ in\n```/);
    assert.match(
      contents.value,
      /\*\*bert\*\*: 6 tokens — bert\\-causal, bert\\-causal\\-eval, bert\n\n```text\n< │ pad │ > │ ich │ will │ ein\n```/,
    );
    // Anywhere on a variant's line, `~ ` included; the same count as the base, so no shift is announced.
    const variant = await client.hover(uri, { line: 20, character: 0 });
    assert.deepEqual(variant?.range, range(20, 2, 20, 20));
    assert.doesNotMatch((variant?.contents as MarkupContent).value, /shifts/);
    // In the front matter only keys have a hover (keysAndEntries.test.ts), values none.
    assert.equal(await client.hover(uri, { line: 3, character: 13 }), null, 'no token hover in the front matter');
  });

  test('hover on a variant with another token count warns that later positions shift', async () => {
    const text = '---\nmodels:\n  - name: gpt2\n    config: gpt2\n---\nThe cat sat\n~ The cat sat down\n';
    const uri = promptFile(dir, 'shift.prompt', text);
    await client.open(uri, text, 1);
    const hover = await client.hover(uri, { line: 6, character: 5 });
    assert.match(
      (hover?.contents as MarkupContent).value,
      /4 tokens \(the base has 3: every position after the change shifts by 1\)/,
    );
  });

  test('no hover while the file has errors (the models are not known)', async () => {
    const text = '---\nmodels:\n  - name: gpt2\n    config: [gpt2\n---\nThe cat sat\n~ The dog sat\n';
    const uri = promptFile(dir, 'broken-hover.prompt', text);
    await client.open(uri, text, 1);
    assert.equal(await client.hover(uri, { line: 5, character: 2 }), null);
  });

  const ENTRY =
    '---\nmodels:\n  - name: gpt2\n    config: gpt2\n    \n  - name: bert\n    config: bert-base-uncased\n    \nseed: 0\n\n---\nThe cat sat\n~ The dog sat\n';

  test('completion in a model entry: entry keys not yet written, then the config keys of its architecture', async () => {
    const uri = promptFile(dir, 'complete.prompt', ENTRY);
    await client.open(uri, ENTRY, 1);
    const gpt2 = labels(await client.completion(uri, { line: 4, character: 4 }));
    assert.ok(gpt2.includes('weights') && gpt2.includes('mode') && gpt2.includes('n_layer'), gpt2.join(' '));
    assert.ok(!gpt2.includes('name') && !gpt2.includes('config'), 'keys already in the entry are not offered');
    assert.ok(
      !gpt2.includes('num_hidden_layers') && !gpt2.includes('is_decoder'),
      'BERT keys are not offered for GPT-2',
    );
    const bert = labels(await client.completion(uri, { line: 7, character: 4 }));
    assert.ok(
      bert.includes('num_hidden_layers') && bert.includes('is_decoder') && !bert.includes('n_layer'),
      bert.join(' '),
    );
    const item = (await client.completion(uri, { line: 7, character: 4 })).find((i) => i.label === 'is_decoder');
    assert.equal(item?.insertText, 'is_decoder: ');
  });

  test('completion at the top level: front-matter keys not yet written; values of few-word keys; nothing in the body', async () => {
    const uri = promptFile(dir, 'complete-top.prompt', ENTRY);
    await client.open(uri, ENTRY, 1);
    const top = labels(await client.completion(uri, { line: 9, character: 0 }));
    assert.ok(top.includes('atol') && top.includes('cases') && top.includes('add_special_tokens'), top.join(' '));
    assert.ok(!top.includes('models') && !top.includes('seed'), 'keys already written are not offered');

    const text = '---\nmodels:\n  - name: gpt2\n    config: \n    mode: e\n---\nThe cat sat\n~ The dog sat\n';
    const values = promptFile(dir, 'complete-values.prompt', text);
    await client.open(values, text, 1);
    assert.deepEqual(labels(await client.completion(values, { line: 4, character: 11 })), ['train', 'eval']);
    assert.deepEqual(labels(await client.completion(values, { line: 3, character: 12 })).sort(), [
      'Helsinki-NLP/opus-mt-en-de',
      'Qwen/Qwen2.5-0.5B',
      'TinyLlama/TinyLlama-1.1B-Chat-v1.0',
      'bert-base-uncased',
      'facebook/bart-base',
      'gpt2',
    ]);
    assert.deepEqual(await client.completion(values, { line: 6, character: 3 }), []);
  });

  test('case keys inside `cases:`', async () => {
    const text = '---\nmodels:\n  - name: gpt2\n    config: gpt2\ncases:\n  - base: "a"\n    \n---\n';
    const uri = promptFile(dir, 'complete-cases.prompt', text);
    await client.open(uri, text, 1);
    assert.deepEqual(
      labels(await client.completion(uri, { line: 6, character: 4 })).sort(),
      ['encoder', 'variants'],
      'only what works',
    );
  });

  test('no errors logged; clean exit', async () => {
    assert.deepEqual(client.errorLogs(), []);
    assert.equal(await client.stop(), 0);
  });
});
