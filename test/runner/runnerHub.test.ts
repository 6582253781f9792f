/**
 * `from:` through the real forked runner (dist/runner.js) and the host's RunnerClient, against the loopback Hub:
 * download progress events, the confirmation asked of the host and answered yes or no (nothing fetched before
 * the answer, nothing after a no), a cancel while the question waits and one mid-download (the `.incomplete`
 * stays and the next run resumes it), Restricted Mode as cache only, and the token from the host reaching the
 * Hub without ever appearing in an event or a log line.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { RunnerClient, type RunEvent } from '../../extension/host/runnerClient';
import type { HubRunnerSettings } from '../../extension/protocol/runner';
import { HubServer, repoOf } from '../helpers/hubServer';
import { freshDir, repoRoot } from '../helpers/paths';
import { tinyRepoFiles } from '../helpers/tinyTokenizers';

const runnerPath = join(repoRoot(), 'dist', 'runner.js');
const TOKEN = 'hf_runner_test_token_QWERTY';
const file = join(freshDir(), 'hub.prompt');

// The runner inherits this process's environment: none of the machine's Hugging Face settings leak in.
for (const key of Object.keys(process.env))
  if (/^(HF_|HUGGING|TRANSFORMERS_OFFLINE)/.test(key)) delete process.env[key];

let server: HubServer;
before(async () => {
  server = await HubServer.start([
    repoOf('gpt2', tinyRepoFiles('gpt2')),
    repoOf('bert-base-uncased', tinyRepoFiles('bert')),
    repoOf('org/gated', tinyRepoFiles('gpt2'), { gated: true }),
  ]);
  server.validTokens.add(TOKEN);
  server.granted.add(TOKEN);
});
after(() => server.close());

const SEED_TEXT = `---
models:
  - name: gpt2
    from: gpt2
  - name: bert-causal-eval
    from: bert-base-uncased
    is_decoder: true
add_special_tokens: false
---
<pad> Ich will ein
~ <pad> Ich will das
`;

interface Harness {
  client: RunnerClient;
  logs: string[];
  hfHome: string;
}

/** A runner with its own Hugging Face home (a fresh cache unless given one). */
function harness(hub: HubRunnerSettings = {}, options: { trusted?: boolean; hfHome?: string } = {}): Harness {
  const hfHome = options.hfHome ?? freshDir('plab-hfhome-');
  // Read by the runner at fork, as VS Code's environment would be.
  process.env.HF_HOME = hfHome;
  const logs: string[] = [];
  const cacheDir = freshDir();
  const client = new RunnerClient({
    runnerPath,
    settings: () => ({
      cacheDir,
      threads: 1,
      trusted: options.trusted ?? true,
      hub: { endpoint: server.endpoint, ...hub },
    }),
    log: (l) => logs.push(l),
  });
  return { client, logs, hfHome };
}

function run(
  h: Harness,
  text: string,
  onEvent: (e: RunEvent, handle: { cancel(): void; requestId: string }) => void = () => {},
) {
  const events: RunEvent[] = [];
  // Events arrive after `run` returned (the runner answers asynchronously), so `handle` is set by then.
  const handle: ReturnType<RunnerClient['run']> = h.client.run({ file, text }, (e) => {
    events.push(e);
    onEvent(e, handle);
  });
  return { handle, events };
}

const progressOf = (events: RunEvent[]) =>
  events.filter((e): e is Extract<RunEvent, { type: 'progress' }> => e.type === 'progress');

test(
  'the runner asks the host before a download above the threshold; yes: progress per file, then the results',
  { timeout: 120_000 },
  async () => {
    const h = harness({ confirmDownloadAbove: 1000 });
    try {
      server.requests.length = 0;
      let cdnWhenAsked = -1;
      const { handle, events } = run(h, SEED_TEXT, (e) => {
        if (e.type !== 'confirmDownload') return;
        cdnWhenAsked = server.count((q) => q.server === 'cdn');
        h.client.answerDownload(e.requestId, e.confirmId, true);
      });
      const last = await handle.finished;
      assert.equal(last.type, 'done', JSON.stringify(last));
      assert.equal(cdnWhenAsked, 0, 'no weight requested before the answer');
      const question = events.find(
        (e): e is Extract<RunEvent, { type: 'confirmDownload' }> => e.type === 'confirmDownload',
      )!;
      assert.deepEqual(
        question.repos.map((r) => [r.repoId, r.revision, r.models]),
        [
          ['gpt2', 'main', ['gpt2']],
          ['bert-base-uncased', 'main', ['bert-causal-eval']],
        ],
      );
      assert.equal(question.total, question.repos[0].bytes + question.repos[1].bytes);
      assert.equal(question.threshold, 1000);
      assert.equal(question.cacheDir, join(h.hfHome, 'hub'));
      // The outline comes first (the panel lays out its rows), then the question, then bytes.
      const types = events.map((e) => e.type);
      assert.ok(types.indexOf('outline') < types.indexOf('confirmDownload'));
      const bytes = progressOf(events).filter((p) => p.download);
      assert.ok(types.indexOf('confirmDownload') < events.indexOf(bytes[0]));
      const weights = bytes.filter((p) => p.model === 'gpt2' && p.download!.file === 'model.safetensors');
      assert.ok(weights.length >= 1);
      const lastWeights = weights.at(-1)!.download!;
      assert.equal(lastWeights.fileBytes, lastWeights.fileTotal, 'the file ends complete');
      assert.match(
        weights[0].message,
        /^downloading model\.safetensors: .* of 125 kB \(\d+ % of \d+ kB\)$|^model\.safetensors done/,
      );
      assert.equal(bytes.at(-1)!.download!.bytes, bytes.at(-1)!.download!.total);
      const results = events.filter((e): e is Extract<RunEvent, { type: 'result' }> => e.type === 'result');
      assert.deepEqual(
        results.map((r) => [r.result.model, r.result.verdict]),
        [
          ['gpt2', 'causal'],
          ['bert-causal-eval', 'causal'],
        ],
      );
      // Nothing more for a second run: the cache has both, no request, no question.
      server.requests.length = 0;
      const again = run(h, SEED_TEXT);
      assert.equal((await again.handle.finished).type, 'done');
      assert.equal(server.requests.length, 0);
      assert.ok(!again.events.some((e) => e.type === 'confirmDownload'));
    } finally {
      h.client.dispose();
    }
  },
);

test(
  'answered no: the run ends as cancelled, saying nothing was downloaded; no weight was fetched',
  { timeout: 60_000 },
  async () => {
    const h = harness({ confirmDownloadAbove: 1000 });
    try {
      server.requests.length = 0;
      const { handle } = run(h, SEED_TEXT, (e) => {
        if (e.type === 'confirmDownload') h.client.answerDownload(e.requestId, e.confirmId, false);
      });
      const last = await handle.finished;
      assert.equal(last.type, 'failed');
      assert.equal(last.type === 'failed' && last.error.kind, 'cancelled');
      assert.match(
        last.type === 'failed' ? last.error.message : '',
        /^Not downloaded: \d+ kB \(gpt2 1\d\d kB, bert-base-uncased \d+ kB\)\. Nothing was fetched\.$/,
      );
      assert.equal(
        server.count((q) => q.server === 'cdn'),
        0,
      );
      const blobs = readdirSync(join(h.hfHome, 'hub', 'models--gpt2', 'blobs'));
      assert.equal(blobs.length, 1, `only config.json: ${blobs.join(', ')}`);
    } finally {
      h.client.dispose();
    }
  },
);

test(
  'a cancel while the question waits ends the run at once; a late answer starts nothing',
  { timeout: 60_000 },
  async () => {
    const h = harness({ confirmDownloadAbove: 0 });
    try {
      server.requests.length = 0;
      let asked: Extract<RunEvent, { type: 'confirmDownload' }> | undefined;
      const { handle } = run(h, SEED_TEXT, (e, hd) => {
        if (e.type !== 'confirmDownload') return;
        asked = e;
        hd.cancel();
      });
      const last = await handle.finished;
      assert.equal(last.type === 'failed' && last.error.kind, 'cancelled');
      h.client.answerDownload(asked!.requestId, asked!.confirmId, true);
      assert.ok(h.logs.some((l) => /came after the run ended/.test(l)));
      // The runner is still there and answers the next run (whose question is answered no).
      const next = run(h, SEED_TEXT, (e) => {
        if (e.type === 'confirmDownload') h.client.answerDownload(e.requestId, e.confirmId, false);
      });
      assert.equal((await next.handle.finished).type, 'failed');
      assert.equal(
        server.count((q) => q.server === 'cdn'),
        0,
        'nothing was ever downloaded',
      );
    } finally {
      h.client.dispose();
    }
  },
);

test(
  'a cancel mid-download leaves a resumable .incomplete; the next run resumes it with a Range request',
  { timeout: 120_000 },
  async () => {
    const h = harness();
    try {
      const hold = server.hold('model.safetensors', 40_000);
      const blobs = join(h.hfHome, 'hub', 'models--gpt2', 'blobs');
      const partial = () => (existsSync(blobs) ? readdirSync(blobs).find((n) => n.endsWith('.incomplete')) : undefined);
      const { handle } = run(h, SEED_TEXT);
      await hold.reached;
      // The bytes are on their way into the file: cancel once they are there (polling the file, not sleeping).
      while (!partial() || statSync(join(blobs, partial()!)).size < 40_000) await new Promise((r) => setImmediate(r));
      handle.cancel();
      const last = await handle.finished;
      assert.equal(last.type === 'failed' && last.error.kind, 'cancelled', JSON.stringify(last));
      assert.ok(partial(), 'the partial download stays');
      assert.equal(statSync(join(blobs, partial()!)).size, 40_000);
      hold.release();
      server.requests.length = 0;
      const again = run(h, SEED_TEXT);
      assert.equal((await again.handle.finished).type, 'done');
      assert.ok(
        server.requests.some((q) => q.server === 'cdn' && q.range === 'bytes=40000-'),
        'resumed from 40000',
      );
      assert.equal(partial(), undefined);
    } finally {
      h.client.dispose();
    }
  },
);

test(
  'Restricted Mode: from: runs only from the cache, never asks the Hub, and says what to do',
  { timeout: 120_000 },
  async () => {
    const hfHome = freshDir('plab-hfhome-');
    const untrusted = harness({}, { trusted: false, hfHome });
    try {
      server.requests.length = 0;
      const { handle } = run(untrusted, SEED_TEXT);
      const last = await handle.finished;
      assert.equal(last.type, 'failed');
      if (last.type !== 'failed') return;
      assert.equal(last.error.kind, 'input');
      const messages = (last.error.diagnostics ?? []).map(
        (d) => `${d.range.start.line + 1}:${d.range.start.column + 1} ${d.message}`,
      );
      assert.match(
        messages[0],
        /^4:11 `gpt2` is not in the Hugging Face cache .* this workspace is in Restricted Mode, so models come only from the cache: trust the workspace to download it, or run the file once from a trusted workspace/,
      );
      assert.equal(server.requests.length, 0, 'no request from an untrusted workspace');
    } finally {
      untrusted.client.dispose();
    }
    // Downloaded once from a trusted workspace, the same cache serves the untrusted one with no request.
    const trusted = harness({}, { hfHome });
    try {
      assert.equal((await run(trusted, SEED_TEXT).handle.finished).type, 'done');
    } finally {
      trusted.client.dispose();
    }
    const again = harness({}, { trusted: false, hfHome });
    try {
      server.requests.length = 0;
      const last = await run(again, SEED_TEXT).handle.finished;
      assert.equal(last.type, 'done', JSON.stringify(last));
      assert.equal(server.requests.length, 0);
    } finally {
      again.client.dispose();
    }
  },
);

test(
  'the token from the host reaches the Hub (a gated repo opens), never the CDN, and appears in no event or log',
  { timeout: 120_000 },
  async () => {
    const text = SEED_TEXT.replace('from: gpt2', 'from: org/gated');
    const without = harness();
    try {
      const last = await run(without, text).handle.finished;
      assert.equal(last.type, 'failed');
      assert.match(
        JSON.stringify(last),
        /`org\/gated` is a gated model: accept its terms on http:\/\/127\.0\.0\.1:\d+\/org\/gated/,
      );
    } finally {
      without.client.dispose();
    }
    const h = harness({ token: TOKEN });
    try {
      server.requests.length = 0;
      const { handle, events } = run(h, text);
      assert.equal((await handle.finished).type, 'done');
      const hub = server.requests.filter((q) => q.server === 'hub');
      assert.ok(hub.length > 0 && hub.every((q) => q.authorization === `Bearer ${TOKEN}`));
      assert.ok(server.requests.filter((q) => q.server === 'cdn').every((q) => q.authorization === undefined));
      assert.ok(!JSON.stringify(events).includes(TOKEN), 'not in an event');
      assert.ok(!h.logs.join('\n').includes(TOKEN), 'not in the log');
    } finally {
      h.client.dispose();
    }
  },
);
