/**
 * Numbers that cannot be trusted are said to be so, on real models: checkpoints with NaN or Inf written
 * into a real safetensors file and loaded through `weights:`, and a model whose weights are all zero.
 * None of them may be called causal (the bug: NaN == NaN counted as unchanged gave "causal … max |Δ| 0").
 */
import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { renderReport } from '../../extension/cli/reportTable';
import { runExperiment } from '../../extension/lab/experiment/runExperiment';
import { ModelStore } from '../../extension/lab/models/modelStore';
import { loadExperiment } from '../../extension/lab/promptFile';
import type { ComparisonReport } from '../../extension/protocol/report';
import { NAN_TENSOR, writeNonFiniteGpt2 } from '../helpers/nonFiniteCheckpoint';
import { freshDir } from '../helpers/paths';

const PLAIN = { bold: String, dim: String, green: String, red: String, yellow: String, cyan: String };

async function run(dir: string, front: string, body = 'I will see you\n~ I will see them'): Promise<ComparisonReport> {
  const file = join(dir, 'case.prompt');
  writeFileSync(file, `---\n${front}\nadd_special_tokens: false\n---\n${body}\n`);
  const store = new ModelStore(join(dir, 'cache'));
  try {
    return await runExperiment(await loadExperiment(file), { store });
  } finally {
    await store.dispose();
  }
}

describe('non-finite weights through weights:', { timeout: 120_000 }, () => {
  it('a NaN in transformer.h.0.attn.c_attn.weight: verdict non-finite from layer 1, the tensor named', async () => {
    const dir = freshDir();
    await writeNonFiniteGpt2(join(dir, 'nan-gpt2'), join(dir, 'cache'), NaN);
    const report = await run(dir, 'models:\n  - name: nan-gpt2\n    weights: nan-gpt2');
    const [result] = report.results;
    assert.equal(result.verdict, 'non-finite', result.explanation);
    assert.ok(!/^Causal/.test(result.explanation));
    assert.match(result.explanation, /hold NaN from layer 1 on/);
    assert.match(result.explanation, /`transformer\.h\.0\.attn\.c_attn\.weight` holds NaN \(7 values\)/);
    assert.deepEqual(
      result.nonFinite?.weights.kind === 'checked' && result.nonFinite.weights.tensors.map((t) => [t.name, t.nan]),
      [[NAN_TENSOR, 7]],
    );
    assert.deepEqual(
      result.layers.map((l) => l.nonFinite.length > 0),
      [false, true, true],
      'the embeddings are finite, every block after the NaN weight is not',
    );
    assert.equal(result.nextToken?.klDivergence, null);
    assert.deepEqual(result.nextToken?.nonFiniteLogits, ['base', 'variant']);
    assert.deepEqual(JSON.parse(JSON.stringify(report)), report, 'no number became a silent null');
    const text = renderReport(report, PLAIN, 1000);
    assert.match(text, /nan-gpt2 +plab-test-\w+\/nan-gpt2 +eval +causal +non-finite +3 +0 +NaN/);
    assert.match(
      text,
      /Answer: nan-gpt2 can't be judged: its states hold NaN from layer 1 on \(the checkpoint's `transformer\.h\.0\.attn\.c_attn\.weight` holds NaN\)\./,
    );
  });

  it('+Inf in the token embeddings: non-finite from the embeddings on, never causal', async () => {
    const dir = freshDir();
    await writeNonFiniteGpt2(join(dir, 'inf-gpt2'), join(dir, 'cache'), Infinity, 'transformer.wte.weight', 50257 * 32);
    const report = await run(dir, 'models:\n  - name: inf-gpt2\n    weights: inf-gpt2');
    const [result] = report.results;
    assert.equal(result.verdict, 'non-finite');
    assert.equal(result.nonFinite?.runs[0].firstLayer, 0);
    assert.match(result.explanation, /`transformer\.wte\.weight` holds \+Inf/);
    assert.deepEqual(JSON.parse(JSON.stringify(report)), report);
  });
});

describe('a model whose states ignore the input', { timeout: 120_000 }, () => {
  it('initializer_range: 0 (all weights zero) is undetermined, not causal, with the setting to fix', async () => {
    const dir = freshDir();
    const tiny = 'hidden_size: 32\n    num_hidden_layers: 2\n    num_attention_heads: 4\n    intermediate_size: 37';
    const report = await run(
      dir,
      `models:\n  - name: zero\n    config: bert-base-uncased\n    is_decoder: true\n    initializer_range: 0\n    ${tiny}\nmode: eval`,
    );
    const [result] = report.results;
    assert.equal(result.verdict, 'undetermined', result.explanation);
    const finding = result.findings.find((f) => f.code === 'nothing-changed');
    assert.equal(finding?.fix?.key, 'initializer_range');
    assert.match(renderReport(report, PLAIN, 1000), /fix: initializer_range: 0\.02 — Hugging Face's default/);
  });
});
