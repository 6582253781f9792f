/**
 * Over a real LSP connection: hover on front-matter keys (meaning, allowed values, default — from the
 * parser's own tables), completion of values after `key: `, and a file where one model entry is broken:
 * the other models keep their token counts and hovers.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CompletionTriggerKind, type CompletionItem, type MarkupContent } from 'vscode-languageserver';
import { SEED_TEXT, lineOf, promptFile, range, seedUri, tempDir } from './fixtures';
import { LspTestClient } from './lspClient';

const labels = (items: CompletionItem[]) => items.map((i) => i.label);

describe('front-matter keys and model entries', () => {
  let client: LspTestClient;
  let dir: string;
  before(async () => {
    dir = tempDir();
    client = await LspTestClient.start({ initializationOptions: { cacheDir: tempDir() } });
  });
  after(() => client.kill());

  async function hoverText(uri: string, line: number, character: number): Promise<string | undefined> {
    const hover = await client.hover(uri, { line, character });
    return (hover?.contents as MarkupContent | undefined)?.value;
  }

  test('hover on a key: its meaning, allowed values and default, as the parser has them', async () => {
    const uri = seedUri(dir);
    await client.open(uri, SEED_TEXT, 1);
    const mode = await client.hover(uri, { line: 4, character: 6 });
    assert.deepEqual(mode?.range, range(4, 4, 4, 8));
    const modeText = (mode?.contents as MarkupContent).value;
    assert.match(modeText, /^\*\*mode\*\* · run setting — here in an entry: this model only/);
    assert.match(modeText, /`train` \(dropout on\) or `eval` \(dropout off\)/);
    assert.match(modeText, /Allowed: `train` or `eval`/);

    const seed = await hoverText(uri, 15, 1);
    assert.match(seed ?? '', /^\*\*seed\*\* · run setting — here at the top: the default of every model/);
    assert.match(seed ?? '', /Allowed: a whole number of at least 0 · Default: `0`/);

    const isDecoder = await hoverText(uri, 7, 8);
    assert.match(isDecoder ?? '', /^\*\*is_decoder\*\* · BERT config key, changes the forward pass/);
    assert.match(isDecoder ?? '', /Allowed: `true` or `false` · Default: `false` \(from `bert-base-uncased`\)/);

    assert.match((await hoverText(uri, 3, 5)) ?? '', /^\*\*config\*\* · model entry/);
    assert.match(
      (await hoverText(uri, 3, 5)) ?? '',
      /Values: `bert-base-uncased`, `gpt2`, `TinyLlama\/TinyLlama-1.1B-Chat-v1.0`, `Qwen\/Qwen2.5-0.5B`, `facebook\/bart-base` or `Helsinki-NLP\/opus-mt-en-de`/,
    );
    assert.equal(await hoverText(uri, 3, 13), undefined, 'on a value, no key hover');
  });

  test('hover on an enum key lists only what the builder implements', async () => {
    const text =
      '---\nmodels:\n  - name: b\n    config: bert-base-uncased\n    hidden_act: gelu\n    num_hidden_layers: 2\n---\na\n~ b\n';
    const uri = promptFile(dir, 'hover-enum.prompt', text);
    await client.open(uri, text, 1);
    assert.match(
      (await hoverText(uri, 4, 6)) ?? '',
      /Allowed: `gelu` · Default: `"gelu"`|Allowed: `gelu` · Default: `gelu`/,
    );
    assert.match((await hoverText(uri, 5, 6)) ?? '', /Default: `12` \(from `bert-base-uncased`\)/);
  });

  test('completion after `key: `: the values of that key, replacing what is typed', async () => {
    const text =
      '---\nmodels:\n  - name: b\n    config: bert-b\n    is_decoder: \n    hidden_act: \n    dropout: p\n    add_special_tokens: \n  - name: g\n    config: gpt2\n    activation_function: \n---\na\n~ b\n';
    const uri = promptFile(dir, 'values.prompt', text);
    await client.open(uri, text, 1);
    const presets = await client.completion(uri, { line: 3, character: 18 });
    assert.deepEqual(labels(presets), [
      'bert-base-uncased',
      'gpt2',
      'TinyLlama/TinyLlama-1.1B-Chat-v1.0',
      'Qwen/Qwen2.5-0.5B',
      'facebook/bart-base',
      'Helsinki-NLP/opus-mt-en-de',
    ]);
    assert.deepEqual(
      presets[0].textEdit,
      { range: range(3, 12, 3, 18), newText: 'bert-base-uncased' },
      'the hyphenated word whole',
    );
    assert.equal(presets[0].detail, 'preset · BERT');
    assert.deepEqual(labels(await client.completion(uri, { line: 4, character: 16 })), ['true', 'false']);
    assert.deepEqual(labels(await client.completion(uri, { line: 5, character: 16 })), ['gelu']);
    assert.deepEqual(labels(await client.completion(uri, { line: 6, character: 14 })), ['independent', 'paired']);
    assert.deepEqual(labels(await client.completion(uri, { line: 7, character: 24 })), ['true', 'false']);
    assert.deepEqual(labels(await client.completion(uri, { line: 10, character: 25 })), ['gelu_new']);
    // The space that triggers value completion asks for nothing elsewhere.
    const triggered = (line: number, character: number) =>
      client.connection.sendRequest('textDocument/completion', {
        textDocument: { uri },
        position: { line, character },
        context: { triggerKind: CompletionTriggerKind.TriggerCharacter, triggerCharacter: ' ' },
      });
    assert.deepEqual(await triggered(2, 4), []);
    assert.deepEqual(await triggered(12, 1), []);
    const keyItem = (await client.completion(uri, { line: 4, character: 4 })).find((i) => i.label === 'mode');
    assert.equal(
      keyItem?.command?.command,
      'editor.action.triggerSuggest',
      'a key with values opens them once inserted',
    );
  });

  test('one broken entry leaves the token counts and hovers of the other models', async () => {
    // The seed with a mistake in one entry (`n_layer` is GPT-2's name).
    const text = SEED_TEXT.replace(
      '    is_decoder: true           #',
      '    n_layer: 2\n    is_decoder: true           #',
    );
    assert.notEqual(text, SEED_TEXT);
    const uri = promptFile(dir, 'one-broken.prompt', text);
    await client.open(uri, text, 1);
    const { diagnostics } = await client.diagnosticsFor(uri, 1);
    assert.deepEqual(
      diagnostics.map((d) => d.code),
      ['unknown-key'],
    );
    const counts = (await client.codeLenses(uri)).filter((l) => l.command?.command === '');
    assert.deepEqual(
      counts.map((l) => [lineOf(l), l.command?.title]),
      [[20, 'gpt2: 7 tokens · bert: 6 tokens']],
    );
    assert.match(
      counts[0].command?.tooltip as string,
      /bert \(bert-uncased, add_special_tokens: false\): bert-causal-eval, bert$/m,
    );
    const hover = (await hoverText(uri, 20, 3)) ?? '';
    assert.match(hover, /\*\*gpt2\*\*: 7 tokens — gpt2/);
    assert.match(hover, /\*\*bert\*\*: 6 tokens — bert\\-causal\\-eval, bert\n/);
    assert.match(hover, /\*Not shown: bert\\-causal \(its entry has an error\)\*/);
  });

  test('no errors logged', () => {
    assert.deepEqual(client.errorLogs(), []);
  });
});
