/**
 * Model folders' own tokenizers against Hugging Face: for the llama, qwen2, bart and marian fixture
 * folders, every text of reference.json gives exactly Hugging Face's ids without special tokens, with the
 * tokenizer's default special tokens, and its tokens; `<pad>` written in the text is Marian's pad id (its
 * decoder start token) and BART's, ordinary text for Llama and Qwen2. Bad folders give a clear message.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openFolderTokenizer, TokenizerFolderError } from '../../extension/lab/tokenizers/folder';
import { decoderOf } from '../../extension/lab/experiment/decodeToken';
import { freshDir } from '../helpers/paths';
import { referenceFolder } from '../helpers/hfReference';
import { DECODER_FIXTURES, fixtureConfig, loadFamilyReference, SEQ2SEQ_FIXTURES } from '../helpers/familyReference';

const cacheDir = freshDir();

for (const model of [...DECODER_FIXTURES, ...SEQ2SEQ_FIXTURES]) {
  test(`${model}: every reference text tokenizes exactly as Hugging Face (ids, ids with special tokens, tokens)`, async () => {
    const tokenizer = await openFolderTokenizer(referenceFolder(model), cacheDir);
    const cases = loadFamilyReference(model).tokenizer;
    assert.equal(cases.length, 10);
    for (const c of cases) {
      const plain = tokenizer.encode(c.text, false);
      assert.deepEqual(plain.ids, c.ids, `${model} ids of ${JSON.stringify(c.text)}`);
      assert.deepEqual(
        plain.tokens.map((t) => t.text),
        c.tokens,
        `${model} tokens of ${JSON.stringify(c.text)}`,
      );
      assert.deepEqual(
        tokenizer.encode(c.text, true).ids,
        c.ids_special,
        `${model} ids_special of ${JSON.stringify(c.text)}`,
      );
    }
  });
}

test('`<pad>` in the text: the pad id for Marian (= its decoder_start_token_id) and BART, text for Llama and Qwen2', async () => {
  const first = async (model: string) =>
    (await openFolderTokenizer(referenceFolder(model), cacheDir)).encode('<pad> Ich will ein', false).tokens[0];
  const marian = await first('marian');
  assert.equal(marian.id, fixtureConfig('marian').pad_token_id);
  assert.equal(marian.id, fixtureConfig('marian').decoder_start_token_id);
  assert.equal(marian.special, true);
  assert.equal((await first('bart')).id, fixtureConfig('bart').pad_token_id);
  for (const model of DECODER_FIXTURES) assert.notEqual((await first(model)).text, '<pad>');
  const marianTokenizer = await openFolderTokenizer(referenceFolder('marian'), cacheDir);
  assert.equal(marianTokenizer.padTokenId, 2);
  assert.equal(marianTokenizer.eosTokenId, 0);
});

test('a folder without tokenizer.json, or with a FIFO in its place, is refused with a message naming the file', async () => {
  const empty = freshDir();
  await assert.rejects(openFolderTokenizer(empty, cacheDir), (e: unknown) => {
    assert.ok(e instanceof TokenizerFolderError);
    assert.match(e.message, /has no tokenizer\.json/);
    return true;
  });
  const fifo = freshDir();
  execFileSync('mkfifo', [join(fifo, 'tokenizer.json')]);
  copyFileSync(join(referenceFolder('marian'), 'tokenizer_config.json'), join(fifo, 'tokenizer_config.json'));
  await assert.rejects(openFolderTokenizer(fifo, cacheDir), /tokenizer\.json is not a regular file/);
  const noConfig = freshDir();
  writeFileSync(join(noConfig, 'tokenizer.json'), '{}');
  await assert.rejects(openFolderTokenizer(noConfig, cacheDir), /has no tokenizer_config\.json/);
});

test('the report names a byte token by its surface (decoded alone it is U+FFFD, the same for every byte)', async () => {
  const tokenizer = await openFolderTokenizer(referenceFolder('llama'), cacheDir);
  const decode = decoderOf(tokenizer);
  // Every id whose text alone is an incomplete character reads as its own `<0x..>` surface, and no two alike.
  const bytes = Array.from({ length: tokenizer.vocabSize }, (_, id) => id).filter((id) =>
    tokenizer.decode([id]).includes('\uFFFD'),
  );
  assert.ok(bytes.length > 0, 'the tiny Llama has byte tokens');
  for (const id of bytes) assert.match(decode(id), /^<0x[0-9A-F]{2}>$/, `id ${id}`);
  assert.equal(new Set(bytes.map(decode)).size, bytes.length);
  // A whole token reads as its decoded text; an id past the tokenizer's vocabulary says so.
  const word = tokenizer.encode('Auto', false).ids[0];
  assert.equal(decode(word), tokenizer.decode([word]));
  assert.equal(decode(tokenizer.vocabSize + 3), `<id ${tokenizer.vocabSize + 3}>`);
});
