/**
 * A case split into several forward passes gives the same report, bit for bit, as the case run in one
 * pass — in eval mode, in train mode with `independent` dropout and with `paired` dropout — because base
 * and control run once, every dropout mask comes from (seed, case, run index), and every pass is padded
 * to the case's longest input. The one-pass reference opens the full graph (attention outputs included),
 * as every run did before sessions were trimmed, so this also checks that trimming changes no number.
 * Then: thousands of variants run to the end in passes, with progress, and no result holds a typed array.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePromptFile } from '../../extension/lab/promptFile';
import { runExperiment, type ExperimentProgress } from '../../extension/lab/experiment/runExperiment';
import { ModelStore } from '../../extension/lab/models/modelStore';
import type { Experiment } from '../../extension/lab/types';
import { freshDir } from '../helpers/paths';
import { measured } from '../helpers/results';
import { TINY_GPT2_KEYS } from '../helpers/tinyPrompts';

const TINY_BERT = `    config: bert-base-uncased
    hidden_size: 32
    num_hidden_layers: 2
    num_attention_heads: 4
    intermediate_size: 37`;

const text = `---
models:
  - name: bert-train
${TINY_BERT}
    is_decoder: true
  - name: bert-paired
${TINY_BERT}
    dropout: paired
  - name: bert-eval
${TINY_BERT}
    mode: eval
  - name: gpt2-train
${TINY_GPT2_KEYS}
  - name: gpt2-eval
${TINY_GPT2_KEYS}
    mode: eval
seed: 3
---
the cat sat on the mat
~ the cat sat on the rug
~ a dog
~ the cat sat on the mat and then it slept for a long while in the sun
~ the cat
~ cats sat on mats

one more case
~ one less case
~ one more cases
`;

function experimentOf(source: string): Experiment {
  const parsed = parsePromptFile(source, '/virtual/passes.prompt');
  assert.deepEqual(
    parsed.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  return parsed.experiment!;
}

const cacheDir = freshDir();

test(
  'a case split into passes of 1, 2 or 3 inputs gives the one-pass report, bit for bit, in eval, train and paired mode',
  { timeout: 120_000 },
  async () => {
    const experiment = experimentOf(text);
    const full = new ModelStore(cacheDir, { attentions: true });
    const trimmed = new ModelStore(cacheDir, { attentions: false });
    try {
      const reference = await runExperiment(experiment, { store: full });
      assert.equal(reference.results.length, 5 * 7);
      // The reference really ran each case in one pass.
      for (const passSize of [1, 2, 3]) {
        const progress: ExperimentProgress[] = [];
        const split = await runExperiment(experiment, {
          store: trimmed,
          passSize,
          onProgress: (p) => progress.push(p),
        });
        assert.deepEqual(split.results, reference.results, `passes of ${passSize}`);
        assert.ok(
          progress.some((p) => p.stage === 'running' && /inputs \d+–\d+ of 7/.test(p.message)),
          'a split case says which inputs run',
        );
      }
      // Train mode is really nondeterministic here (independent masks), and paired shares them.
      const by = (model: string) => measured(reference.results.find((r) => r.model === model && r.caseIndex === 0));
      assert.equal(by('bert-train').verdict, 'nondeterministic');
      assert.equal(by('bert-paired').control.identical, true);
      assert.equal(by('gpt2-eval').verdict, 'causal');
    } finally {
      await full.dispose();
      await trimmed.dispose();
    }
  },
);

test(
  'thousands of variants of a small model run to the end in bounded passes, with progress; no result holds a typed array',
  { timeout: 300_000 },
  async () => {
    const count = 1000;
    const variants = Array.from({ length: count }, (_, i) => `~ the cat number ${i} sat on the mat`).join('\n');
    const experiment = experimentOf(
      `---\nmodels:\n  - name: gpt2-eval\n${TINY_GPT2_KEYS}\n    mode: eval\n---\nthe cat sat on the mat\n${variants}\n`,
    );
    const store = new ModelStore(cacheDir, { attentions: false });
    const passes: string[] = [];
    let results = 0;
    try {
      const report = await runExperiment(experiment, {
        store,
        onProgress: (p) => p.stage === 'running' && passes.push(p.message),
        onResult: () => results++,
      });
      assert.equal(results, count);
      assert.equal(report.results.length, count);
      assert.ok(passes.length >= 2, `progress while running: ${passes.join(' | ')}`);
      assert.match(passes.at(-1)!, new RegExp(`inputs \\d+–${count + 2} of ${count + 2}`));
      const typed = findTypedArray(report.results);
      assert.equal(typed, null, `a result holds a typed array at ${typed}`);
    } finally {
      await store.dispose();
    }
  },
);

/** The path of the first typed array reachable from `value`, or null. */
function findTypedArray(value: unknown, path = 'results', seen = new Set<unknown>()): string | null {
  if (ArrayBuffer.isView(value)) return path;
  if (typeof value !== 'object' || value === null || seen.has(value)) return null;
  seen.add(value);
  for (const [k, v] of Object.entries(value)) {
    const found = findTypedArray(v, `${path}.${k}`, seen);
    if (found) return found;
  }
  return null;
}
