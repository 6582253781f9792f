/** The panel's state rules without a browser: which results are current, which are left over, what is selected, what survives a reload. */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { ToWebview } from '../../extension/protocol/webview';
import { columnsOf, emptyState, findResult, reduce, restoreState, select, type ViewState } from '../../webview/state';
import { SEED_RESULTS, seedOutline, seedRunMessages } from './recordedMessages';

const run = (messages: ToWebview[], state: ViewState = emptyState()) => messages.reduce(reduce, state);

describe('panel state', () => {
  it('collects one result per model, selects the first, and finishes', () => {
    const state = run(seedRunMessages());
    assert.equal(state.results.length, 4);
    assert.deepEqual(state.selected, { model: 'gpt2', caseIndex: 0, variantIndex: 0 });
    assert.equal(state.status.kind, 'finished');
    assert.equal(state.status.message, 'Finished in 3.4 s');
    assert.deepEqual(state.progress, {});
  });

  it("keeps the previous run's results, dimmed, until the new run replaces them; a finished run drops the rest", () => {
    let state = select(run(seedRunMessages()), { model: 'bert', caseIndex: 0, variantIndex: 0 });
    state = reduce(state, { type: 'runStarted', outline: seedOutline('run-2') });
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

  it('a replay of the current run (to a page that reloaded while hidden) ends in the same state', () => {
    const messages = seedRunMessages('run-1');
    const halfway = restoreState(JSON.parse(JSON.stringify(run(messages.slice(0, 3)))));
    const replayed = run(messages, halfway);
    const straight = run(messages);
    assert.deepEqual(replayed.results, straight.results);
    assert.deepEqual(replayed.previous, []);
    assert.equal(replayed.status.kind, 'finished');
  });

  it('ignores messages of a run it no longer shows', () => {
    const state = run(seedRunMessages('run-1'));
    const after = run(
      [
        { type: 'result', runId: 'run-0', result: { ...SEED_RESULTS[0], verdict: 'bidirectional' } },
        { type: 'progress', runId: 'run-0', model: 'gpt2', stage: 'running', message: 'x' },
      ],
      state,
    );
    assert.equal(after, state);
  });

  it('shows a failure even before a run started, and a new run clears it', () => {
    let state = reduce(emptyState(), {
      type: 'runFailed',
      runId: 'r',
      kind: 'input',
      message: 'two errors',
      details: ['a:1:1: x'],
    });
    assert.deepEqual(state.failure, { kind: 'input', message: 'two errors', details: ['a:1:1: x'] });
    assert.equal(state.status.kind, 'failed');
    state = reduce(state, { type: 'runStarted', outline: seedOutline('r2') });
    assert.equal(state.failure, null);
  });

  it('has one column per variant, or only those of `only`', () => {
    const outline = {
      ...seedOutline(),
      cases: [
        {
          caseIndex: 0,
          baseText: 'a',
          variants: [
            { variantIndex: 0, text: 'b' },
            { variantIndex: 1, text: 'c' },
          ],
        },
        { caseIndex: 1, baseText: 'd', variants: [{ variantIndex: 0, text: 'e' }] },
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
  });
});
