/**
 * Every way getting a model from the Hub fails, each with its code and a message that says what to do — and
 * never the token. Pickle is never fetched, shard names cannot leave the snapshot, and the environment means
 * what it means to `huggingface_hub`.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  fetchSnapshot,
  HubError,
  type HubErrorCode,
  hubDiagnostic,
  hubSettings,
  planModel,
  resolveModel,
} from '../../extension/lab/hub';
import { referenceFolder } from '../helpers/hfReference';
import { closedEndpoint, referenceRepo, settingsFor } from '../helpers/hubKit';
import { folderFiles, HubServer, repoOf } from '../helpers/hubServer';
import { freshDir } from '../helpers/paths';

const TOKEN = 'hf_valid_but_not_granted_ABCDEF';
const BAD_TOKEN = 'hf_revoked_token_XYZ123';
const gpt2Files = folderFiles(referenceFolder('gpt2'));
const config = gpt2Files.get('config.json')!;

let server: HubServer;
before(async () => {
  server = await HubServer.start([
    referenceRepo('gpt2'),
    referenceRepo('bert', { gated: true }),
    repoOf('org/private', gpt2Files, { private: true }),
    repoOf('org/pickle-only', { 'config.json': config, 'pytorch_model.bin': Buffer.from('not really pickle') }),
    repoOf('org/tf-only', { 'config.json': config, 'tf_model.h5': Buffer.from('h5') }),
    repoOf('org/no-config', { 'model.safetensors': gpt2Files.get('model.safetensors')! }),
    repoOf('org/huge-config', {
      'config.json': Buffer.alloc(1024 * 1024 + 1, 32),
      'model.safetensors': Buffer.from('x'),
    }),
  ]);
  server.validTokens.add(TOKEN);
});
after(() => server.close());

async function failure(promise: Promise<unknown>, code: HubErrorCode, pattern: RegExp): Promise<HubError> {
  let caught: unknown;
  await promise.catch((e: unknown) => (caught = e));
  assert.ok(caught instanceof HubError, `expected a HubError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  assert.match(caught.message, pattern);
  for (const t of [TOKEN, BAD_TOKEN]) assert.ok(!caught.message.includes(t), 'the token is never in a message');
  return caught;
}

test('repo not found names the id and says a private repo needs HF_TOKEN', async () => {
  await failure(
    resolveModel({ repoId: 'org/does-not-exist' }, settingsFor(server)),
    'repo-not-found',
    /`org\/does-not-exist` was not found on the Hub \(http:\/\/127\.0\.0\.1:\d+\): check the id\. If it is private, set HF_TOKEN/,
  );
  await failure(
    resolveModel({ repoId: 'org/private' }, settingsFor(server)),
    'repo-not-found',
    /`org\/private` .*set HF_TOKEN/,
  );
  await failure(
    resolveModel({ repoId: 'org/does-not-exist' }, settingsFor(server, { token: TOKEN })),
    'repo-not-found',
    /If it is private, the token set in Perturbation Lab has no access to it/,
  );
  const snap = await resolveModel({ repoId: 'org/private' }, settingsFor(server, { token: TOKEN }));
  assert.equal(snap.config.model_type, 'gpt2');
});

test('a gated repo says to accept its terms on its page and set HF_TOKEN', async () => {
  const s = settingsFor(server);
  await failure(
    resolveModel({ repoId: 'hf-reference/bert' }, s),
    'gated',
    new RegExp(
      `\`hf-reference/bert\` is a gated model: accept its terms on ${s.endpoint}/hf-reference/bert while logged in, then set HF_TOKEN`,
    ),
  );
  await failure(
    resolveModel({ repoId: 'hf-reference/bert' }, settingsFor(server, {}, { HF_TOKEN: TOKEN })),
    'gated',
    /the token from HF_TOKEN has no access yet: accept its terms on .*\/hf-reference\/bert with that account/,
  );
});

test('an invalid token is named by where it came from, never shown', async () => {
  await failure(
    resolveModel({ repoId: 'hf-reference/gpt2' }, settingsFor(server, {}, { HF_TOKEN: BAD_TOKEN })),
    'bad-token',
    /the token from HF_TOKEN was refused as invalid by http:\/\/127\.0\.0\.1:\d+: create a new one at .*\/settings\/tokens/,
  );
});

test('a revision that does not exist is named', async () => {
  await failure(
    resolveModel({ repoId: 'hf-reference/gpt2', revision: 'v9.9' }, settingsFor(server)),
    'revision-not-found',
    /revision `v9\.9` of `hf-reference\/gpt2` was not found on the Hub: name a branch, tag or commit it has/,
  );
});

test('a repo with only pickle weights is refused with the reason and the way out, and the pickle is never fetched', async () => {
  server.requests.length = 0;
  await failure(
    resolveModel({ repoId: 'org/pickle-only' }, settingsFor(server)),
    'pickle-only',
    /`org\/pickle-only` has only pickle weights \(`pytorch_model\.bin`\): the lab never loads pickle, because unpickling a file can run any code in it\. Use a revision or repo with `model\.safetensors`.*convert it/,
  );
  assert.ok(!server.requests.some((r) => r.path.includes('.bin')), 'no request for the pickle file');
  await failure(
    resolveModel({ repoId: 'org/tf-only' }, settingsFor(server)),
    'no-weights',
    /no `model\.safetensors`.*only `tf_model\.h5`/,
  );
  await failure(resolveModel({ repoId: 'org/no-config' }, settingsFor(server)), 'no-config', /has no `config\.json`/);
  await failure(
    resolveModel({ repoId: 'org/huge-config' }, settingsFor(server)),
    'bad-response',
    /`config\.json` .* is 1048577 bytes, more than 1048576/,
  );
});

test('a sharded index may name only .safetensors files beside it that the repo has', async () => {
  const weights = gpt2Files.get('model.safetensors')!;
  const cases: [string, RegExp][] = [
    [
      '../escape.safetensors',
      /names the shard "\.\.\/escape\.safetensors": shards must be `\.safetensors` files beside the index/,
    ],
    ['/etc/passwd.safetensors', /names the shard "\/etc\/passwd\.safetensors"/],
    ['sub/shard.safetensors', /names the shard "sub\/shard\.safetensors"/],
    ['pytorch_model-00001.bin', /names the shard "pytorch_model-00001\.bin"/],
    ['absent.safetensors', /names the shard `absent\.safetensors`, which the repo does not have/],
  ];
  for (const [i, [shard, pattern]] of cases.entries()) {
    const index = Buffer.from(JSON.stringify({ metadata: {}, weight_map: { 'wte.weight': shard } }));
    server.add(
      repoOf(`org/bad-index-${i}`, {
        'config.json': config,
        'model.safetensors.index.json': index,
        'x.safetensors': weights,
      }),
    );
    server.requests.length = 0;
    await failure(resolveModel({ repoId: `org/bad-index-${i}` }, settingsFor(server)), 'bad-index', pattern);
    assert.equal(
      server.count((r) => r.server === 'cdn'),
      0,
      'no weight was fetched',
    );
  }
});

test('the Hub unreachable: named, and HF_HUB_OFFLINE=1 suggested when the cache has the model', async () => {
  const closed = await closedEndpoint();
  await failure(
    resolveModel({ repoId: 'hf-reference/gpt2' }, settingsFor(closed)),
    'unreachable',
    new RegExp(`^cannot reach the Hub at ${closed} for \`hf-reference/gpt2\` \\(ECONNREFUSED\\)$`),
  );
  const s = settingsFor(server);
  await resolveModel({ repoId: 'hf-reference/gpt2' }, s);
  await failure(
    resolveModel({ repoId: 'hf-reference/gpt2', refresh: true }, { ...s, endpoint: closed }),
    'unreachable',
    /ECONNREFUSED\)\. The cache has `hf-reference\/gpt2` \(commit [0-9a-f]{12}\): set HF_HUB_OFFLINE=1 to use it without asking the Hub\./,
  );
});

test('ids and revisions that could leave the cache folder are refused before any request', async () => {
  server.requests.length = 0;
  for (const id of ['../etc', 'a/b/c', 'org--x/y', '/abs', 'org/na me', '', 'org/x..y'])
    await failure(planModel({ repoId: id }, settingsFor(server)), 'bad-repo-id', /is not a Hub model id/);
  for (const rev of ['../main', 'a/../b', 'x\\y', '', 'bad\u001b[2J'])
    await failure(
      planModel({ repoId: 'org/x', revision: rev }, settingsFor(server)),
      'bad-revision',
      /is not a revision/,
    );
  assert.equal(server.requests.length, 0);
});

test('a declined plan fetches no weights; the plan knows the sizes and the config first, and holds no token', async () => {
  const s = settingsFor(server, { token: TOKEN });
  server.requests.length = 0;
  await failure(
    resolveModel({ repoId: 'hf-reference/gpt2' }, s, { approve: (plan) => plan.bytesToFetch < 1000 }),
    'not-confirmed',
    /downloading 125 kB of `hf-reference\/gpt2` was not confirmed/,
  );
  assert.equal(
    server.count((r) => r.server === 'cdn'),
    0,
    'no byte of weights',
  );
  const plan = await planModel({ repoId: 'hf-reference/gpt2' }, s);
  assert.equal(plan.config.n_layer, JSON.parse(config.toString()).n_layer);
  assert.equal(plan.weightBytes, gpt2Files.get('model.safetensors')!.length);
  assert.deepEqual(
    plan.files.map((f) => [f.path, f.role, f.state]),
    [
      ['config.json', 'config', 'cached'],
      ['model.safetensors', 'weights', 'missing'],
      ['generation_config.json', 'tokenizer', 'missing'],
    ],
  );
  assert.equal(
    plan.bytesToFetch,
    gpt2Files.get('model.safetensors')!.length + gpt2Files.get('generation_config.json')!.length,
  );
  assert.ok(plan.freeBytes! > 0);
  assert.ok(!JSON.stringify(plan).includes(TOKEN), 'a plan can be logged or sent to another process');
  const snap = await fetchSnapshot(plan, s);
  assert.equal(snap.downloaded, plan.bytesToFetch);
});

test('the environment as huggingface_hub reads it', () => {
  const home = freshDir('plab-env-');
  const base = { HOME: home };
  assert.equal(hubSettings({}, base).cacheDir, join(home, '.cache', 'huggingface', 'hub'));
  assert.equal(hubSettings({}, { ...base, XDG_CACHE_HOME: '/x' }).cacheDir, '/x/huggingface/hub');
  assert.equal(hubSettings({}, { ...base, HF_HOME: '/h' }).cacheDir, '/h/hub');
  assert.equal(hubSettings({}, { ...base, HF_HOME: '/h', HF_HUB_CACHE: '/c' }).cacheDir, '/c');
  assert.equal(hubSettings({}, { ...base, HUGGINGFACE_HUB_CACHE: '~/legacy' }).cacheDir, join(home, 'legacy'));
  assert.equal(hubSettings({ cacheDir: '/opt' }, { ...base, HF_HUB_CACHE: '/c' }).cacheDir, '/opt');
  assert.equal(hubSettings({}, base).endpoint, 'https://huggingface.co');
  assert.equal(
    hubSettings({}, { ...base, HF_ENDPOINT: 'https://hf-mirror.example/' }).endpoint,
    'https://hf-mirror.example',
  );
  assert.throws(() => hubSettings({}, { ...base, HF_ENDPOINT: 'ftp://x' }), /not an http\(s\) URL/);
  assert.equal(hubSettings({}, base).offline, null);
  for (const v of ['1', 'ON', 'yes', 'True'])
    assert.equal(hubSettings({}, { ...base, HF_HUB_OFFLINE: v }).offline, 'HF_HUB_OFFLINE');
  assert.equal(hubSettings({}, { ...base, TRANSFORMERS_OFFLINE: '1' }).offline, 'TRANSFORMERS_OFFLINE');
  assert.equal(
    hubSettings({}, { ...base, HF_HUB_OFFLINE: '0', TRANSFORMERS_OFFLINE: '1' }).offline,
    null,
    'as Python: the first set decides',
  );
  assert.equal(hubSettings({ offline: false }, { ...base, HF_HUB_OFFLINE: '1' }).offline, null);
  assert.equal(hubSettings({ offline: 'restricted-mode' }, base).offline, 'restricted-mode');

  // Token: option, HF_TOKEN, the legacy name, then the token file; HF_TOKEN_PATH moves the file.
  mkdirSync(join(home, '.cache', 'huggingface'), { recursive: true });
  writeFileSync(join(home, '.cache', 'huggingface', 'token'), 'hf_from_file\n');
  assert.deepEqual(pick(hubSettings({}, base)), ['hf_from_file', 'token file']);
  assert.deepEqual(pick(hubSettings({}, { ...base, HUGGING_FACE_HUB_TOKEN: 'hf_legacy' })), [
    'hf_legacy',
    'HUGGING_FACE_HUB_TOKEN',
  ]);
  assert.deepEqual(pick(hubSettings({}, { ...base, HF_TOKEN: ' hf_env ' })), ['hf_env', 'HF_TOKEN']);
  assert.deepEqual(pick(hubSettings({ token: 'hf_secret_storage' }, { ...base, HF_TOKEN: 'hf_env' })), [
    'hf_secret_storage',
    'option',
  ]);
  assert.deepEqual(pick(hubSettings({}, { ...base, HF_HUB_DISABLE_IMPLICIT_TOKEN: '1' })), [undefined, undefined]);
  assert.deepEqual(pick(hubSettings({}, { ...base, HF_TOKEN_PATH: join(home, 'none') })), [undefined, undefined]);
  assert.deepEqual(pick(hubSettings({ offline: true }, base)), [undefined, undefined], 'offline reads no token');
});

function pick(s: { token?: string; tokenSource?: string }): [string | undefined, string | undefined] {
  return [s.token, s.tokenSource];
}

test('a token file that is a FIFO, a folder or huge is refused at once, without reading it', () => {
  const home = freshDir('plab-env-');
  const fifo = join(home, 'fifo');
  execFileSync('mkfifo', [fifo]);
  assert.throws(
    () => hubSettings({}, { HF_HOME: home, HF_TOKEN_PATH: fifo }),
    /the token file .*fifo: not a regular file/,
  );
  assert.throws(() => hubSettings({}, { HF_HOME: home, HF_TOKEN_PATH: home }), /not a regular file/);
  writeFileSync(join(home, 'big'), 'x'.repeat(5000));
  assert.throws(() => hubSettings({}, { HF_HOME: home, HF_TOKEN_PATH: join(home, 'big') }), /too large/);
  assert.throws(() => hubSettings({}, { HF_HOME: home, HF_TOKEN_PATH: '/dev/zero' }), /not a regular file/);
});

test('a snapshot whose config.json is a FIFO is an error, not a hang', async () => {
  const s = settingsFor(server);
  const snap = await resolveModel({ repoId: 'hf-reference/gpt2' }, s);
  const link = join(snap.dir, 'config.json');
  const content = readFileSync(link);
  execFileSync('rm', [link]);
  execFileSync('mkfifo', [link]);
  // Not a regular file: not a config the cache has (and never opened, so nothing blocks).
  await failure(
    planModel({ repoId: 'hf-reference/gpt2' }, { ...s, offline: 'HF_HUB_OFFLINE' }),
    'offline-missing',
    /`hf-reference\/gpt2` lacks `config\.json` in the Hugging Face cache/,
  );
  assert.ok(content.length > 0);
});

test("a HubError becomes one diagnostic at the entry's place; a cancellation none", async () => {
  const e = await failure(
    resolveModel({ repoId: 'org/does-not-exist' }, settingsFor(server)),
    'repo-not-found',
    /not found/,
  );
  const range = { start: { line: 3, column: 10 }, end: { line: 3, column: 27 } };
  assert.deepEqual(hubDiagnostic(e, 'x.prompt', range), {
    severity: 'error',
    message: e.message,
    file: 'x.prompt',
    range,
    code: 'hub-repo-not-found',
  });
  assert.equal(hubDiagnostic(new HubError('cancelled', 'cancelled'), 'x.prompt', range), undefined);
});
