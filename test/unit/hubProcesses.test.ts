/**
 * Separate processes sharing one cache: two downloading the same model at once fetch each blob once and both
 * get it whole; a process killed mid-file leaves a lock and a `.incomplete` that the next process takes over
 * and resumes. The children are this same file, run with PLAB_HUB_CHILD set.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcess, fork } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type HubProgress, hubSettings, resolveModel } from '../../extension/lab/hub';
import { referenceFolder } from '../helpers/hfReference';
import { referenceRepo, settingsFor } from '../helpers/hubKit';
import { HubServer, sha256 } from '../helpers/hubServer';

interface ChildJob {
  endpoint: string;
  cacheDir: string;
  home: string;
}

type ChildMessage =
  { kind: 'progress'; event: HubProgress } | { kind: 'done'; dir: string } | { kind: 'error'; message: string };

if (process.env.PLAB_HUB_CHILD) {
  // A child: resolve the model, report progress to the parent, exit.
  const job = JSON.parse(process.env.PLAB_HUB_CHILD) as ChildJob;
  const send = (m: ChildMessage) => process.send?.(m);
  const settings = hubSettings(
    { endpoint: job.endpoint, cacheDir: job.cacheDir, timeoutMs: 10_000 },
    { HF_HOME: job.home },
  );
  resolveModel({ repoId: 'hf-reference/gpt2' }, settings, {
    onProgress: (event) => send({ kind: 'progress', event }),
  }).then(
    (snap) => {
      send({ kind: 'done', dir: snap.dir });
      process.disconnect?.();
    },
    (e: Error) => {
      send({ kind: 'error', message: e.message });
      process.disconnect?.();
    },
  );
} else {
  const WEIGHTS = 'model.safetensors';
  const weights = readFileSync(join(referenceFolder('gpt2'), WEIGHTS));
  let server: HubServer;
  before(async () => {
    server = await HubServer.start([referenceRepo('gpt2')]);
  });
  after(() => server.close());

  const spawnChild = (settings: { endpoint: string; cacheDir: string }) => {
    const job: ChildJob = {
      endpoint: settings.endpoint,
      cacheDir: settings.cacheDir,
      home: join(settings.cacheDir, 'home'),
    };
    const child = fork(__filename, [], {
      env: { ...process.env, PLAB_HUB_CHILD: JSON.stringify(job) },
      stdio: 'inherit',
    });
    const messages: ChildMessage[] = [];
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.on('message', (m: ChildMessage) => messages.push(m));
    return { child, messages, exited };
  };

  const whenMessage = (child: ChildProcess, match: (m: ChildMessage) => boolean) =>
    new Promise<ChildMessage>((resolve) => {
      const on = (m: ChildMessage) => {
        if (!match(m)) return;
        child.off('message', on);
        resolve(m);
      };
      child.on('message', on);
    });

  test(
    'two processes downloading the same model fetch each blob once and both get it whole',
    { timeout: 60_000 },
    async () => {
      const settings = settingsFor(server);
      server.requests.length = 0;
      const hold = server.hold(WEIGHTS, 30_000);
      const a = spawnChild(settings);
      await hold.reached;
      const b = spawnChild(settings);
      await whenMessage(
        b.child,
        (m) => m.kind === 'progress' && m.event.kind === 'waiting' && m.event.file === WEIGHTS,
      );
      hold.release();
      assert.deepEqual(await Promise.all([a.exited, b.exited]), [0, 0]);
      const done = [...a.messages, ...b.messages].filter((m) => m.kind === 'done');
      assert.equal(done.length, 2, JSON.stringify([...a.messages, ...b.messages].filter((m) => m.kind === 'error')));
      for (const d of done) if (d.kind === 'done') assert.deepEqual(readFileSync(join(d.dir, WEIGHTS)), weights);
      assert.equal(
        server.count((r) => r.server === 'cdn' && r.method === 'GET'),
        1,
      );
    },
  );

  test(
    'a process killed mid-file: the next one takes over its lock and resumes its .incomplete',
    { timeout: 60_000 },
    async () => {
      const settings = settingsFor(server);
      const etag = sha256(weights);
      const root = join(settings.cacheDir, 'models--hf-reference--gpt2');
      const lock = join(settings.cacheDir, '.locks', 'models--hf-reference--gpt2', `${etag}.plab-lock`);
      const hold = server.hold(WEIGHTS, 30_000);
      const victim = spawnChild(settings);
      await whenMessage(
        victim.child,
        (m) => m.kind === 'progress' && m.event.kind === 'bytes' && m.event.fileBytes >= 30_000,
      );
      victim.child.kill('SIGKILL');
      await victim.exited;
      hold.release();
      assert.ok(existsSync(lock), 'the killed process left its lock');
      assert.equal(statSync(join(root, 'blobs', `${etag}.incomplete`)).size, 30_000);
      server.requests.length = 0;
      const snap = await resolveModel({ repoId: 'hf-reference/gpt2' }, settings);
      assert.deepEqual(readFileSync(join(snap.dir, WEIGHTS)), weights);
      assert.deepEqual(
        server.requests.filter((r) => r.server === 'cdn').map((r) => r.range),
        ['bytes=30000-'],
      );
      assert.ok(!existsSync(lock));
    },
  );
}
