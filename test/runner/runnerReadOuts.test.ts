/**
 * The on-demand read-out over a real forked runner (dist/runner.js) and the host's RunnerClient: a run
 * request with `readOuts` runs only that model × variant with `heads:` set, and its heads are what the
 * same key in the file gives; guards refuse a malformed request on the runner's side and on the panel's;
 * a model no longer in the file is an input error in words.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunnerClient, type RunEvent } from '../../extension/host/runnerClient';
import { hostMessageProblem } from '../../extension/protocol/runner';
import { isFromWebview } from '../../extension/protocol/webview';
import type { MeasuredResult, VariantResult } from '../../extension/protocol/report';
import { freshDir, repoRoot } from '../helpers/paths';
import { referenceFolder } from '../helpers/hfReference';

const runnerPath = join(repoRoot(), 'dist', 'runner.js');
const cacheDir = freshDir();
const file = join(freshDir(), 'heads.prompt');

const text = (keys = '') =>
  `---\nmodels:\n  - name: llama\n    weights: ${referenceFolder('llama')}\n` +
  `  - name: tiny-bert\n    config: bert-base-uncased\n    hidden_size: 32\n    num_hidden_layers: 2\n    num_attention_heads: 4\n    intermediate_size: 37\n` +
  `mode: eval\nadd_special_tokens: false\n${keys}---\nIch will ein Auto\n~ Ich will das Auto\n~ Ich will kein Auto\n`;

async function run(c: RunnerClient, request: Parameters<RunnerClient['run']>[0]) {
  const results: VariantResult[] = [];
  const handle = c.run(request, (e: RunEvent) => {
    if (e.type === 'result') results.push(e.result);
  });
  return { last: await handle.finished, results };
}

test('readOuts: one model × variant with the layer asked for; the heads are those of `heads:` in the file', async () => {
  writeFileSync(file, text());
  const c = new RunnerClient({ runnerPath, settings: () => ({ cacheDir, threads: 1, trusted: true }), log: () => {} });
  try {
    const asked = await run(c, {
      file,
      text: text(),
      only: { caseIndex: 0, variantIndex: 1 },
      readOuts: { model: 'tiny-bert', heads: 1 },
    });
    assert.equal(asked.last.type, 'done');
    assert.deepEqual(
      asked.results.map((r) => [r.model, r.variantIndex]),
      [['tiny-bert', 1]],
    );
    const heads = (asked.results[0] as MeasuredResult).attentionHeads!;
    assert.equal(heads.layer, 1);
    const fromFile = await run(c, { file, text: text('heads: 1\n') });
    const same = fromFile.results.find((r) => r.model === 'tiny-bert' && r.variantIndex === 1) as MeasuredResult;
    assert.deepEqual(heads, same.attentionHeads);
    // A model the file no longer has.
    const gone = await run(c, { file, text: text(), readOuts: { model: 'gpt2', heads: 0 } });
    assert.equal(gone.last.type, 'failed');
    assert.match(gone.last.type === 'failed' ? gone.last.error.message : '', /no model named "gpt2" any more/);
  } finally {
    await c.dispose();
  }
});

test('guards: a malformed read-out request is refused by the runner, a malformed requestHeads by the host', () => {
  const request = { requestId: 'r', file, text: text() };
  assert.equal(hostMessageProblem({ type: 'run', request: { ...request, readOuts: { model: 'm', heads: 2 } } }), null);
  assert.match(
    hostMessageProblem({ type: 'run', request: { ...request, readOuts: { model: 'm', heads: -1 } } }) ?? '',
    /readOuts\.heads/,
  );
  assert.match(hostMessageProblem({ type: 'run', request: { ...request, readOuts: { heads: 1 } } }) ?? '', /model/);
  const ask = { type: 'requestHeads', model: 'm', caseIndex: 0, variantIndex: 1, layer: 3 };
  assert.equal(isFromWebview(ask), true);
  for (const bad of [{ layer: -1 }, { layer: 1.5 }, { model: 3 }, { caseIndex: '0' }])
    assert.equal(isFromWebview({ ...ask, ...bad }), false, JSON.stringify(bad));
});
