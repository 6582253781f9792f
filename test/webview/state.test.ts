/**
 * The panel's state rules without a browser: which results are current, which are left over (and only
 * while they still describe the same file, model and prompt), what is selected, what survives a reload.
 * The panel shows one run of one file: no message of another file's run ever shows under this one's name.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { REPORT_VERSION } from '../../extension/protocol/report';
import type { ToWebview } from '../../extension/protocol/webview';
import { columnsOf, emptyState, findResult, reduce, restoreState, select, type ViewState } from '../../webview/state';
import { finishedAt, recordedRun, resultsOf, SEED_FILE, seedRunMessages } from './recordedMessages';
import { measured } from '../helpers/results';

const run = (messages: ToWebview[], state: ViewState = emptyState()) => messages.reduce(reduce, state);
const SEED_RESULTS = resultsOf(seedRunMessages());
const started = (runId: string, file = SEED_FILE): ToWebview => ({ type: 'runStarted', run: { runId, file } });
const outlineOf = (runId: string, messages = seedRunMessages()): ToWebview => ({
  ...(messages.find((m) => m.type === 'outline') as Extract<ToWebview, { type: 'outline' }>),
  runId,
});

describe('panel state', () => {
  it('collects one result per model, selects the first, and finishes', () => {
    const state = run(seedRunMessages());
    assert.equal(state.results.length, 4);
    assert.deepEqual(state.selected, { model: 'gpt2', caseIndex: 0, variantIndex: 0 });
    assert.equal(state.status.kind, 'finished');
    assert.match(state.status.message ?? '', /^Finished in \d/);
    assert.deepEqual(state.progress, {});
  });

  it("keeps the previous run's results of the same file, dimmed, until the new run replaces them; the end drops the rest", () => {
    let state = select(run(seedRunMessages()), { model: 'bert', caseIndex: 0, variantIndex: 0 });
    state = run([started('run-2'), outlineOf('run-2')], state);
    assert.equal(state.results.length, 0);
    assert.equal(state.previous.length, 4);
    assert.deepEqual(findResult(state, state.selected)?.stale, true, 'the selection stays on the old result');

    state = reduce(state, { type: 'result', runId: 'run-2', result: SEED_RESULTS[3] });
    assert.deepEqual(findResult(state, state.selected), { result: SEED_RESULTS[3], stale: false });
    assert.equal(state.previous.length, 3);

    state = reduce(state, { type: 'runFinished', runId: 'run-2', elapsedMs: 10 });
    assert.equal(state.previous.length, 0);
    assert.equal(state.results.length, 1);
  });

  it("never shows another file's results: a run of another file starts empty, and its failure stands alone", () => {
    let state = run(seedRunMessages());
    state = reduce(state, started('run-2', 'examples/mid-sentence-edit.prompt'));
    assert.deepEqual([state.results, state.previous, state.selected], [[], [], undefined]);
    assert.equal(findResult(state, { model: 'gpt2', caseIndex: 0, variantIndex: 0 }), null);
    state = reduce(state, { type: 'runFailed', runId: 'run-2', kind: 'input', message: 'two errors', details: [] });
    assert.equal(state.outline?.file, 'examples/mid-sentence-edit.prompt', 'the failure is labelled with its own file');
    assert.equal(state.results.length, 0);
  });

  it('a failed or cancelled run keeps only what it produced itself', () => {
    const seed = seedRunMessages();
    let state = run(seed);
    state = run([started('run-2'), outlineOf('run-2')], state);
    state = reduce(state, { ...seed.find((m) => m.type === 'result')!, runId: 'run-2' } as ToWebview);
    state = reduce(state, { type: 'runFailed', runId: 'run-2', kind: 'cancelled', message: 'cancelled' });
    assert.equal(state.previous.length, 0, 'nothing of the run before stays after a cancel');
    assert.deepEqual(
      state.results.map((r) => r.model),
      ['gpt2'],
    );
    assert.equal(state.failure?.kind, 'cancelled');
  });

  it('drops a leftover whose model settings or prompt changed: it would describe something else', () => {
    const seed = seedRunMessages();
    const outline = outlineOf('run-2') as Extract<ToWebview, { type: 'outline' }>;
    const changed: ToWebview = {
      ...outline,
      models: outline.models.map((m) => (m.name === 'bert-causal' ? { ...m, mode: 'eval' as const } : m)),
      cases: outline.cases.map((c) => ({ ...c, variants: c.variants.map((v) => ({ ...v, text: v.text })) })),
    };
    const state = run([started('run-2'), changed], run(seed));
    assert.deepEqual(state.previous.map((r) => r.model).sort(), ['bert', 'bert-causal-eval', 'gpt2']);
    const edited: ToWebview = {
      ...outline,
      runId: 'run-3',
      cases: outline.cases.map((c) => ({ ...c, variants: c.variants.map((v) => ({ ...v, text: 'something else' })) })),
    };
    assert.deepEqual(run([started('run-3'), edited], run(seed)).previous, []);
  });

  it('a replay of the current run (to a page that reloaded while hidden) ends in the same state', () => {
    const messages = seedRunMessages('run-1');
    const halfway = restoreState(JSON.parse(JSON.stringify(run(messages.slice(0, 4)))));
    const replayed = run(messages, halfway);
    const straight = run(messages);
    assert.deepEqual(replayed.results, straight.results);
    assert.deepEqual(replayed.previous, []);
    assert.equal(replayed.status.kind, 'finished');
  });

  it('ignores messages of a run it no longer shows, a late failure included', () => {
    const state = run(seedRunMessages('run-1'));
    const after = run(
      [
        { type: 'result', runId: 'run-0', result: { ...measured(SEED_RESULTS[0]), verdict: 'bidirectional' } },
        { type: 'progress', runId: 'run-0', model: 'gpt2', stage: 'running', message: 'x' },
        { type: 'runFailed', runId: 'run-0', kind: 'internal', message: 'old' },
      ],
      state,
    );
    assert.equal(after, state);
  });

  it('a failure before the runner read the file is shown under that run, and a new run clears it', () => {
    const messages = recordedRun('inputError', 'bad');
    let state = run(messages);
    assert.equal(state.failure?.kind, 'input');
    assert.match(state.failure?.details[0] ?? '', /did you mean `n_layer`/);
    assert.equal(state.outline?.file, 'broken.prompt');
    state = reduce(state, started('r2'));
    assert.equal(state.failure, null);
  });

  it('has one column per variant, or only those of `only`', () => {
    const outline = {
      runId: 'x',
      file: 'f',
      models: [],
      cases: [
        {
          caseIndex: 0,
          baseText: 'a',
          encoderText: null,
          variants: [
            { variantIndex: 0, text: 'b', edits: 'text' as const },
            { variantIndex: 1, text: 'c', edits: 'text' as const },
          ],
        },
        {
          caseIndex: 1,
          baseText: 'd',
          encoderText: null,
          variants: [{ variantIndex: 0, text: 'e', edits: 'text' as const }],
        },
      ],
    };
    assert.equal(columnsOf(outline, []).length, 3);
    assert.deepEqual(
      columnsOf({ ...outline, only: { caseIndex: 0, variantIndex: 1 } }, []).map((c) => c.text),
      ['c'],
    );
    assert.deepEqual(
      columnsOf({ ...outline, only: { caseIndex: 1 } }, []).map((c) => c.text),
      ['e'],
    );
  });

  it('restores what setState saved (a JSON round trip) and starts empty from anything else', () => {
    const state = run(seedRunMessages());
    assert.deepEqual(restoreState(JSON.parse(JSON.stringify(state))), state);
    for (const junk of [undefined, null, 42, 'x', { outline: 'nope', results: 'nope' }])
      assert.deepEqual(restoreState(junk), emptyState());
    assert.deepEqual(
      restoreState({ ...JSON.parse(JSON.stringify(state)), reportVersion: REPORT_VERSION - 1 }),
      emptyState(),
      'results of an older report shape are not restored',
    );
  });

  it('the recorded seed run ends with its finished message last', () => {
    const messages = seedRunMessages();
    assert.equal(finishedAt(messages), messages.length - 1);
  });
});
