/**
 * The seed experiment (examples/encoder-vs-decoder.prompt) at full size, through the runner's own
 * executeRun: the four outcomes DESIGN.md describes; appending a token; and, from the same real runs, the
 * README's example output and the panel tests' recorded messages (both rewritten with PLAB_REGENERATE=1).
 */
import { after, describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderReport } from '../../extension/cli/reportTable';
import { loadExperiment } from '../../extension/lab/promptFile';
import { runExperiment } from '../../extension/lab/experiment/runExperiment';
import { ModelStore } from '../../extension/lab/models/modelStore';
import { answerText, caseAnswer } from '../../extension/protocol/answer';
import { freshDir, repoRoot } from '../helpers/paths';
import { runDifference } from '../webview/recordedCheck';
import {
  readRecording,
  record,
  regenerating,
  writeRecording,
  type Recorded,
  type RecordingName,
} from '../webview/recorder';
import { measured } from '../helpers/results';

const PLAIN = { bold: String, dim: String, green: String, red: String, yellow: String, cyan: String };
const START = '<!-- seed-output:start (written by test/unit/seedExperiment.test.ts) -->';
const END = '<!-- seed-output:end -->';
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe(
  "the seed experiment and the other full-size examples, through the runner's executeRun",
  { timeout: 300_000 },
  () => {
    const root = freshDir();
    const store = new ModelStore(join(root, 'cache'));
    const runs = new Map<RecordingName, Recorded>();
    const run = async (name: RecordingName) => {
      if (!runs.has(name)) runs.set(name, await record(name, join(root, name), store));
      return runs.get(name)!;
    };
    after(() => store.dispose());

    it('the seed: GPT-2 causal, causal BERT in train mode nondeterministic, in eval mode causal, BERT bidirectional', async () => {
      const { messages, report } = await run('seed');
      assert.ok(report);
      assert.equal(store.size, 2, 'the three BERT entries share one model');
      const streamed = messages.flatMap((m) => (m.type === 'result' ? [m.result] : []));
      assert.deepEqual(
        streamed.map((r) => r.model),
        ['gpt2', 'bert-causal', 'bert-causal-eval', 'bert'],
      );
      assert.deepEqual(report.results, streamed);
      assert.equal(report.version, 4);
      assert.deepEqual(
        report.models.map((m) => m.weights.description),
        ['random weights (seed 0)', 'random weights (seed 0)', 'random weights (seed 0)', 'random weights (seed 0)'],
      );
      const by = (name: string) => measured(report.results.find((r) => r.model === name));

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
      assert.ok(gpt2.nextToken && gpt2.nextToken.klDivergence! > 0, 'GPT-2 reports the next-token shift');
      assert.ok(gpt2.findings.some((f) => f.code === 'pad-text-not-pad-token'));

      const train = by('bert-causal');
      assert.equal(train.verdict, 'nondeterministic');
      assert.ok(train.control.maxAbsDiff > 0.1, `the same input twice differs (${train.control.maxAbsDiff})`);
      assert.equal(train.frontier.firstChanged, 0, 'position 0 changed, so "first changed" says 0, never "none"');
      assert.equal(train.evidence.allcloseAtPosition0, false);
      assert.ok(
        train.control.perPosition.slice(1).every((row) => row[0] > 0),
        'the control run changes position 0 in every layer after the embeddings: that is the evidence',
      );
      assert.ok(train.evidence.controlEarlierMaxAbsDiff! > 0.1);
      const dropout = train.findings.find((f) => f.code === 'train-mode-dropout');
      assert.ok(dropout, 'the diagnosis names dropout in training mode');
      assert.deepEqual(dropout.fix, { kind: 'fix', key: 'mode', value: 'eval', description: 'turns dropout off' });

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
      assert.deepEqual(bert.findings.find((f) => f.code === 'bidirectional-attention')?.fix?.kind, 'option');

      assert.equal(
        answerText(caseAnswer(report.results)),
        "gpt2 and bert-causal-eval are causal (positions before the edit kept their states); bert-causal can't be judged in train mode (dropout changes even the same input run twice) — set `mode: eval`; bert reads both ways (no causal mask: the edit changed earlier positions).",
      );
      assert.deepEqual(JSON.parse(JSON.stringify(report)), report, 'the JSON report holds only finite numbers');
    });

    it('appending a token: the new token has nothing to compare; GPT-2 and the causal BERT keep every earlier state', async () => {
      const { report } = await run('append');
      assert.ok(report);
      const by = (name: string) => measured(report.results.find((r) => r.model === name));
      for (const name of ['gpt2', 'bert-causal']) {
        const r = by(name);
        assert.equal(r.verdict, 'causal', `${name}: ${r.explanation}`);
        assert.deepEqual(r.frontier, { firstPerturbed: 4, firstChanged: 4 }, `${name}: change starts at the new token`);
        assert.match(r.explanation, /^Causal: the variant appends `Ġ?tomorrow` at position 4 — a new position/);
        assert.ok(!r.findings.some((f) => f.code === 'token-count-changed'), 'nothing after the edit shifts');
      }
      assert.equal(by('bert').verdict, 'bidirectional');
      assert.equal(by('bert').frontier.firstChanged, 0, 'the same definition in the same run: change starts at 0');
    });

    it('the README shows the seed output as the CLI prints it now', async () => {
      const { report } = await run('seed');
      const printed = renderReport(report!, PLAIN).trimEnd();
      const readme = join(repoRoot(), 'README.md');
      const text = readFileSync(readme, 'utf8');
      const fence = '```';
      const block = new RegExp(`(${escape(START)}\n+${fence}\n)([\\s\\S]*?)(\n${fence}\n+${escape(END)})`);
      assert.match(text, block, `README.md has the seed output between ${START} and ${END}`);
      if (regenerating())
        return writeFileSync(
          readme,
          text.replace(block, (_, open, __, close) => open + printed + close),
        );
      assert.equal(
        block.exec(text)![2],
        printed,
        "the README's seed output is stale; regenerate it: PLAB_REGENERATE=1 node --test out/test/unit/seedExperiment.test.js",
      );
    });

    for (const name of ['seed', 'append', 'midSentence'] as const) {
      it(`${name}: the panel tests' recorded messages are what a real run sends now`, async () => {
        const { messages } = await run(name);
        if (regenerating()) return writeRecording(name, messages);
        const difference = runDifference(messages, readRecording(name));
        assert.equal(
          difference,
          null,
          `test/webview/recorded/${name}.json is stale (${difference}); PLAB_REGENERATE=1 regenerates it`,
        );
      });
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
