/**
 * The examples that need real models and tokenizers (each names the Hub repo it needs in `models/`) run here
 * on Hugging Face's own tiny folders instead: a copy of each file with its `models/…` paths rewritten to
 * `../shared/fixtures/hf-reference/{marian,llama,qwen2}` — nothing else changes — parsed, loaded and run by the
 * engine, with the answers each example promises.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadExperiment } from '../../extension/lab/promptFile';
import { runExperiment } from '../../extension/lab/experiment/runExperiment';
import { ModelStore } from '../../extension/lab/models/modelStore';
import type { ComparisonReport, VariantResult } from '../../extension/protocol/report';
import { freshDir, repoRoot } from '../helpers/paths';
import { referenceFolder } from '../helpers/hfReference';
import { measured } from '../helpers/results';

const FOLDERS: Record<string, string> = {
  'models/opus-mt-en-de': referenceFolder('marian'),
  'models/TinyLlama-1.1B-Chat-v1.0': referenceFolder('llama'),
  'models/Qwen2.5-0.5B': referenceFolder('qwen2'),
};

const cacheDir = freshDir();

async function runExample(name: string): Promise<ComparisonReport> {
  const dir = freshDir();
  cpSync(join(repoRoot(), 'examples', 'configs'), join(dir, 'configs'), { recursive: true });
  let text = readFileSync(join(repoRoot(), 'examples', name), 'utf8');
  for (const [path, folder] of Object.entries(FOLDERS)) text = text.replaceAll(`: ${path}\n`, `: ${folder}\n`);
  assert.doesNotMatch(text, /: models\//, 'every model path is rewritten');
  writeFileSync(join(dir, name), text);
  const store = new ModelStore(cacheDir);
  try {
    return await runExperiment(await loadExperiment(join(dir, name)), { store });
  } finally {
    await store.dispose();
  }
}

const by = (report: ComparisonReport, model: string, variantIndex = 0): VariantResult =>
  report.results.find((r) => r.model === model && r.variantIndex === variantIndex)!;

test('examples/encoder-decoder-article.prompt: the article’s experiment on a tiny MarianMT', async () => {
  const report = await runExample('encoder-decoder-article.prompt');
  const decoderEdit = measured(by(report, 'marian', 0));
  assert.equal(decoderEdit.verdict, 'causal');
  assert.equal(decoderEdit.otherStacks[0].verdict, 'unchanged');
  assert.ok(decoderEdit.findings.some((f) => f.code === 'pad-is-special-token'));
  const sourceEdit = measured(by(report, 'marian', 1));
  assert.equal(sourceEdit.verdict, 'bidirectional');
  assert.equal(sourceEdit.otherStacks[0].verdict, 'changed');
  assert.equal(measured(by(report, 'gpt2', 0)).verdict, 'causal');
  assert.equal(by(report, 'gpt2', 1).verdict, 'not-applicable');
});

test('examples/llama-causal.prompt: causal, and as deterministic in train mode as in eval mode', async () => {
  const report = await runExample('llama-causal.prompt');
  for (const model of ['tinyllama', 'tinyllama-train']) assert.equal(by(report, model).verdict, 'causal');
  const train = measured(by(report, 'tinyllama-train'));
  assert.equal(train.control.identical, true);
  assert.ok(train.findings.some((f) => f.code === 'train-mode-without-dropout'));
  assert.deepEqual(train.layers, measured(by(report, 'tinyllama')).layers, 'the same numbers in both modes');
});

test('examples/gqa-vs-full-attention.prompt: 2 key/value heads or 8, both causal', async () => {
  const report = await runExample('gqa-vs-full-attention.prompt');
  assert.deepEqual(
    report.models.map((m) => [m.name, m.stacks[0].numHeads, m.stacks[0].numKvHeads]),
    [
      ['gqa', 8, 2],
      ['full', 8, 8],
    ],
  );
  for (const model of ['gqa', 'full']) assert.equal(by(report, model).verdict, 'causal');
});

test('examples/sliding-window.prompt: the edit reaches at most 2 × (window − 1) positions on; without a window, all', async () => {
  const report = await runExample('sliding-window.prompt');
  const windowed = measured(by(report, 'mistral-window-4'));
  const full = measured(by(report, 'mistral-no-window'));
  for (const r of [windowed, full]) assert.equal(r.verdict, 'causal');
  assert.deepEqual([windowed.attentionMask.sliding?.window, windowed.attentionMask.sliding?.layers], [4, [0, 1]]);
  assert.equal(full.attentionMask.sliding, null);
  // Pairs past the edit's reach: more than 2 × (4 − 1) positions after its last token. (The tiny tokenizer
  // spells `dog` with one more token than `cat`: later tokens are paired from the end, one position apart —
  // and with rotary positions and a window, a shifted position computes the same state up to rounding.)
  const pairs = windowed.alignment.pairs;
  const lastEdited = pairs.reduce((n, p, i) => (p.kind === 'same' ? n : i), -1);
  const beyond = pairs.map((_, i) => i).filter((i) => i > lastEdited + 6);
  assert.ok(beyond.length > 3, 'the prompt reaches past the window');
  const floor = windowed.evidence.noiseFloor;
  for (const i of beyond) {
    assert.ok(
      windowed.layers.every((l) => l.maxAbsDiff[i]! <= floor),
      `pair ${i} is out of the edit's reach (noise floor ${floor})`,
    );
    assert.ok(full.layers.at(-1)!.maxAbsDiff[i]! > full.evidence.noiseFloor, `without a window pair ${i} changes`);
  }
});
