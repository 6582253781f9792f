/**
 * The host's pure parts of a run: what the output channel says about it (levels, times, paths, stacks) and
 * in which editor group the panel opens. No VS Code here: the log writes to a recorder with the
 * LogOutputChannel's methods; columns are numbers.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { panelColumn } from '../../extension/host/panelColumn';
import { RunLog, type RunLogger } from '../../extension/host/runLog';
import { panelMessageFor } from '../../extension/host/panelMessages';
import { readRecording } from '../webview/recorder';

function recorder(): RunLogger & { lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (m: string | Error) => lines.push(`${level} ${String(m)}`);
  return { lines, info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') };
}

/** A clock the test moves. */
function clock(): { now: () => number; advance(ms: number): void } {
  let t = 1000;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe('the run log', () => {
  it('says the file, the models and where their weights come from, the cache, each model’s times and each verdict', () => {
    const log = recorder();
    const time = clock();
    const run = new RunLog(
      log,
      'seed-run-0000',
      'examples/encoder-vs-decoder.prompt',
      { cacheFolder: '/c/cache', trusted: true },
      time.now,
    );
    const messages = readRecording('seed');
    const outline = messages.find((m) => m.type === 'outline')!;
    if (outline.type !== 'outline') throw new Error('no outline');
    run.outline(outline.models, outline.cases);
    run.progress('gpt2', 'tokenizing', 'tokenizing with the gpt2 tokenizer');
    time.advance(20);
    run.progress('gpt2', 'building', 'generating 124.4M random parameters (seed 0)');
    time.advance(3100);
    run.progress('gpt2', 'running', 'running case 1 (3 inputs in one batch)');
    time.advance(150);
    const result = messages.find((m) => m.type === 'result')!;
    if (result.type !== 'result') throw new Error('no result');
    run.result(result.result);
    run.finished();
    assert.deepEqual(log.lines, [
      'info [run seed-run] compare examples/encoder-vs-decoder.prompt',
      'info [run seed-run] model cache: /c/cache',
      'info [run seed-run] 4 models, 1 case, 1 variant',
      'info [run seed-run]   gpt2: gpt2, random weights (seed 0), eval mode, config gpt2, 12 layers',
      'info [run seed-run]   bert-causal: bert, random weights (seed 0), train mode, config bert-base-uncased, 12 layers',
      'info [run seed-run]   bert-causal-eval: bert, random weights (seed 0), eval mode, config bert-base-uncased, 12 layers',
      'info [run seed-run]   bert: bert, random weights (seed 0), eval mode, config bert-base-uncased, 12 layers',
      'debug [run seed-run] gpt2: tokenizing with the gpt2 tokenizer',
      'debug [run seed-run] gpt2: generating 124.4M random parameters (seed 0)',
      'debug [run seed-run] gpt2: running case 1 (3 inputs in one batch)',
      'info [run seed-run] gpt2, case 1 variant 1: causal',
      'info [run seed-run] gpt2: tokenize 20 ms · build/open 3.10 s · run and compare 150 ms',
      'info [run seed-run] finished in 3.27 s',
    ]);
  });

  it('logs input errors as warnings with their places, internal errors with their stack, a dead runner as an error', () => {
    const log = recorder();
    const time = clock();
    new RunLog(log, 'a', 'broken.prompt', { cacheFolder: '/c', trusted: false }, time.now).failed({
      kind: 'input',
      message: 'broken.prompt has 1 problem(s)',
      diagnostics: [
        {
          severity: 'error',
          message: '`n_layers` is not a GPT-2 config key',
          file: 'broken.prompt',
          range: { start: { line: 4, column: 4 }, end: { line: 4, column: 12 } },
          code: 'unknown-key',
        },
      ],
    });
    new RunLog(log, 'b', 'x.prompt', { cacheFolder: '/c', trusted: true }, time.now).failed({
      kind: 'internal',
      message: 'boom',
      stack: 'Error: boom\n    at compare (compareVariant.ts:1:1)',
    });
    new RunLog(log, 'c', 'x.prompt', { cacheFolder: '/c', trusted: true }, time.now).crashed('killed by SIGKILL');
    assert.ok(log.lines.includes('info [run a] model cache: /c (untrusted workspace: presets only)'));
    assert.ok(log.lines.includes('warn [run a]   broken.prompt:5:5: error: `n_layers` is not a GPT-2 config key'));
    assert.ok(
      log.lines.some((l) => l.startsWith('error [run b] internal error after 0 ms: boom\nError: boom\n    at compare')),
    );
    assert.ok(log.lines.includes('error [run c] the runner died during the run: killed by SIGKILL'));
  });

  it('turns runner events into the panel messages the recorded runs hold', () => {
    assert.deepEqual(panelMessageFor('r', { type: 'crashed', requestId: 'x', reason: 'gone' }, 5), {
      type: 'runFailed',
      runId: 'r',
      kind: 'runner-crashed',
      message: 'gone',
    });
    assert.deepEqual(
      panelMessageFor('r', { type: 'failed', requestId: 'x', error: { kind: 'cancelled', message: 'cancelled' } }, 5),
      {
        type: 'runFailed',
        runId: 'r',
        kind: 'cancelled',
        message: 'cancelled',
      },
    );
  });
});

describe('where the panel opens', () => {
  it('beside the file, in a group that exists, never a third column', () => {
    assert.equal(panelColumn(1, [1]), 'beside', 'one group: a new one beside');
    assert.equal(panelColumn(1, [1, 2]), 2, 'the group to the right');
    assert.equal(panelColumn(2, [1, 2]), 1, 'the file is in the last group: the one to its left');
    assert.equal(panelColumn(2, [1, 2, 3]), 3);
    assert.equal(panelColumn(undefined, [1, 2]), 2);
    assert.equal(panelColumn(undefined, [1]), 'beside');
  });
});
