/**
 * `from:` through the real CLI (dist/cli.js in a child process) against the loopback Hub: the seed's real
 * setup (`examples/pretrained.prompt`) downloads into Hugging Face's cache layout and runs; a second run and an
 * offline run make no request; `--yes` is needed above the threshold, and nothing is fetched without it; a model
 * that cannot fit is refused before a byte of weights; every failure exits 2 with the entry's place.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type { ComparisonReport } from '../../extension/protocol/report';
import { closedEndpoint, referenceRepo } from '../helpers/hubKit';
import { HubServer, repoOf } from '../helpers/hubServer';
import { loadReference, maxAbsDiff, referenceFolder } from '../helpers/hfReference';
import { folderFiles } from '../helpers/hubServer';
import { freshDir, repoRoot } from '../helpers/paths';
import { tinyRepoFiles } from '../helpers/tinyTokenizers';
import { measured } from '../helpers/results';

const example = join(repoRoot(), 'examples', 'pretrained.prompt');
const work = freshDir();
const modelCache = freshDir();

let server: HubServer;
before(async () => {
  server = await HubServer.start([
    repoOf('gpt2', tinyRepoFiles('gpt2')),
    repoOf('bert-base-uncased', tinyRepoFiles('bert')),
    repoOf('org/gated', tinyRepoFiles('gpt2'), { gated: true }),
    referenceRepo('gpt2'),
    referenceRepo('bert'),
    repoOf('org/pickle-only', {
      'config.json': folderFiles(referenceFolder('gpt2')).get('config.json')!,
      'pytorch_model.bin': Buffer.from('not really pickle'),
    }),
  ]);
});
after(() => server.close());

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment of a user with their own Hugging Face home (no token of this machine leaks in). */
function env(hfHome: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(HF_|HUGGING|TRANSFORMERS_OFFLINE|PERTURBATION_LAB_)/.test(k)),
  );
  return {
    ...base,
    HF_HOME: hfHome,
    HF_ENDPOINT: server.endpoint,
    PERTURBATION_LAB_CACHE: modelCache,
    NO_COLOR: '1',
    ...extra,
  };
}

/** The CLI in a child process; asynchronous, so the loopback Hub in this process can answer it. */
function cli(args: string[], environment: NodeJS.ProcessEnv): Promise<Run> {
  const child = spawn(process.execPath, [join(repoRoot(), 'bin', 'perturbation-lab.js'), ...args], {
    cwd: work,
    env: environment,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

function promptFile(name: string, models: string, body = '<pad> Ich will ein\n~ <pad> Ich will das\n'): string {
  const path = join(work, name);
  writeFileSync(path, `---\nmodels:\n${models}add_special_tokens: false\n---\n${body}`);
  return path;
}

const verdicts = (r: Run) =>
  Object.fromEntries((JSON.parse(r.stdout) as ComparisonReport).results.map((x) => [x.model, x.verdict]));

const SEED = { gpt2: 'causal', 'bert-causal': 'nondeterministic', 'bert-causal-eval': 'causal', bert: 'bidirectional' };

test('the seed with from: downloads gpt2 and bert-base-uncased into the Hugging Face cache and gives the four outcomes', async () => {
  const home = freshDir('plab-hfhome-');
  server.requests.length = 0;
  const r = await cli(['compare', example, '--json'], env(home));
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(verdicts(r), SEED);
  const report = JSON.parse(r.stdout) as ComparisonReport;
  const gpt2 = report.models.find((m) => m.name === 'gpt2')!;
  assert.equal(gpt2.mode, 'eval', 'from_pretrained sets eval mode');
  assert.match(gpt2.weights.description, /^weights from the Hub: gpt2 \(main, commit [0-9a-f]{12}\)$/);
  assert.equal(report.models.find((m) => m.name === 'bert-causal')!.mode, 'train', 'mode: train applies on top');
  assert.equal(report.models.find((m) => m.name === 'bert-causal')!.config.is_decoder, true);
  // Progress on a pipe: plain lines, one per file start and end, no bar.
  assert.match(r.stderr, /gpt2: downloading model\.safetensors \(125 kB\)/);
  assert.doesNotMatch(r.stderr, /\r|\x1b\[/);
  // The layout Python writes: blobs by etag, relative links in snapshots/<commit>, refs/main without a newline.
  const root = join(home, 'hub', 'models--gpt2');
  const commit = readFileSync(join(root, 'refs', 'main'), 'utf8');
  assert.match(commit, /^[0-9a-f]{40}$/);
  const snapshot = join(root, 'snapshots', commit);
  assert.deepEqual(readdirSync(snapshot).sort(), [
    'config.json',
    'generation_config.json',
    'model.safetensors',
    'tokenizer.json',
    'tokenizer_config.json',
  ]);
  for (const name of readdirSync(snapshot)) {
    assert.ok(lstatSync(join(snapshot, name)).isSymbolicLink(), `${name} is a link`);
    assert.match(readlinkSync(join(snapshot, name)), /^\.\.\/\.\.\/blobs\/[0-9a-f]{40,64}$/);
  }
  assert.equal(
    readFileSync(join(snapshot, 'model.safetensors')).compare(
      readFileSync(join(referenceFolder('gpt2'), 'model.safetensors')),
    ),
    0,
  );
  assert.ok(!readdirSync(join(root, 'blobs')).some((n) => n.endsWith('.incomplete')));
  assert.ok(existsSync(join(root, '.no_exist', commit, 'vocab.json')), 'absent tokenizer files marked as Python does');
  assert.ok(existsSync(join(home, 'hub', 'models--bert-base-uncased', 'refs', 'main')));
  // Only the model's files were asked for, each once: never a pickle, never twice.
  const fetched = server.requests.filter((q) => q.method === 'GET' && q.server === 'hub').map((q) => q.path);
  assert.equal(new Set(fetched).size, fetched.length, fetched.join('\n'));

  // A second run asks the Hub nothing, and neither does one with HF_HUB_OFFLINE=1.
  server.requests.length = 0;
  const again = await cli(['compare', example, '--json'], env(home));
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(verdicts(again), SEED);
  const offline = await cli(
    ['compare', example, '--json'],
    env(home, { HF_HUB_OFFLINE: '1', HF_ENDPOINT: await closedEndpoint() }),
  );
  assert.equal(offline.code, 0, offline.stderr);
  assert.deepEqual(verdicts(offline), SEED);
  assert.equal(server.requests.length, 0, 'no request at all');
  // The same numbers from the cache as from the download.
  const layers = (x: Run) => (JSON.parse(x.stdout) as ComparisonReport).results.map((res) => measured(res).layers);
  assert.deepEqual(layers(offline), layers(again));
});

test('offline with an empty cache: exit 2 at the from: value, naming what is missing, no request', async () => {
  const home = freshDir('plab-hfhome-');
  server.requests.length = 0;
  const r = await cli(['compare', example], env(home, { HF_HUB_OFFLINE: '1' }));
  assert.equal(r.code, 2, r.stderr);
  assert.match(
    r.stderr,
    /pretrained\.prompt:7:11: error: `gpt2` is not in the Hugging Face cache .* HF_HUB_OFFLINE=1 is set/,
  );
  assert.match(r.stderr, /pretrained\.prompt:9:11: error: `bert-base-uncased` is not in the Hugging Face cache/);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  assert.equal(server.requests.length, 0);
});

test('above the threshold the CLI needs --yes: without it exit 2 with the size and the flag, and no weight is fetched', async () => {
  const home = freshDir('plab-hfhome-');
  server.requests.length = 0;
  const low = { PERTURBATION_LAB_CONFIRM_DOWNLOAD_ABOVE: '100kB' };
  const refused = await cli(['compare', example], env(home, low));
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(
    refused.stderr,
    /downloading \d+ kB \(gpt2 1\d\d kB, bert-base-uncased \d+ kB\) from the Hugging Face Hub into .* needs your confirmation \(downloads above 100 kB are confirmed first\): run again with --yes/,
  );
  assert.equal(
    server.count((q) => q.path.endsWith('.safetensors') || q.server === 'cdn'),
    0,
    'no weight requested',
  );
  assert.ok(!readdirSync(join(home, 'hub', 'models--gpt2', 'blobs')).some((n) => n.includes('.incomplete')));
  const accepted = await cli(['compare', example, '--yes', '--json'], env(home, low));
  assert.equal(accepted.code, 0, accepted.stderr);
  assert.deepEqual(verdicts(accepted), SEED);
});

test('a model that cannot fit is refused with the numbers before a byte of its weights is fetched', async () => {
  const home = freshDir('plab-hfhome-');
  server.requests.length = 0;
  const file = promptFile('tight.prompt', '  - name: big\n    from: gpt2\n    n_layer: 40000\n');
  const r = await cli(['compare', file, '--memory-limit', '300MB'], env(home));
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /tight\.prompt:3:5: error: big: `n_layer: 40000` → .* parameters = .*limit 300 MB/);
  assert.equal(
    server.count((q) => q.server === 'cdn'),
    0,
    'no weight requested',
  );
});

test('each failure is an input error at the from: value: not found, gated, revision, pickle, unreachable', async () => {
  const home = freshDir('plab-hfhome-');
  const cases: [string, string, RegExp][] = [
    [
      'missing',
      '    from: org/does-not-exist\n',
      /4:11: error: `org\/does-not-exist` was not found on the Hub .*set HF_TOKEN/,
    ],
    [
      'gated',
      '    from: org/gated\n',
      /4:11: error: `org\/gated` is a gated model: accept its terms on .*\/org\/gated .*set HF_TOKEN/,
    ],
    ['revision', '    from: gpt2\n    revision: v9\n', /revision `v9` of `gpt2` was not found on the Hub/],
    [
      'pickle',
      '    from: org/pickle-only\n',
      /has only pickle weights \(`pytorch_model\.bin`\): the lab never loads pickle, because unpickling a file can run any code/,
    ],
  ];
  for (const [name, entry, pattern] of cases) {
    const r = await cli(['compare', promptFile(`${name}.prompt`, `  - name: m\n${entry}`)], env(home));
    assert.equal(r.code, 2, `${name}: ${r.stderr}`);
    assert.match(r.stderr, pattern, name);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
  // Unreachable, with the model in the cache: say how to use it offline.
  const file = promptFile('cached.prompt', '  - name: m\n    from: gpt2\n    revision: main\n');
  assert.equal((await cli(['compare', file], env(home))).code, 0);
  const down = await cli(['compare', file], env(home, { HF_ENDPOINT: await closedEndpoint() }));
  // A complete snapshot needs no request, so even an unreachable Hub does not matter…
  assert.equal(down.code, 0, down.stderr);
  // …but a model that is not complete in the cache does.
  const other = promptFile('other.prompt', '  - name: m\n    from: bert-base-uncased\n');
  const unreachable = await cli(['compare', other], env(home, { HF_ENDPOINT: await closedEndpoint() }));
  assert.equal(unreachable.code, 2);
  assert.match(
    unreachable.stderr,
    /4:11: error: cannot reach the Hub at http:\/\/127\.0\.0\.1:\d+ for `bert-base-uncased`/,
  );
  // A snapshot whose weights are there but whose tokenizer files the cache knows nothing about (Python's
  // `snapshot_download` of some files leaves no `.no_exist` markers) asks the Hub: unreachable, it says the
  // cache has the model and how to use it without asking.
  rmSync(join(home, 'hub', 'models--gpt2', '.no_exist'), { recursive: true });
  const unsure = await cli(['compare', file], env(home, { HF_ENDPOINT: await closedEndpoint() }));
  assert.equal(unsure.code, 2);
  assert.match(
    unsure.stderr,
    /4:11: error: cannot reach the Hub .*The cache has `gpt2` \(commit [0-9a-f]{12}\): set HF_HUB_OFFLINE=1 to use it without asking the Hub/,
  );
  const offline = await cli(['compare', file], env(home, { HF_HUB_OFFLINE: '1' }));
  assert.equal(offline.code, 0, offline.stderr);
});

test('from: is checked as text first: the repo id, revision without from:, and config:/weights: beside it', async () => {
  const home = freshDir('plab-hfhome-');
  server.requests.length = 0;
  const r = await cli(
    [
      'compare',
      promptFile(
        'phase1.prompt',
        '  - name: a\n    from: org--x/../y\n  - name: b\n    config: gpt2\n    revision: main\n  - name: c\n    from: gpt2\n    config: gpt2\n    weights: ./w\n',
      ),
    ],
    env(home),
  );
  assert.equal(r.code, 2);
  assert.match(r.stderr, /4:11: error: "org--x\/\.\.\/y" is not a Hub model id/);
  assert.match(
    r.stderr,
    /7:5: error: `revision:` picks a branch, tag or commit of a `from:` model, and this entry has no `from:`/,
  );
  assert.match(
    r.stderr,
    /10:5: error: `config:` and `from:` exclude each other: `from:` takes the repo's own config\.json/,
  );
  assert.match(r.stderr, /11:5: error: `weights:` and `from:` exclude each other/);
  assert.equal(server.requests.length, 0, 'nothing asked before the text is right');
});

test(
  'Ctrl-C mid-download: exit 130, the .incomplete stays, and the next run resumes from it',
  { timeout: 120_000 },
  async () => {
    const home = freshDir('plab-hfhome-');
    const file = promptFile('one.prompt', '  - name: gpt2\n    from: gpt2\n');
    const hold = server.hold('model.safetensors', 50_000);
    const child = spawn(process.execPath, [join(repoRoot(), 'bin', 'perturbation-lab.js'), 'compare', file], {
      cwd: work,
      env: env(home),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await hold.reached;
    const blobs = join(home, 'hub', 'models--gpt2', 'blobs');
    // The bytes are on their way to the file: wait until they are there (events, not time: poll the file's size).
    const partial = () => readdirSync(blobs).find((n) => n.endsWith('.incomplete'));
    while (!partial() || statSync(join(blobs, partial()!)).size < 50_000) await new Promise((r) => setImmediate(r));
    child.kill('SIGINT');
    assert.equal(await exited, 130, stderr);
    assert.equal(statSync(join(blobs, partial()!)).size, 50_000, 'the partial file stays, never renamed');
    hold.release();
    server.requests.length = 0;
    const r = await cli(['compare', file, '--json'], env(home));
    assert.equal(r.code, 0, r.stderr);
    assert.ok(
      server.requests.some((q) => q.server === 'cdn' && q.range === 'bytes=50000-'),
      'resumed with a Range request from the partial size',
    );
    assert.ok(!readdirSync(blobs).some((n) => n.endsWith('.incomplete')));
  },
);

test("the fixture folders give the same numbers through --from as through --weights, and Hugging Face's", async () => {
  const home = freshDir('plab-hfhome-');
  for (const model of ['gpt2', 'bert'] as const) {
    const run = loadReference(model).runs.base;
    const ids = run.input_ids[0].join(',');
    const states = async (source: string[]) => {
      const out = join(work, `states-${model}-${source[0].slice(2)}.json`);
      const r = await cli(['states', ...source, '--ids', ids, '--out', out], env(home));
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(readFileSync(out, 'utf8')) as { hidden_states: number[][][]; model: { mode: string } };
    };
    const viaHub = await states(['--from', `hf-reference/${model}`]);
    const viaFolder = await states(['--weights', referenceFolder(model)]);
    assert.equal(viaHub.model.mode, 'eval');
    assert.deepEqual(viaHub.hidden_states, viaFolder.hidden_states, `${model}: identical to weights:`);
    viaHub.hidden_states.forEach((layer, l) =>
      assert.ok(
        maxAbsDiff(layer.flat(), run.hidden_states.data[l]) <= 1e-5,
        `${model} hidden_states.${l} as Hugging Face`,
      ),
    );
  }
});

test('a .prompt model through from: and through weights: its own folder gives the same report', async () => {
  const home = freshDir('plab-hfhome-');
  const copy = join(work, 'gpt2-copy');
  mkdirSync(copy, { recursive: true });
  for (const [name, content] of tinyRepoFiles('gpt2')) writeFileSync(join(copy, name), content);
  const file = promptFile(
    'same.prompt',
    `  - name: hub\n    from: gpt2\n  - name: folder\n    weights: ${copy}\n`,
    '<pad> Ich will ein\n~ <pad> Ich will das\n\nthe cat sat on the mat\n~ the dog sat on the mat\n',
  );
  const r = await cli(['compare', file, '--json'], env(home));
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as ComparisonReport;
  const of = (model: string) => report.results.filter((x) => x.model === model).map((x) => measured(x));
  assert.equal(of('hub').length, 2);
  of('hub').forEach((hub, i) => {
    const folder = of('folder')[i];
    assert.deepEqual(hub.baseTokens, folder.baseTokens, "the same tokenizer (the repo's own)");
    assert.deepEqual(hub.layers, folder.layers);
    assert.deepEqual(hub.frontier, folder.frontier);
    assert.equal(hub.verdict, 'causal');
  });
  assert.deepEqual(
    of('hub')[0].baseTokens.map((t) => t.text),
    ['<', 'pad', '>', 'ĠIch', 'Ġwill', 'Ġein'],
  );
});
