/**
 * `encoder:` lines in the editor, over a real LSP connection, with Hugging Face's tiny MarianMT folder (its own
 * tokenizer.json) beside GPT-2: hover shows the tokens of both sides exactly as a run makes them (compared with
 * the tokens of the recorded run of the article's experiment), the CodeLens counts the source, the notes say
 * when an `encoder:` line or `~ encoder:` variant applies to no model, a case without a source is an error when
 * an encoder-decoder reads the file, and completion offers `encoder:` / `~ encoder:` where they fit.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CompletionItem, MarkupContent } from 'vscode-languageserver';
import type { MeasuredResult } from '../../extension/protocol/report';
import { referenceFolder } from '../helpers/hfReference';
import { recordedRun, resultsOf } from '../webview/recordedMessages';
import { lineOf, messageOf, promptFile, tempDir } from './fixtures';
import { LspTestClient } from './lspClient';

const labels = (items: CompletionItem[]) => items.map((i) => i.label);

/** The article's experiment (as the recorded run has it), the Marian folder copied by path. */
const ARTICLE_BODY =
  'encoder: I want to buy a car\n<pad> Ich will ein\n~ <pad> Ich will das\n~ encoder: I want to buy a house\n';
const articleText = () =>
  `---\nmodels:\n  - name: marian\n    weights: ${referenceFolder('marian')}\n  - name: gpt2\n    config: gpt2\n` +
  `    n_layer: 2\nseed: 0\n---\n${ARTICLE_BODY}`;
const BODY = 9; // the first body line of articleText()

/** The tokens a section of the hover shows, by the header it starts with. */
function hoverTokens(markdown: string, header: RegExp): string[] {
  const sections = markdown.split('\n\n');
  const at = sections.findIndex((s) => header.test(s));
  assert.ok(at >= 0, `no section ${header} in:\n${markdown}`);
  const block = sections[at + 1];
  return block.split('\n').slice(1, -1).join('\n').split(' │ ');
}

describe('encoder: lines in the editor', () => {
  let client: LspTestClient;
  let dir: string;
  // What the run of the article tokenized: Marian's decoder input and source, each variant's.
  const [decoderEdit, sourceEdit] = resultsOf(recordedRun('article')).filter(
    (r): r is MeasuredResult => r.model === 'marian' && r.kind === 'measured',
  );
  const tokens = (list: { text: string }[]) => list.map((t) => t.text);

  before(async () => {
    dir = tempDir();
    client = await LspTestClient.start({ initializationOptions: { cacheDir: tempDir(), trusted: true } });
  });
  after(() => client.kill());

  const published = (uri: string, count: number) =>
    client.unlessExited(client.diagnostics.next((p) => p.uri === uri && p.diagnostics.length === count));

  test('hover shows each side as the run tokenizes it: the source with special tokens, the decoder input as written', async () => {
    const text = articleText();
    const uri = promptFile(dir, 'article.prompt', text);
    await client.open(uri, text, 1);
    await published(uri, 0);
    const hoverAt = async (line: number) =>
      ((await client.hover(uri, { line, character: 12 }))?.contents as MarkupContent).value;

    const decoder = await hoverAt(BODY + 1);
    assert.deepEqual(hoverTokens(decoder, /^\*\*marian\*\* · decoder input/), tokens(decoderEdit.baseTokens));
    assert.match(decoder, /^\*\*marian\*\* · decoder input, as written \(no special tokens added\): 11 tokens/m);
    assert.deepEqual(hoverTokens(decoder, /^\*\*gpt2\*\*/), ['<', 'pad', '>', 'ĠIch', 'Ġwill', 'Ġe', 'in']);

    const source = await hoverAt(BODY);
    assert.deepEqual(hoverTokens(source, /^\*\*marian\*\* · source/), tokens(decoderEdit.otherStacks[0].baseTokens));
    assert.match(source, /^\*\*marian\*\* · source, with special tokens: 13 tokens/m);
    assert.match(source, /Ignored by gpt2: GPT-2 has no encoder/);
    assert.doesNotMatch(source, /\*\*gpt2\*\*/);

    const decoderVariant = await hoverAt(BODY + 2);
    assert.deepEqual(hoverTokens(decoderVariant, /^\*\*marian\*\* · decoder input/), tokens(decoderEdit.variantTokens));
    assert.match(decoderVariant, /10 tokens \(the base has 11: every position after the change shifts by 1\)/);

    const sourceVariant = await hoverAt(BODY + 3);
    assert.deepEqual(hoverTokens(sourceVariant, /^\*\*marian\*\* · source/), tokens(sourceEdit.variantTokens));
    assert.match(sourceVariant, /16 tokens \(the source has 13: every position after the change shifts by 3\)/);
    assert.match(sourceVariant, /Not applicable to gpt2: GPT-2 has no encoder/);

    // The CodeLens counts what the run reads: the source on its line, the decoder input as written on the base.
    const counts = (await client.codeLenses(uri)).filter((l) => l.command?.command === '');
    assert.deepEqual(
      counts.map((l) => [lineOf(l), l.command?.title]),
      [
        [BODY, 'marian: 13 tokens'],
        [BODY + 1, 'marian: 11 tokens · gpt2: 7 tokens'],
      ],
    );
  });

  test('hover on a decoder input without the decoder start token says what generate feeds first', async () => {
    const text =
      `---\nmodels:\n  - name: marian\n    weights: ${referenceFolder('marian')}\n---\n` +
      'encoder: I want to buy a car\nIch will ein\n~ Ich will das\n';
    const uri = promptFile(dir, 'no-start.prompt', text);
    await client.open(uri, text, 1);
    await published(uri, 0);
    const hover = ((await client.hover(uri, { line: 6, character: 2 }))?.contents as MarkupContent).value;
    assert.ok(
      hover.includes(
        "*marian: MarianMT's generate starts every decoder input with \\<pad\\> \\(id 2\\); this one starts with ▁I\\. Write \\<pad\\> first",
      ),
      hover,
    );
    const withStart = ((await client.hover(uri, { line: 5, character: 2 }))?.contents as MarkupContent).value;
    assert.doesNotMatch(withStart, /generate starts/, 'the source line is not a decoder input');
  });

  test('with no encoder-decoder in the file, the encoder line and its variant are said to apply to no model', async () => {
    const text = `---\nmodels:\n  - name: gpt2\n    config: gpt2\n    n_layer: 2\n---\n${ARTICLE_BODY}`;
    const uri = promptFile(dir, 'no-encoder.prompt', text);
    await client.open(uri, text, 1);
    const { diagnostics } = await client.diagnosticsFor(uri, 1);
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.severity, d.range.start.line]),
      [
        ['encoder-line-unused', 3, 6],
        ['encoder-variant-not-applicable', 3, 9],
      ],
    );
    assert.match(messageOf(diagnostics[0]), /no model in this file has an encoder: gpt2 \(GPT-2\) ignores this line/);
    assert.match(
      messageOf(diagnostics[1]),
      /applies to no model in this file: gpt2 \(GPT-2\) has no encoder, so a run shows it as not applicable/,
    );
  });

  test('an encoder-decoder needs every case’s source; an empty encoder line or an encoder variant without one is an error', async () => {
    const text =
      `---\nmodels:\n  - name: marian\n    weights: ${referenceFolder('marian')}\n---\n` +
      '<pad> Ich will ein\n~ <pad> Ich will das\n\nencoder:\n<pad> Ich\n~ <pad> Du\n\n<pad> Ja\n~ encoder: house\n';
    const uri = promptFile(dir, 'sources.prompt', text);
    await client.open(uri, text, 1);
    const { diagnostics } = await published(uri, 5);
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.range.start.line]).sort((a, b) => Number(a[1]) - Number(b[1])),
      [
        ['no-encoder-input', 5],
        ['empty-prompt', 8],
        ['no-variant', 12],
        ['no-encoder-input', 12],
        ['encoder-variant-without-encoder', 13],
      ],
    );
    const missing = diagnostics.find((d) => d.code === 'no-encoder-input')!;
    assert.match(
      messageOf(missing),
      /marian is an encoder-decoder \(MarianMT\): this case needs its source on an `encoder:` line/,
    );
  });

  test('completion offers `encoder:` at the start of a case and `~ encoder:` in a case with a source', async () => {
    const text = `${articleText()}\n\n`;
    const uri = promptFile(dir, 'complete.prompt', text);
    await client.open(uri, text, 1);
    await published(uri, 0);
    const afterCase = BODY + 5; // the empty line after the blank that ends the case
    const atStart = await client.completion(uri, { line: afterCase, character: 0 });
    assert.deepEqual(labels(atStart), ['encoder:']);
    assert.equal(
      atStart[0].textEdit && 'newText' in atStart[0].textEdit ? atStart[0].textEdit.newText : '',
      'encoder: ',
    );
    // `~ ` under the variants of a case with a source.
    const typed = `${articleText()}~ en\n`;
    await client.replace(uri, 2, typed);
    const variant = await client.completion(uri, { line: BODY + 4, character: 4 });
    assert.deepEqual(labels(variant), ['~ encoder:']);
    assert.deepEqual(
      variant[0].textEdit && 'range' in variant[0].textEdit
        ? [variant[0].textEdit.range, variant[0].textEdit.newText]
        : [],
      [{ start: { line: BODY + 4, character: 0 }, end: { line: BODY + 4, character: 4 } }, '~ encoder: '],
    );
    // Not inside a case's base prompt, and not where no model has an encoder.
    assert.deepEqual(labels(await client.completion(uri, { line: BODY + 1, character: 0 })), []);
    const plain = `---\nmodels:\n  - name: gpt2\n    config: gpt2\n---\n\n`;
    const other = promptFile(dir, 'plain.prompt', plain);
    await client.open(other, plain, 1);
    await client.diagnosticsFor(other, 1);
    assert.deepEqual(labels(await client.completion(other, { line: 5, character: 0 })), []);
  });
});
