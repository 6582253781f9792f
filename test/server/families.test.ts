/**
 * The Llama family and the encoder-decoders in the editor, over a real LSP connection: their config keys are
 * checked, completed and explained from their registry records; a `weights:` folder's own tokenizer counts the
 * tokens of the CodeLens and shows them on hover; a preset without a tokenizer says what to add.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CompletionItem, MarkupContent } from 'vscode-languageserver';
import { referenceFolder } from '../helpers/hfReference';
import { lineOf, messageOf, promptFile, tempDir } from './fixtures';
import { LspTestClient } from './lspClient';

const labels = (items: CompletionItem[]) => items.map((i) => i.label);

describe('families in the editor', () => {
  let client: LspTestClient;
  let dir: string;
  before(async () => {
    dir = tempDir();
    client = await LspTestClient.start({ initializationOptions: { cacheDir: tempDir(), trusted: true } });
  });
  after(() => client.kill());

  /** The diagnostics published once the files the document names are read (the first publish may precede that). */
  const published = (uri: string, count: number) => client.diagnosticsWhen(uri, (p) => p.diagnostics.length === count);

  test('a Llama folder: its tokenizer counts the tokens and shows them; its keys are checked and completed', async () => {
    const text =
      '---\nmodels:\n  - name: llama\n' +
      `    weights: ${referenceFolder('llama')}\n` +
      '    num_key_value_head: 4\n    \n---\nIch will ein\n~ Ich will das\n';
    const uri = promptFile(dir, 'llama.prompt', text);
    await client.open(uri, text, 1);
    const { diagnostics } = await published(uri, 1);
    assert.deepEqual(
      diagnostics.map((d) => [d.code, messageOf(d)]),
      [['unknown-key', '`num_key_value_head` is not a Llama config key; did you mean `num_key_value_heads`?']],
    );
    await client.replace(uri, 2, text.replace('num_key_value_head: 4', 'num_key_value_heads: 2'));
    const counts = (await client.codeLenses(uri)).filter((l) => l.command?.command === '');
    // `<s>` + the tiny SentencePiece vocabulary's pieces of "Ich will ein" (Hugging Face's ids_special: 7).
    assert.deepEqual(
      counts.map((l) => [lineOf(l), l.command?.title]),
      [[7, 'llama: 7 tokens']],
    );
    const hover = await client.hover(uri, { line: 7, character: 2 });
    assert.match((hover?.contents as MarkupContent).value, /\*\*llama\*\*: 7 tokens/);
    const completion = labels(await client.completion(uri, { line: 5, character: 4 }));
    for (const key of ['rope_theta', 'head_dim', 'attention_bias', 'tokenizer'])
      assert.ok(completion.includes(key), `${key} in ${completion.join(' ')}`);
    assert.ok(!completion.includes('n_layer'), 'no GPT-2 key for a Llama entry');
  });

  test('a preset whose tokenizer is not shipped says to add `tokenizer:`; Marian keys are its own', async () => {
    const text =
      '---\nmodels:\n  - name: qwen\n    config: Qwen/Qwen2.5-0.5B\n  - name: marian\n' +
      '    config: Helsinki-NLP/opus-mt-en-de\n    decoder_layers: 2\n    encoder_layerdrop: 0.1\n' +
      `    tokenizer: ${referenceFolder('marian')}\n---\nencoder: I want to buy a car\n<pad> Ich will ein\n~ <pad> Ich will das\n`;
    const uri = promptFile(dir, 'presets.prompt', text);
    await client.open(uri, text, 1);
    const { diagnostics } = await published(uri, 2);
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.range.start.line]),
      [
        ['no-tokenizer', 3],
        ['not-supported', 7],
      ],
    );
    assert.match(messageOf(diagnostics[0]), /the lab ships no Qwen2 tokenizer: give the model's own with `tokenizer:`/);
    assert.match(messageOf(diagnostics[1]), /not supported yet: `encoder_layerdrop: 0.1`/);
    const keyHover = await client.hover(uri, { line: 6, character: 6 });
    assert.match(
      (keyHover?.contents as MarkupContent).value,
      /^\*\*decoder_layers\*\* · MarianMT config key, changes the forward pass/,
    );
  });
});
