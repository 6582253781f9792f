/**
 * The runner boundary over a real forked process (dist/runner.js) and the host's RunnerClient:
 * streaming order, cancel, a crash mid-run and recovery, input errors with ranges, workspace trust,
 * and malformed messages refused on both sides.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { RunnerClient, type RunEvent } from '../../extension/host/runnerClient';
import {
  isHostToRunner,
  isRunnerToHost,
  RUNNER_PROTOCOL_VERSION,
  type RunnerToHost,
} from '../../extension/protocol/runner';
import { freshDir, repoRoot } from '../helpers/paths';
import { TINY_BERT_KEYS } from '../helpers/tinyPrompts';

const runnerPath = join(repoRoot(), 'dist', 'runner.js');
const cacheDir = freshDir();
const file = join(freshDir(), 'tiny.prompt');
const logs: string[] = [];

const TINY_MODEL = (name: string, extra = '') => `  - name: ${name}
${TINY_BERT_KEYS}
${extra}`;

function promptText(cases: number, extraModel = ''): string {
  const body = Array.from(
    { length: cases },
    (_, i) => `the cat number ${i} sat on the mat\n~ the cat number ${i} sat on the rug`,
  ).join('\n\n');
  return `---\nmodels:\n${TINY_MODEL('tiny')}${TINY_MODEL('tiny-causal', '    is_decoder: true\n')}${extraModel}mode: eval\nadd_special_tokens: false\n---\n${body}\n`;
}

function client(trusted = true): RunnerClient {
  return new RunnerClient({
    runnerPath,
    settings: () => ({ cacheDir, threads: 1, trusted }),
    log: (l) => logs.push(l),
  });
}

function collect(c: RunnerClient, text: string, onEvent: (e: RunEvent, all: RunEvent[]) => void = () => {}) {
  const events: RunEvent[] = [];
  const handle = c.run({ file, text }, (e) => {
    events.push(e);
    onEvent(e, events);
  });
  return { handle, events };
}

test(
  'a run streams outline, progress, one result per model × variant in order, then done',
  { timeout: 60_000 },
  async () => {
    const c = client();
    try {
      const { handle, events } = collect(c, promptText(2));
      const last = await handle.finished;
      assert.equal(last.type, 'done');
      const types = events.map((e) => e.type);
      assert.equal(types[0], 'outline');
      assert.equal(types.at(-1), 'done');
      assert.ok(types.includes('progress'));
      const results = events
        .filter((e): e is Extract<RunEvent, { type: 'result' }> => e.type === 'result')
        .map((e) => [e.result.model, e.result.caseIndex, e.result.verdict]);
      assert.deepEqual(results, [
        ['tiny', 0, 'bidirectional'],
        ['tiny', 1, 'bidirectional'],
        ['tiny-causal', 0, 'causal'],
        ['tiny-causal', 1, 'causal'],
      ]);
      assert.ok(
        events.every((e) => e.requestId === handle.requestId),
        'every event names its request',
      );
      const done = last as Extract<RunEvent, { type: 'done' }>;
      assert.equal(done.report.results.length, 4);
    } finally {
      c.dispose();
    }
  },
);

test('cancel stops a run between results and the runner stays usable', { timeout: 60_000 }, async () => {
  const c = client();
  try {
    const { handle, events } = collect(c, promptText(40), (e) => {
      if (e.type === 'result') handle.cancel();
    });
    const last = await handle.finished;
    assert.equal(last.type, 'failed');
    assert.equal((last as Extract<RunEvent, { type: 'failed' }>).error.kind, 'cancelled');
    const results = events.filter((e) => e.type === 'result').length;
    assert.ok(results >= 1 && results < 80, `${results} results before the cancel took effect`);
    const again = collect(c, promptText(1));
    assert.equal((await again.handle.finished).type, 'done');
  } finally {
    c.dispose();
  }
});

test(
  'a crash mid-run fails the run with the reason, and the next run starts a new runner',
  { timeout: 60_000 },
  async () => {
    const c = client();
    try {
      const { handle } = collect(c, promptText(40), (e, all) => {
        if (e.type === 'result' && all.filter((x) => x.type === 'result').length === 1) c.killRunner();
      });
      const firstPid = c.pid;
      const last = await handle.finished;
      assert.equal(last.type, 'crashed');
      assert.match((last as Extract<RunEvent, { type: 'crashed' }>).reason, /was killed by SIGKILL/);
      const again = collect(c, promptText(1));
      assert.equal((await again.handle.finished).type, 'done');
      assert.notEqual(c.pid, firstPid, 'a fresh runner process');
    } finally {
      c.dispose();
    }
  },
);

test('a broken file fails with its diagnostics and ranges; the runner keeps going', { timeout: 60_000 }, async () => {
  const c = client();
  try {
    const broken = promptText(1).replace('    hidden_size: 32\n', '    hidden_size: 32\n    n_layer: 3\n');
    const { handle } = collect(c, broken);
    const last = (await handle.finished) as Extract<RunEvent, { type: 'failed' }>;
    assert.equal(last.type, 'failed');
    assert.equal(last.error.kind, 'input');
    const d = last.error.diagnostics?.find((x) => /n_layer/.test(x.message));
    assert.ok(d, 'the diagnostic names the key');
    assert.deepEqual(d.range.start, { line: 5, column: 4 });
    assert.equal((await collect(c, promptText(1)).handle.finished).type, 'done');
  } finally {
    c.dispose();
  }
});

test(
  'in an untrusted workspace no model is loaded from a path, and the runner says why',
  { timeout: 60_000 },
  async () => {
    const c = client(false);
    try {
      const weights = join(repoRoot(), '..', 'shared', 'fixtures', 'hf-reference', 'bert');
      const text = promptText(1, `  - name: from-folder\n    weights: ${weights}\n`);
      const last = (await collect(c, text).handle.finished) as Extract<RunEvent, { type: 'failed' }>;
      assert.equal(last.type, 'failed');
      assert.equal(last.error.kind, 'untrusted');
      assert.match(last.error.message, /not trusted/);
      assert.match(last.error.message, /from-folder/);
      assert.equal((await collect(c, promptText(1)).handle.finished).type, 'done', 'presets still run');
    } finally {
      c.dispose();
    }
  },
);

test(
  'malformed messages are refused: the runner ignores them and still answers, the host validators reject them',
  { timeout: 30_000 },
  async () => {
    const child = fork(runnerPath, [], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const got: RunnerToHost[] = [];
    const ready = new Promise<void>((resolve) =>
      child.on('message', (m) => {
        got.push(m as RunnerToHost);
        if ((m as RunnerToHost).type === 'ready') resolve();
      }),
    );
    child.send({ type: 'run', request: { requestId: 7 } });
    child.send({ hello: 'world' });
    child.send({
      type: 'init',
      protocolVersion: RUNNER_PROTOCOL_VERSION,
      settings: { cacheDir, threads: 1, trusted: true },
    });
    await ready;
    assert.deepEqual(
      got.map((m) => m.type),
      ['ready'],
      'nothing answered the malformed messages',
    );
    assert.match(stderr, /ignored a malformed message/);
    child.kill();

    assert.equal(isRunnerToHost({ type: 'result', requestId: 'x', result: null }), false);
    assert.equal(isRunnerToHost({ type: 'ready', protocolVersion: 0, pid: 1 }), false);
    assert.equal(isRunnerToHost({ type: 'evil' }), false);
    assert.equal(
      isRunnerToHost({ type: 'result', requestId: 'x', result: { verdict: 'causal' } }),
      false,
      'a result missing its fields',
    );
    assert.equal(isRunnerToHost({ type: 'done', requestId: 'x', elapsedMs: 1, report: null }), false);
    assert.equal(isRunnerToHost('ready'), false);
    assert.equal(
      isHostToRunner({ type: 'init', protocolVersion: RUNNER_PROTOCOL_VERSION, settings: { cacheDir: 1 } }),
      false,
    );
    assert.equal(isHostToRunner({ type: 'cancel', requestId: 'a' }), true);
    assert.ok(
      logs.every((l) => !/dropped a malformed/.test(l)),
      'our own runner never sends malformed messages',
    );
  },
);

/** The runner's OS threads (its weight workers add theirs while they run). */
function threadCount(pid: number): number {
  return readdirSync(`/proc/${pid}/task`).length;
}

test(
  'cancel during a model build stops it: its workers end, its folder goes, nothing is cached; the next run builds it',
  { timeout: 120_000 },
  async () => {
    const cache = freshDir();
    const c = new RunnerClient({
      runnerPath,
      settings: () => ({ cacheDir: cache, threads: 1, trusted: true }),
      log: () => {},
    });
    try {
      // A finished run first: the runner's idle threads (libuv's pool included) are all there.
      assert.equal((await collect(c, promptText(1)).handle.finished).type, 'done');
      const idleThreads = threadCount(c.pid!);
      const models = join(cache, 'models');
      const entriesBefore = readdirSync(models).sort();
      // A model big enough that its random weights take seconds to generate on the worker threads.
      const text = `---\nmodels:\n  - name: mid\n    config: gpt2\n    n_layer: 4\nmode: eval\n---\nthe cat sat\n~ the dog sat\n`;
      let buildFile = '';
      const { handle } = collect(c, text, (e) => {
        // Sent once the build folder exists; the worker threads are spawned in the same step.
        if (e.type === 'progress' && e.stage === 'building' && /random parameters/.test(e.message) && !buildFile) {
          const tmp = readdirSync(models).find((n) => n.startsWith('.tmp-'));
          buildFile = tmp ? join(models, tmp, 'model.safetensors') : 'none';
          handle.cancel();
        }
      });
      const last = await handle.finished;
      assert.equal(last.type, 'failed');
      assert.equal((last as Extract<RunEvent, { type: 'failed' }>).error.kind, 'cancelled');
      assert.ok(buildFile !== 'none' && buildFile !== '', 'the build folder existed when the cancel was sent');
      // Runs are one at a time: once a later run has answered, the cancelled one has wholly ended.
      assert.equal((await collect(c, 'not a prompt file').handle.finished).type, 'failed');
      assert.ok(
        threadCount(c.pid!) <= idleThreads,
        `${threadCount(c.pid!)} threads after the cancel, ${idleThreads} idle`,
      );
      assert.deepEqual(readdirSync(models).sort(), entriesBefore, 'no build folder left, nothing new cached');
      const again = collect(c, text);
      assert.equal((await again.handle.finished).type, 'done', 'the next run builds it');
    } finally {
      c.dispose();
    }
  },
);

test(
  'a cancel sent while the runner is still starting ends the run at once; it never runs',
  { timeout: 60_000 },
  async () => {
    const c = client();
    try {
      const { handle, events } = collect(c, promptText(3));
      handle.cancel();
      const last = await handle.finished;
      assert.equal(last.type, 'failed');
      assert.equal((last as Extract<RunEvent, { type: 'failed' }>).error.kind, 'cancelled');
      assert.deepEqual(
        events.map((e) => e.type),
        ['failed'],
        'no outline, no results',
      );
      assert.equal((await collect(c, promptText(1)).handle.finished).type, 'done', 'the runner still works');
    } finally {
      c.dispose();
    }
  },
);
