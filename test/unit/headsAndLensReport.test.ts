/**
 * `lens:` and `heads:` through the whole engine (a `.prompt` file, the tokenizers, the one build path, the
 * comparison) on Hugging Face's tiny Llama and Marian checkpoints and a tiny random BERT: the report carries
 * `logitLens` and `attentionHeads` only where asked for, aligned by token, consistent with the next-token
 * shift the report already had, and the leak heads say what each model's mask says.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadExperiment } from '../../extension/lab/promptFile';
import { runExperiment } from '../../extension/lab/experiment/runExperiment';
import { ModelStore } from '../../extension/lab/models/modelStore';
import { LabInputError } from '../../extension/lab/types';
import { logitLensShape, attentionHeadsShape } from '../../extension/protocol/headsAndLens';
import type { MeasuredResult } from '../../extension/protocol/report';
import { variantResultShape } from '../../extension/protocol/reportShape';
import { freshDir } from '../helpers/paths';
import { referenceFolder } from '../helpers/hfReference';
import { measured } from '../helpers/results';

const dir = freshDir();
const store = new ModelStore(join(dir, 'cache'));
after(() => store.dispose());

const TINY_BERT = 'hidden_size: 32\n    num_hidden_layers: 2\n    num_attention_heads: 4\n    intermediate_size: 37';

function promptFile(keys: string, bertMode = 'eval'): string {
  const file = join(dir, `p${Math.random().toString(36).slice(2)}.prompt`);
  writeFileSync(
    file,
    `---\nmodels:\n  - name: llama\n    weights: ${referenceFolder('llama')}\n` +
      `  - name: marian\n    weights: ${referenceFolder('marian')}\n` +
      `  - name: bert\n    config: bert-base-uncased\n    ${TINY_BERT}\n    mode: ${bertMode}\n` +
      `add_special_tokens: false\n${keys}---\n` +
      'encoder: I want to buy a car\n<pad> Ich will ein Auto\n~ <pad> Ich will das Auto\n~ encoder: I want to buy a house\n',
  );
  return file;
}

const find = (results: MeasuredResult[], model: string, variantIndex: number) =>
  results.find((r) => r.model === model && r.variantIndex === variantIndex)!;

test('a plain comparison carries neither logitLens nor attentionHeads', async () => {
  const report = await runExperiment(await loadExperiment(promptFile('')), { store });
  for (const r of report.results) {
    assert.equal('logitLens' in r, false);
    assert.equal('attentionHeads' in r, false);
  }
});

test('lens: 3 and heads: 1 on Llama, Marian and BERT', async () => {
  const report = await runExperiment(await loadExperiment(promptFile('lens: 3\nheads: 1\n')), { store });
  const results = report.results.filter((r) => r.kind === 'measured') as MeasuredResult[];
  for (const r of results) assert.equal(variantResultShape(JSON.parse(JSON.stringify(r)), 'result'), null);

  // Llama: the lens at every position, aligned, its last layer the model's own next-token distribution.
  const llama = measured(find(results, 'llama', 0));
  const lens = llama.logitLens!;
  assert.equal(logitLensShape(lens, 'lens'), null);
  assert.equal(lens.stack, 'model');
  assert.equal(lens.k, 3);
  assert.equal(lens.layers, 3);
  assert.deepEqual(
    lens.positions.map((p) => p.variantPosition),
    llama.variantTokens.map((_, i) => i),
  );
  for (const p of lens.positions) {
    assert.equal(p.variant.length, 3);
    assert.deepEqual(p.prediction, p.variant[2][0]);
    assert.equal(p.variant[p.firstLayer][0].id, p.prediction.id);
    for (let l = 0; l < p.firstLayer; l++) assert.notEqual(p.variant[l][0].id, p.prediction.id);
    // Settled: top 1 from there through the output, and not at the layer before it.
    assert.ok(p.settledLayer >= p.firstLayer);
    for (let l = p.settledLayer; l < 3; l++) assert.equal(p.variant[l][0].id, p.prediction.id);
    if (p.settledLayer > 0) assert.notEqual(p.variant[p.settledLayer - 1][0].id, p.prediction.id);
    const pair = llama.alignment.pairs.find((q) => q.variant === p.variantPosition)!;
    assert.equal(p.basePosition, pair.base);
    for (const row of p.variant) for (let r = 1; r < row.length; r++) assert.ok(row[r - 1].logit >= row[r].logit);
  }
  const last = lens.positions.at(-1)!;
  const top = llama.nextToken!.variantTop[0];
  assert.equal(last.prediction.id, top.id);
  assert.ok(Math.abs(last.prediction.probability - top.probability) < 1e-5);
  assert.equal(last.basePrediction!.id, llama.nextToken!.baseTop[0].id);

  // Llama's heads: causal, so no attention reaches the edit from an earlier position.
  const heads = llama.attentionHeads!;
  assert.equal(attentionHeadsShape(heads, 'heads'), null);
  assert.equal(heads.layer, 1);
  assert.equal(heads.heads, 4);
  assert.equal(heads.afterDropout, false);
  assert.equal(heads.base.length, 4);
  assert.equal(heads.base[0].length, llama.baseTokens.length);
  for (const row of heads.variant[2]) assert.ok(Math.abs(row.reduce((s, v) => s + v, 0) - 1) < 1e-5);
  heads.pairs.forEach(([bi, vi], i) =>
    heads.pairs.forEach(([bj, vj], j) =>
      assert.equal(heads.difference[3][i][j], heads.variant[3][vi][vj] - heads.base[3][bi][bj]),
    ),
  );
  assert.equal(heads.leaks.length, 4);
  assert.ok(heads.leaks.every((l) => l.weight === 0));
  assert.equal(heads.cross, null);

  // BERT: no LM head (no lens); bidirectional, so earlier positions attend to the edit: the leak heads.
  const bert = measured(find(results, 'bert', 0));
  assert.equal(bert.logitLens, undefined);
  const leaks = bert.attentionHeads!.leaks;
  assert.ok(leaks[0].weight > 0);
  assert.ok(leaks[0].query < bert.alignment.firstPerturbed!);
  assert.equal(leaks[0].weight, bert.attentionHeads!.variant[leaks[0].head][leaks[0].query][leaks[0].key]);
  for (let i = 1; i < leaks.length; i++) assert.ok(leaks[i - 1].weight >= leaks[i].weight);

  // Marian, decoder edit: the lens reads the decoder; the heads are the decoder's, with cross-attention.
  const marianText = measured(find(results, 'marian', 0));
  assert.equal(marianText.logitLens!.stack, 'decoder');
  assert.equal(marianText.attentionHeads!.stack, 'decoder');
  const cross = marianText.attentionHeads!.cross!;
  assert.equal(cross.base[0].length, marianText.baseTokens.length);
  assert.equal(cross.base[0][0].length, marianText.otherStacks[0].baseTokens.length);
  // Marian, encoder edit: the heads are the encoder's (bidirectional: a leak), the lens still the decoder's.
  const marianSource = measured(find(results, 'marian', 1));
  assert.equal(marianSource.attentionHeads!.stack, 'encoder');
  assert.equal(marianSource.attentionHeads!.cross, null);
  assert.ok(marianSource.attentionHeads!.leaks[0].weight > 0);
  for (const p of marianSource.logitLens!.positions) assert.equal(p.basePosition, p.variantPosition);
});

test('heads: in train mode with attention dropout the maps are marked as after dropout', async () => {
  const report = await runExperiment(await loadExperiment(promptFile('heads: 0\n', 'train')), { store });
  assert.equal(measured(find(report.results as MeasuredResult[], 'bert', 0)).attentionHeads!.afterDropout, true);
  assert.equal(measured(find(report.results as MeasuredResult[], 'llama', 0)).attentionHeads!.afterDropout, false);
});

test('heads: past the last layer is an input error at the model entry', async () => {
  await assert.rejects(
    runExperiment(await loadExperiment(promptFile('heads: 2\n')), { store }),
    (e: unknown) => e instanceof LabInputError && /heads: 2 is past its last layer .*0–1/.test(e.message),
  );
});
