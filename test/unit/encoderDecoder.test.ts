/**
 * The encoder-decoder article's experiment in one prompt file, run by the engine on Hugging Face's own tiny
 * Marian and BART (their folders via `weights:`, their own tokenizers) beside a Llama and a GPT-2: a decoder
 * edit leaves earlier decoder positions bit-identical and the encoder untouched; a source edit changes every
 * encoder position (bidirectional) and reaches every decoder position through cross-attention; models without
 * an encoder answer the source variant as not applicable. The findings explain `<pad>` per tokenizer, the
 * decoder start token, and a train mode without dropout. Split into passes, the answers are the same bit for bit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePromptFile, loadModelFiles } from '../../extension/lab/promptFile';
import { runExperiment } from '../../extension/lab/experiment/runExperiment';
import { ModelStore } from '../../extension/lab/models/modelStore';
import { LabInputError, type Experiment } from '../../extension/lab/types';
import { runnerMessageProblem } from '../../extension/protocol/runner';
import type { FindingCode, MeasuredResult, VariantResult } from '../../extension/protocol/report';
import { freshDir } from '../helpers/paths';
import { referenceFolder } from '../helpers/hfReference';
import { measured } from '../helpers/results';
import { fixtureConfig } from '../helpers/familyReference';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TINY_GPT2_KEYS } from '../helpers/tinyPrompts';

const ARTICLE = `---
models:
  - name: marian
    weights: ${referenceFolder('marian')}
  - name: bart
    weights: ${referenceFolder('bart')}
  - name: llama
    weights: ${referenceFolder('llama')}
    mode: train
  - name: gpt2
${TINY_GPT2_KEYS}
    mode: eval
---
encoder: I want to buy a car
<pad> Ich will ein
~ <pad> Ich will das
~ encoder: I want to buy a house
`;

async function experimentOf(text: string): Promise<Experiment> {
  const loaded = await loadModelFiles(parsePromptFile(text, '/virtual/article.prompt'));
  assert.deepEqual(
    loaded.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  return loaded.experiment!;
}

const cacheDir = freshDir();
const codes = (r: MeasuredResult): FindingCode[] => r.findings.map((f) => f.code);

let shared: Promise<VariantResult[]> | undefined;
function articleResults(): Promise<VariantResult[]> {
  shared ??= (async () => {
    const store = new ModelStore(cacheDir);
    try {
      return (await runExperiment(await experimentOf(ARTICLE), { store })).results;
    } finally {
      await store.dispose();
    }
  })();
  return shared;
}

const find = (results: VariantResult[], model: string, variantIndex: number) =>
  results.find((r) => r.model === model && r.variantIndex === variantIndex)!;

test('a decoder edit: earlier decoder positions bit-identical, the encoder untouched; said per stack', async () => {
  const results = await articleResults();
  for (const model of ['marian', 'bart']) {
    const r = measured(find(results, model, 0));
    assert.equal(r.stack, 'decoder');
    assert.equal(r.edits, 'text');
    assert.equal(r.verdict, 'causal', r.explanation);
    assert.equal(r.evidence.earlierMaxAbsDiff, 0, 'earlier decoder positions are bit-identical');
    assert.equal(r.frontier.firstChanged, r.frontier.firstPerturbed);
    assert.equal(r.attentionMask.rule, 'causal');
    const [encoder] = r.otherStacks;
    assert.equal(encoder.stack, 'encoder');
    assert.equal(encoder.verdict, 'unchanged');
    assert.ok(
      encoder.layers.every((l) => l.maxAbsDiff.every((x) => x === 0)),
      'every encoder state is the base’s',
    );
    assert.match(r.explanation, /^Decoder — Causal: .* Encoder: unchanged — the encoder reads only the source/);
    assert.ok(r.nextToken, 'the LM head gives the next-token shift');
  }
});

test('a source edit: every encoder position changes (bidirectional) and reaches every decoder position', async () => {
  const results = await articleResults();
  for (const model of ['marian', 'bart']) {
    const r = measured(find(results, model, 1));
    assert.equal(r.stack, 'encoder');
    assert.equal(r.edits, 'encoder');
    assert.equal(r.baseText, 'I want to buy a car');
    assert.equal(r.variantText, 'I want to buy a house');
    assert.equal(r.verdict, 'bidirectional', r.explanation);
    assert.equal(r.attentionMask.rule, 'bidirectional');
    assert.equal(r.frontier.firstChanged, 0);
    const [decoder] = r.otherStacks;
    assert.equal(decoder.stack, 'decoder');
    assert.equal(decoder.verdict, 'changed');
    assert.equal(decoder.frontier.firstPerturbed, null, 'the decoder input is the same on both sides');
    assert.equal(decoder.frontier.firstChanged, 0, 'yet position 0 already changed: cross-attention');
    assert.match(decoder.explanation, /changed at all \d+ decoder positions .* through cross-attention/);
    // Cross-attention per layer, mean over heads: decoder × encoder positions of each side.
    const cross = r.crossAttention!;
    assert.equal(cross.base.length, 2);
    assert.equal(cross.base[0].length, decoder.baseTokens.length);
    assert.equal(cross.base[0][0].length, r.baseTokens.length);
    assert.equal(cross.variant[0][0].length, r.variantTokens.length);
    for (const row of cross.base[1]) assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5, 'rows sum to 1');
  }
});

test('models without an encoder: the source variant is not applicable; the decoder variant runs as usual', async () => {
  const results = await articleResults();
  for (const model of ['llama', 'gpt2']) {
    const na = find(results, model, 1);
    assert.equal(na.kind, 'not-applicable');
    assert.equal(na.verdict, 'not-applicable');
    assert.match(na.explanation, /has no encoder/);
    assert.equal(measured(find(results, model, 0)).verdict, 'causal');
  }
  // In file order: every model's variant 0 before its variant 1.
  for (const model of ['marian', 'bart', 'llama', 'gpt2'])
    assert.deepEqual(
      results.filter((r) => r.model === model).map((r) => r.variantIndex),
      [0, 1],
    );
  // Every result passes the host's checks of what the runner sends.
  for (const result of results) assert.equal(runnerMessageProblem({ type: 'result', requestId: 'r', result }), null);
});

test('findings: <pad> per tokenizer, the decoder start token, train mode without dropout', async () => {
  const results = await articleResults();
  const marian = measured(find(results, 'marian', 0));
  const pad = marian.findings.find((f) => f.code === 'pad-is-special-token')!;
  assert.match(pad.message, /MarianMT's pad token \(id 2\).*also MarianMT's decoder start token/);
  assert.ok(!codes(marian).includes('decoder-start-token'), 'Marian starts with <pad>: nothing to say');
  assert.ok(!codes(marian).includes('special-tokens-added'), 'the decoder input is tokenized as written');
  const bart = measured(find(results, 'bart', 0));
  const start = bart.findings.find((f) => f.code === 'decoder-start-token')!;
  assert.equal(start.severity, 'warning');
  assert.match(start.message, /starts every decoder input with `<\/s>` \(id 2/);
  // BART's own start token is the advice; the article's `<pad>` is Marian's, not a model to copy here.
  assert.match(start.message, /Write `<\/s>` first\b/);
  assert.doesNotMatch(start.message, /as the encoder-decoder article does/);
  assert.match(bart.findings.find((f) => f.code === 'pad-is-special-token')!.message, /BART's pad token \(id 1\)/);
  const gpt2 = measured(find(results, 'gpt2', 0));
  assert.ok(codes(gpt2).includes('pad-text-not-pad-token'), 'GPT-2 reads <pad> as ordinary text');
  const llama = measured(find(results, 'llama', 0));
  assert.equal(llama.control.identical, true, 'train mode, yet the same input twice is identical');
  const train = llama.findings.find((f) => f.code === 'train-mode-without-dropout')!;
  assert.equal(train.severity, 'info');
  assert.match(train.message, /`attention_dropout: 0`.*does not exist for Llama/);
  assert.ok(!codes(llama).includes('train-mode-dropout'));
});

test('split into passes of one input, an encoder-decoder case gives the same answers bit for bit', async () => {
  const experiment = await experimentOf(ARTICLE.replace(/ {2}- name: llama[\s\S]*?mode: eval\n/, ''));
  const store = new ModelStore(cacheDir);
  try {
    const whole = await runExperiment(experiment, { store });
    const split = await runExperiment(experiment, { store, passSize: 1 });
    assert.deepEqual(split.results, whole.results);
  } finally {
    await store.dispose();
  }
});

test('an encoder-decoder case without an `encoder:` source is an input error placed at its base', async () => {
  const text = ARTICLE.replace('encoder: I want to buy a car\n', '').replace(/~ encoder:.*\n/, '');
  const experiment = await experimentOf(text);
  const store = new ModelStore(cacheDir);
  try {
    await assert.rejects(runExperiment(experiment, { store }), (e: unknown) => {
      assert.ok(e instanceof LabInputError);
      const [d] = e.diagnostics;
      assert.equal(d.code, 'no-encoder-input');
      assert.match(
        d.message,
        /marian is an encoder-decoder \(MarianMT\): this case needs its source on an `encoder:` line/,
      );
      assert.equal(d.range.start.line, text.split('\n').indexOf('<pad> Ich will ein'));
      return true;
    });
  } finally {
    await store.dispose();
  }
});

test("Mistral's sliding window is part of the effective mask the report carries", async () => {
  // The Llama fixture's shape as a Mistral config with a window of 3 positions, random weights, its tokenizer.
  const { attention_bias, mlp_bias, pretraining_tp, ...llama } = fixtureConfig('llama');
  assert.ok([attention_bias, mlp_bias, pretraining_tp].every((v) => v !== undefined));
  const dir = freshDir();
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...llama, model_type: 'mistral', sliding_window: 3 }));
  const text = `---
models:
  - name: mistral
    config: ${join(dir, 'config.json')}
    tokenizer: ${referenceFolder('llama')}
    mode: eval
---
Ich will ein Auto kaufen
~ Ich will ein Auto mieten
`;
  const experiment = await experimentOf(text);
  assert.equal(experiment.models[0].architecture, 'mistral');
  const store = new ModelStore(cacheDir);
  try {
    const r = measured((await runExperiment(experiment, { store })).results[0]);
    assert.equal(r.verdict, 'causal');
    const sliding = r.attentionMask.sliding!;
    assert.deepEqual([sliding.window, sliding.layers], [3, [0, 1]]);
    assert.deepEqual(sliding.keep[5].slice(0, 7), [0, 0, 0, 1, 1, 1, 0], 'query 5 sees keys 3, 4 and 5 only');
    assert.deepEqual(r.attentionMask.keep[5].slice(0, 7), [1, 1, 1, 1, 1, 1, 0]);
  } finally {
    await store.dispose();
  }
});
