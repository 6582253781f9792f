/**
 * The seed experiment (examples/encoder-vs-decoder.prompt) at full size, through the engine as the CLI
 * and the runner use it: the four outcomes DESIGN.md describes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadExperiment } from '../../extension/lab/promptFile';
import { runExperiment } from '../../extension/lab/experiment/runExperiment';
import { ModelStore } from '../../extension/lab/models/modelStore';
import type { VariantResult } from '../../extension/protocol/report';
import { freshDir, repoRoot } from '../helpers/paths';

test(
  'the seed experiment: GPT-2 causal, causal BERT in train mode nondeterministic, in eval mode causal, BERT bidirectional',
  { timeout: 180_000 },
  async () => {
    const experiment = await loadExperiment(join(repoRoot(), 'examples', 'encoder-vs-decoder.prompt'));
    const store = new ModelStore(freshDir());
    const streamed: VariantResult[] = [];
    try {
      const report = await runExperiment(experiment, { store, onResult: (r) => streamed.push(r) });
      assert.equal(store.size, 2, 'the three BERT entries share one model');
      assert.deepEqual(
        streamed.map((r) => r.model),
        ['gpt2', 'bert-causal', 'bert-causal-eval', 'bert'],
      );
      assert.deepEqual(report.results, streamed);
      const by = (name: string) => report.results.find((r) => r.model === name)!;

      const gpt2 = by('gpt2');
      assert.equal(gpt2.verdict, 'causal');
      assert.deepEqual(
        gpt2.baseTokens.map((t) => t.text),
        ['<', 'pad', '>', 'ĠIch', 'Ġwill', 'Ġe', 'in'],
      );
      assert.equal(gpt2.frontier.firstPerturbed, 5);
      assert.equal(gpt2.frontier.firstChanged, 5);
      assert.equal(gpt2.evidence.earlierMaxAbsDiff, 0, 'positions 0-4 are bit-identical');
      assert.equal(gpt2.evidence.allcloseAtPosition0, true);
      assert.ok(gpt2.nextToken && gpt2.nextToken.klDivergence > 0, 'GPT-2 reports the next-token shift');
      assert.ok(gpt2.findings.some((f) => f.code === 'pad-text-not-pad-token'));

      const train = by('bert-causal');
      assert.equal(train.verdict, 'nondeterministic');
      assert.ok(train.control.maxAbsDiff > 0.1, `the same input twice differs (${train.control.maxAbsDiff})`);
      assert.equal(train.frontier.firstChanged, null, 'no frontier is claimed through the noise');
      const dropout = train.findings.find((f) => f.code === 'train-mode-dropout');
      assert.ok(dropout, 'the diagnosis names dropout in training mode');
      assert.deepEqual(dropout.fix && { key: dropout.fix.key, value: dropout.fix.value }, {
        key: 'mode',
        value: 'eval',
      });

      const causalEval = by('bert-causal-eval');
      assert.equal(causalEval.verdict, 'causal');
      assert.equal(causalEval.evidence.earlierMaxAbsDiff, 0);
      assert.equal(causalEval.control.identical, true);
      assert.equal(causalEval.evidence.allcloseAtPosition0, true);
      assert.deepEqual(
        causalEval.baseTokens.map((t) => t.id),
        [1026, 11687, 1028, 22564, 2097, 16417],
      );

      const bert = by('bert');
      assert.equal(bert.verdict, 'bidirectional');
      assert.equal(bert.frontier.firstChanged, 0);
      assert.ok(bert.evidence.earlierMaxAbsDiff! > bert.evidence.noiseFloor);
      assert.equal(bert.evidence.allcloseAtPosition0, false);
      assert.equal(bert.control.identical, true);
      assert.equal(bert.attentionMask.rule, 'bidirectional');
      assert.equal(causalEval.attentionMask.keep[0][1], 0);
      assert.equal(bert.attentionMask.keep[0][1], 1);
    } finally {
      await store.dispose();
    }
  },
);

test(
  'a bidirectional leak smaller than the file atol is still judged bidirectional, with the margin shown',
  { timeout: 60_000 },
  async () => {
    const experiment = await loadExperiment(join(repoRoot(), 'examples', 'leak-below-atol.prompt'));
    const store = new ModelStore(freshDir());
    try {
      const report = await runExperiment(experiment, { store });
      const leak = report.results.find((r) => r.model === 'tiny-bert')!;
      assert.equal(leak.verdict, 'bidirectional');
      const earlier = leak.evidence.earlierMaxAbsDiff!;
      assert.ok(earlier < leak.evidence.atol, `the leak ${earlier} is below atol ${leak.evidence.atol}`);
      assert.ok(earlier > leak.evidence.noiseFloor, 'and above the noise floor');
      assert.ok(
        leak.layers.every((l) => l.allclose.slice(0, 5).every((x) => x === true)),
        'allclose alone calls every earlier position unchanged',
      );
      assert.ok(leak.findings.some((f) => f.code === 'leak-below-atol'));
      assert.equal(report.results.find((r) => r.model === 'tiny-bert-causal')!.verdict, 'causal');
    } finally {
      await store.dispose();
    }
  },
);
