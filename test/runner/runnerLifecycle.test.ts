/**
 * The runner's life as the host sees it, over the real forked runner: a runner that stops answering
 * (stopped with SIGSTOP, as a blocked event loop or a deadlock would leave it) is killed when it does not
 * answer a cancel, or when it never says `ready`, and its run fails saying so while the next run works;
 * SIGTERM during a build removes the build folder; a second `init` is refused; a scope naming no case is
 * an input error; a message with garbage inside fails its run instead of hanging it.
 */
import { cacheFolderNames } from '../helpers/cacheFolder';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunnerClient, type RunEvent } from '../../extension/host/runnerClient';
import { RUNNER_PROTOCOL_VERSION, type RunnerToHost } from '../../extension/protocol/runner';
import { RunRegistry, MAX_EARLY_CANCELS } from '../../extension/runner/runRegistry';
import { freshDir, repoRoot } from '../helpers/paths';
import { TINY_BERT_KEYS } from '../helpers/tinyPrompts';

const runnerPath = join(repoRoot(), 'dist', 'runner.js');
const file = join(freshDir(), 'life.prompt');

const TINY = `---
models:
  - name: tiny
${TINY_BERT_KEYS}
mode: eval
add_special_tokens: false
---
the cat sat on the mat
~ the cat sat on the rug
~ the dog sat on the mat

the bird sat on the mat
~ the bird sat on a mat
`;

/** A model whose random weights take seconds to generate. */
const MID = (seed: number) =>
  `---\nmodels:\n  - name: mid\n    config: gpt2\n    n_layer: 4\n    seed: ${seed}\nmode: eval\n---\nthe cat sat\n~ the dog sat\n`;

function client(options: Partial<ConstructorParameters<typeof RunnerClient>[0]> = {}, cacheDir = freshDir()) {
  const logs: string[] = [];
  const waiting: { pattern: RegExp; resolve: () => void }[] = [];
  const c = new RunnerClient({
    runnerPath,
    settings: () => ({ cacheDir, threads: 1, trusted: true }),
    log: (l) => {
      logs.push(l);
      for (const w of waiting.filter((x) => x.pattern.test(l))) w.resolve();
    },
    ...options,
  });
  /** Resolves when a log line matches (at once if one did already). */
  const logged = (pattern: RegExp) =>
    new Promise<void>((resolve) =>
      logs.some((l) => pattern.test(l)) ? resolve() : waiting.push({ pattern, resolve }),
    );
  return { c, logs, logged };
}

function run(
  c: RunnerClient,
  text: string,
  onEvent: (e: RunEvent) => void = () => {},
  only?: { caseIndex: number; variantIndex?: number },
) {
  const events: RunEvent[] = [];
  const handle = c.run({ file, text, ...(only ? { only } : {}) }, (e) => {
    events.push(e);
    onEvent(e);
  });
  return { handle, events };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test(
  'a runner that stops answering is killed when it does not answer a cancel; the run says so; the next run works',
  { timeout: 60_000 },
  async () => {
    const { c, logs } = client();
    try {
      let stoppedPid = 0;
      const { handle } = run(c, TINY, (e) => {
        if (e.type === 'outline' && !stoppedPid) {
          stoppedPid = c.pid!;
          process.kill(stoppedPid, 'SIGSTOP'); // as a blocked event loop or a deadlock leaves it
          handle.cancel();
        }
      });
      const last = await handle.finished;
      assert.equal(last.type, 'crashed', JSON.stringify(last));
      assert.match((last as Extract<RunEvent, { type: 'crashed' }>).reason, /did not answer the cancel within 2 s/);
      assert.ok(logs.some((l) => /did not answer the cancel/.test(l)));
      const again = await run(c, TINY).handle.finished;
      assert.equal(again.type, 'done');
      assert.notEqual(c.pid, stoppedPid, 'a new runner');
      assert.equal(alive(stoppedPid), false, 'the stuck runner is gone');
    } finally {
      c.dispose();
    }
  },
);

test(
  'a run queued behind a stuck one (a new Compare supersedes it) goes to a fresh runner instead of failing with it',
  { timeout: 60_000 },
  async () => {
    const { c } = client();
    try {
      let stuck = 0;
      let second: ReturnType<typeof run> | null = null;
      const first = run(c, TINY, (e) => {
        if (e.type === 'outline' && !stuck) {
          stuck = c.pid!;
          process.kill(stuck, 'SIGSTOP');
          // What "Compare" does while a run is going: start the new run, cancel the old one.
          second = run(c, TINY);
          first.handle.cancel();
        }
      });
      const last = await first.handle.finished;
      assert.equal(last.type, 'crashed');
      assert.match((last as Extract<RunEvent, { type: 'crashed' }>).reason, /did not answer the cancel/);
      const next = await second!.handle.finished;
      assert.equal(next.type, 'done', JSON.stringify(next).slice(0, 300));
      assert.equal(next.type === 'done' && next.report.results.length, 3);
      assert.notEqual(c.pid, stuck);
    } finally {
      c.dispose();
    }
  },
);

test(
  'a runner that never says ready is killed after the start timeout, and the next run works',
  { timeout: 60_000 },
  async () => {
    const { c } = client({ startTimeoutMs: 3_000 });
    try {
      const { handle } = run(c, TINY);
      const stuck = c.pid!;
      process.kill(stuck, 'SIGSTOP');
      const last = await handle.finished;
      assert.equal(last.type, 'crashed', JSON.stringify(last));
      assert.match((last as Extract<RunEvent, { type: 'crashed' }>).reason, /did not start within 3 s/);
      assert.equal((await run(c, TINY).handle.finished).type, 'done');
      assert.notEqual(c.pid, stuck);
    } finally {
      c.dispose();
    }
  },
);

test(
  'SIGTERM during a build: the runner removes its build folder and exits with 143',
  { timeout: 60_000 },
  async () => {
    const cacheDir = freshDir();
    const child = fork(runnerPath, [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    const models = join(cacheDir, 'models');
    let buildFolder: string | undefined;
    child.on('message', (m: RunnerToHost) => {
      if (m.type === 'progress' && /random parameters/.test(m.message)) {
        buildFolder = readdirSync(models).find((n) => n.startsWith('.tmp-'));
        child.kill('SIGTERM');
      }
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.send({
      type: 'init',
      protocolVersion: RUNNER_PROTOCOL_VERSION,
      settings: { cacheDir, threads: 1, trusted: true },
    });
    child.send({ type: 'run', request: { requestId: 'r1', file, text: MID(1) } });
    assert.equal(await exited, 143);
    assert.ok(buildFolder, 'a build was in progress');
    assert.deepEqual(cacheFolderNames(models), [], 'the build folder is gone');
  },
);

test('a second init is refused: the runner keeps the trust it started with', { timeout: 60_000 }, async () => {
  const cacheDir = freshDir();
  const child = fork(runnerPath, [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const answer = new Promise<RunnerToHost>((resolve) =>
    child.on('message', (m: RunnerToHost) => {
      if (m.type === 'failed' || m.type === 'done') resolve(m);
    }),
  );
  const init = (trusted: boolean) =>
    child.send({ type: 'init', protocolVersion: RUNNER_PROTOCOL_VERSION, settings: { cacheDir, threads: 1, trusted } });
  init(false);
  init(true);
  const weights = join(repoRoot(), '..', 'shared', 'fixtures', 'hf-reference', 'bert');
  const text = TINY.replace('mode: eval', `  - name: from-folder\n    weights: ${weights}\nmode: eval`);
  child.send({ type: 'run', request: { requestId: 'r1', file, text } });
  const m = await answer;
  child.kill();
  assert.equal(m.type, 'failed');
  assert.equal(m.type === 'failed' && m.error.kind, 'untrusted');
  assert.match(stderr, /refused a second init/);
});

test(
  'a scope that names no case, or no variant, is an input error, not an empty success',
  { timeout: 60_000 },
  async () => {
    const { c } = client();
    try {
      for (const [only, message] of [
        [{ caseIndex: 2 }, /there is no case 3 \(the file has 2\)/],
        [{ caseIndex: 1, variantIndex: 1 }, /case 2 has no variant 2 \(it has 1\)/],
      ] as const) {
        const last = await run(c, TINY, () => {}, only).handle.finished;
        assert.equal(last.type, 'failed', JSON.stringify(last));
        const error = (last as Extract<RunEvent, { type: 'failed' }>).error;
        assert.equal(error.kind, 'input');
        assert.match(error.message, message);
        assert.ok(error.diagnostics?.[0]?.range, 'with a place');
      }
      const scoped = await run(c, TINY, () => {}, { caseIndex: 1, variantIndex: 0 }).handle.finished;
      assert.equal(scoped.type, 'done');
      assert.equal(scoped.type === 'done' && scoped.report.results.length, 1);
    } finally {
      c.dispose();
    }
  },
);

test(
  'a result with garbage inside fails its run with the place, and the runner is asked to stop it',
  { timeout: 30_000 },
  async () => {
    // The peer here is a stand-in that speaks the protocol and then sends a damaged result: the unit under
    // test is the host's RunnerClient, and no real runner can be made to send garbage.
    const peer = join(freshDir(), 'garbage-runner.js');
    writeFileSync(
      peer,
      `process.on('message', (m) => {
      if (m.type === 'init') process.send({ type: 'ready', protocolVersion: ${RUNNER_PROTOCOL_VERSION}, pid: process.pid, toolVersion: 'x' });
      if (m.type === 'run') process.send({ type: 'result', requestId: m.request.requestId, result: { model: 'm', layers: [{ maxAbsDiff: ['oops'] }] } });
      if (m.type === 'cancel') process.stderr.write('cancel received ' + m.requestId + '\\n');
    });`,
    );
    const { c, logged } = client({ runnerPath: peer });
    try {
      const { handle } = run(c, TINY);
      const last = await handle.finished;
      assert.equal(last.type, 'failed');
      const error = (last as Extract<RunEvent, { type: 'failed' }>).error;
      assert.equal(error.kind, 'internal');
      assert.match(error.message, /"result" message the extension cannot read \(result\.\w+: /);
      await logged(/cancel received/);
    } finally {
      c.dispose();
    }
  },
);

test(
  'a damaged cache entry is rebuilt by the runner, and the notice reaches the host as progress (the panel shows it)',
  { timeout: 60_000 },
  async () => {
    const cacheDir = freshDir();
    const { c } = client({}, cacheDir);
    try {
      assert.equal((await run(c, TINY).handle.finished).type, 'done');
      const models = join(cacheDir, 'models');
      const [entry] = readdirSync(models).filter((n) => !n.startsWith('.'));
      const weights = join(models, entry, 'model.safetensors');
      const bytes = readFileSync(weights);
      bytes.fill(0x7f, bytes.length - 4096);
      writeFileSync(weights, bytes);
      c.restart('a new process checks the cache afresh');
      const { handle, events } = run(c, TINY);
      const last = await handle.finished;
      assert.equal(last.type, 'done');
      const notice = events.find((e) => e.type === 'progress' && /is damaged/.test(e.message));
      assert.ok(notice && notice.type === 'progress', events.map((e) => e.type).join(', '));
      assert.equal(notice.stage, 'building');
      assert.match(notice.message, /model\.safetensors no longer holds the bytes its build wrote/);
    } finally {
      c.dispose();
    }
  },
);

test('cancels for runs the runner does not have are remembered, but only the latest few', () => {
  const runs = new RunRegistry();
  for (let i = 0; i < 10_000; i++) runs.cancel(`gone-${i}`);
  assert.equal(runs.earlyCancels, MAX_EARLY_CANCELS);
  assert.equal(runs.begin('gone-9999').aborted, true, 'the latest is still honoured');
  assert.equal(runs.begin('gone-0').aborted, false, 'the oldest is forgotten');
  const signal = runs.begin('live');
  runs.cancel('live');
  assert.equal(signal.aborted, true);
  runs.end('live');
  runs.end('gone-9999');
  runs.end('gone-0');
  assert.equal(runs.inFlight, 0);
});
