/**
 * Downloads: resumed after a dropped connection (from the `.incomplete`, not from byte 0), cancelled mid-file
 * (a resumable `.incomplete`, nothing that looks complete), refused on a sha256 / git sha1 mismatch, one at a
 * time across concurrent resolves, progress per file, and the token sent to the Hub only — never the CDN.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { type HubProgress, resolveModel } from '../../extension/lab/hub';
import { referenceFolder } from '../helpers/hfReference';
import { referenceRepo, settingsFor } from '../helpers/hubKit';
import { HubServer, sha256 } from '../helpers/hubServer';

const WEIGHTS = 'model.safetensors';
const weights = readFileSync(join(referenceFolder('gpt2'), WEIGHTS));
const weightsEtag = sha256(weights);
const gpt2 = referenceRepo('gpt2');
const commit = gpt2.commits[0].sha;
const ID = 'hf-reference/gpt2';

let server: HubServer;
before(async () => {
  server = await HubServer.start([gpt2, referenceRepo('bert', { gated: true })]);
});
after(() => server.close());

function paths(cacheDir: string) {
  const root = join(cacheDir, 'models--hf-reference--gpt2');
  return {
    blob: join(root, 'blobs', weightsEtag),
    incomplete: join(root, 'blobs', `${weightsEtag}.incomplete`),
    link: join(root, 'snapshots', commit, WEIGHTS),
  };
}

const weightGets = () => server.requests.filter((r) => r.server === 'cdn' && r.method === 'GET');

test('a dropped connection is resumed from where it stopped, within the same resolve', async () => {
  const settings = settingsFor(server);
  server.requests.length = 0;
  server.dropAfter(WEIGHTS, 50_000);
  const snap = await resolveModel({ repoId: ID }, settings);
  assert.deepEqual(readFileSync(join(snap.dir, WEIGHTS)), weights);
  assert.deepEqual(
    weightGets().map((r) => r.range),
    [undefined, 'bytes=50000-'],
    'the second request asks only for the rest',
  );
});

test('a download that keeps dropping stops with a resumable .incomplete, and the next run resumes it', async () => {
  const settings = settingsFor(server);
  const p = paths(settings.cacheDir);
  server.dropAfter(WEIGHTS, 1_000, 100);
  try {
    await assert.rejects(resolveModel({ repoId: ID }, settings), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'unreachable');
      assert.match(
        e.message,
        /dropped after 6000 of 125352 bytes of `model\.safetensors` of `hf-reference\/gpt2`.*run again to resume/,
      );
      return true;
    });
  } finally {
    server.dropAfter(WEIGHTS, 0, 0);
  }
  assert.equal(statSync(p.incomplete).size, 6_000);
  assert.ok(!existsSync(p.blob) && !existsSync(p.link), 'nothing that looks complete');
  server.requests.length = 0;
  await resolveModel({ repoId: ID }, settings);
  assert.deepEqual(
    weightGets().map((r) => r.range),
    ['bytes=6000-'],
  );
  assert.deepEqual(readFileSync(p.link), weights);
  assert.ok(!existsSync(p.incomplete));
});

test('cancel mid-file stops the transfer, keeps a resumable .incomplete, and leaves no blob or link', async () => {
  const settings = settingsFor(server);
  const p = paths(settings.cacheDir);
  const hold = server.hold(WEIGHTS, 40_000);
  const controller = new AbortController();
  const run = resolveModel({ repoId: ID }, settings, {
    signal: controller.signal,
    onProgress: (e) => {
      if (e.kind === 'bytes' && e.file === WEIGHTS && e.fileBytes >= 40_000) controller.abort();
    },
  });
  await assert.rejects(run, (e: Error & { code?: string }) => e.code === 'cancelled' && /cancelled/.test(e.message));
  hold.release();
  assert.equal(statSync(p.incomplete).size, 40_000);
  assert.ok(!existsSync(p.blob) && !existsSync(p.link));
  server.requests.length = 0;
  const snap = await resolveModel({ repoId: ID }, settings);
  assert.deepEqual(
    weightGets().map((r) => r.range),
    ['bytes=40000-'],
  );
  assert.deepEqual(readFileSync(join(snap.dir, WEIGHTS)), weights);
});

test('content that does not match the announced sha256 (or git sha1) is refused and nothing is kept', async () => {
  for (const file of [WEIGHTS, 'config.json']) {
    const settings = settingsFor(server);
    const root = join(settings.cacheDir, 'models--hf-reference--gpt2');
    server.corrupt(file);
    try {
      await assert.rejects(resolveModel({ repoId: ID }, settings), (e: Error & { code?: string }) => {
        assert.equal(e.code, 'integrity');
        const hash = file === WEIGHTS ? 'sha256' : 'git sha1';
        assert.match(e.message, new RegExp(`\`${file}\` of \`${ID}\` does not match the ${hash} the Hub announced`));
        return true;
      });
    } finally {
      server.corrupted.delete(file);
    }
    const blobs = existsSync(join(root, 'blobs')) ? readdirSync(join(root, 'blobs')) : [];
    if (file === WEIGHTS) assert.ok(!blobs.includes(weightsEtag) && !blobs.some((b) => b.endsWith('.incomplete')));
    else assert.deepEqual(blobs, [], 'no blob and no .incomplete');
    assert.ok(!existsSync(join(root, 'snapshots', commit, file)));
    // The next run, with the right bytes, succeeds.
    await resolveModel({ repoId: ID }, settings);
  }
});

test('two resolves of the same model at once download each file once', async () => {
  const settings = settingsFor(server);
  server.requests.length = 0;
  const hold = server.hold(WEIGHTS, 30_000);
  let sawWaiting!: () => void;
  const waiting = new Promise<void>((r) => (sawWaiting = r));
  const onProgress = (e: HubProgress) => {
    if (e.kind === 'waiting' && e.file === WEIGHTS) sawWaiting();
  };
  const a = resolveModel({ repoId: ID }, settings, { onProgress });
  const b = resolveModel({ repoId: ID }, settings, { onProgress });
  await hold.reached;
  await waiting;
  hold.release();
  const [sa, sb] = await Promise.all([a, b]);
  assert.equal(sa.dir, sb.dir);
  assert.equal(weightGets().length, 1, 'the weights were fetched once');
  assert.equal(
    sa.downloaded + sb.downloaded,
    weights.length + readFileSync(join(referenceFolder('gpt2'), 'generation_config.json')).length,
  );
  assert.deepEqual(readFileSync(join(sa.dir, WEIGHTS)), weights);
});

test('a lock left by a dead process is taken over; one held by a live process is waited for', async () => {
  const settings = settingsFor(server);
  const lock = join(settings.cacheDir, '.locks', 'models--hf-reference--gpt2', `${weightsEtag}.plab-lock`);
  mkdirSync(join(lock, '..'), { recursive: true });
  const dead = spawnSync(process.execPath, ['-e', '']).pid;
  writeFileSync(lock, JSON.stringify({ host: hostname(), pid: dead }));
  await resolveModel({ repoId: ID }, settings);
  assert.ok(!existsSync(lock));

  const other = settingsFor(server);
  const lock2 = join(other.cacheDir, '.locks', 'models--hf-reference--gpt2', `${weightsEtag}.plab-lock`);
  mkdirSync(join(lock2, '..'), { recursive: true });
  writeFileSync(lock2, JSON.stringify({ host: hostname(), pid: process.ppid }));
  const run = resolveModel({ repoId: ID }, other, {
    onProgress: (e) => {
      // The owner "finishes": its lock goes away and we proceed.
      if (e.kind === 'waiting' && e.file === WEIGHTS) unlinkSync(lock2);
    },
  });
  const snap = await run;
  assert.deepEqual(readFileSync(join(snap.dir, WEIGHTS)), weights);
});

test('progress reports bytes of each file and of the whole download, ending at the total', async () => {
  const settings = settingsFor(server);
  const events: HubProgress[] = [];
  const snap = await resolveModel({ repoId: ID }, settings, { onProgress: (e) => events.push(e) });
  assert.equal(events[0].kind, 'checking');
  const bytes = events.filter((e) => e.kind === 'bytes');
  const done = events.filter((e) => e.kind === 'file-done');
  assert.deepEqual(
    done.map((e) => e.file),
    [WEIGHTS, 'generation_config.json'],
  );
  const last = done[done.length - 1];
  assert.equal(last.bytes, last.total);
  assert.equal(last.total, snap.downloaded);
  let previous = 0;
  for (const e of bytes) {
    assert.ok(e.bytes > previous && e.bytes <= e.total, 'overall bytes grow to the total');
    assert.ok(e.fileBytes <= e.fileTotal);
    previous = e.bytes;
  }
  assert.equal(bytes.filter((e) => e.file === WEIGHTS).at(-1)!.fileBytes, weights.length);
});

test('a stalled transfer is given up after the idle timeout: resumed by a new request, or failed if nothing came', async () => {
  const settings = settingsFor(server, { timeoutMs: 300 });
  server.requests.length = 0;
  const stalled = server.hold(WEIGHTS, 20_000);
  await resolveModel({ repoId: ID }, settings);
  stalled.release();
  assert.deepEqual(
    weightGets().map((r) => r.range),
    [undefined, 'bytes=20000-'],
  );

  const silent = server.hold(WEIGHTS, 0);
  await assert.rejects(
    resolveModel({ repoId: ID }, settingsFor(server, { timeoutMs: 300 })),
    (e: Error & { code?: string }) => {
      assert.equal(e.code, 'unreachable');
      assert.match(e.message, /sent nothing for 0\.3 s while fetching `model\.safetensors` of `hf-reference\/gpt2`/);
      return true;
    },
  );
  silent.release();
});

for (const source of ['HF_TOKEN', 'token file'] as const) {
  test(`the token from ${source} opens a gated repo and is sent to the Hub only, never to the CDN`, async () => {
    const token = `hf_test_${source.replace(' ', '_')}_0123456789`;
    server.validTokens.add(token);
    server.granted.add(token);
    const home = join(settingsFor(undefined).cacheDir, 'hf-home');
    mkdirSync(home, { recursive: true });
    if (source === 'token file') writeFileSync(join(home, 'token'), `${token}\n`);
    const env = source === 'HF_TOKEN' ? { HF_TOKEN: token, HF_HOME: home } : { HF_HOME: home };
    const settings = settingsFor(server, {}, env);
    assert.equal(settings.tokenSource, source);
    server.requests.length = 0;
    const snap = await resolveModel({ repoId: 'hf-reference/bert' }, settings);
    assert.ok(existsSync(join(snap.dir, WEIGHTS)));
    const hub = server.requests.filter((r) => r.server === 'hub');
    const cdn = server.requests.filter((r) => r.server === 'cdn');
    assert.ok(hub.length > 0 && hub.every((r) => r.authorization === `Bearer ${token}`));
    assert.ok(cdn.length > 0 && cdn.every((r) => r.authorization === undefined), 'the CDN never sees the token');
  });
}
