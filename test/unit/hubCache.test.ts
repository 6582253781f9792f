/**
 * The Hugging Face cache, shared with Python: what a download leaves is exactly what `huggingface_hub` writes
 * (blobs named by etag, relative symlinks, refs, `.no_exist`), a cached model makes no request, offline makes
 * none, and a cache laid out by hand as Python lays it out is used without the network.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { planModel, resolveModel, TOKENIZER_FILES } from '../../extension/lab/hub';
import { referenceFolder } from '../helpers/hfReference';
import { referenceRepo, settingsFor, tree, type TreeEntry } from '../helpers/hubKit';
import { gitBlobSha1, HubServer, makeCommit, sha256 } from '../helpers/hubServer';

const gpt2 = referenceRepo('gpt2');
const bart = referenceRepo('bart');
let server: HubServer;
before(async () => {
  server = await HubServer.start([gpt2, bart]);
});
after(() => server.close());

const fetched = ['config.json', 'generation_config.json', 'model.safetensors'];

/** What Python's `huggingface_hub` leaves for these files of the gpt2 fixture at `commit`. */
function pythonLayout(commit: string, files: string[], refs: Record<string, string>): Map<string, TreeEntry> {
  const expected = new Map<string, TreeEntry>();
  const absent = TOKENIZER_FILES.filter((f) => !files.includes(f));
  if (absent.length > 0) {
    expected.set('.no_exist', { kind: 'dir' });
    expected.set(`.no_exist/${commit}`, { kind: 'dir' });
    for (const f of absent) expected.set(`.no_exist/${commit}/${f}`, { kind: 'file', size: 0 });
  }
  expected.set('blobs', { kind: 'dir' });
  expected.set('refs', { kind: 'dir' });
  for (const [name, sha] of Object.entries(refs)) expected.set(`refs/${name}`, { kind: 'file', size: sha.length });
  expected.set('snapshots', { kind: 'dir' });
  expected.set(`snapshots/${commit}`, { kind: 'dir' });
  for (const f of files) {
    const content = readFileSync(join(referenceFolder('gpt2'), f));
    const etag = f.endsWith('.safetensors') ? sha256(content) : gitBlobSha1(content);
    expected.set(`blobs/${etag}`, { kind: 'file', size: content.length });
    expected.set(`snapshots/${commit}/${f}`, { kind: 'link', target: `../../blobs/${etag}` });
  }
  return expected;
}

test('a download leaves the cache exactly as Python writes it', async () => {
  const settings = settingsFor(server);
  server.requests.length = 0;
  const snap = await resolveModel({ repoId: 'hf-reference/gpt2' }, settings);
  const commit = gpt2.commits[0].sha;
  const root = join(settings.cacheDir, 'models--hf-reference--gpt2');
  assert.equal(snap.commit, commit);
  assert.equal(snap.dir, join(root, 'snapshots', commit));
  assert.deepEqual(tree(root), pythonLayout(commit, fetched, { main: commit }));
  assert.equal(readFileSync(join(root, 'refs', 'main'), 'utf8'), commit, 'refs/main holds the commit, no newline');
  for (const f of fetched)
    assert.deepEqual(
      readFileSync(join(snap.dir, f)),
      readFileSync(join(referenceFolder('gpt2'), f)),
      `${f} byte for byte`,
    );
  // Only the model's files were asked for: never reference.json; the weights came from the CDN.
  assert.ok(!server.requests.some((r) => r.path.endsWith('reference.json')));
  assert.equal(
    server.count((r) => r.server === 'cdn' && r.method === 'GET'),
    1,
  );
  assert.deepEqual(readdirSync(join(settings.cacheDir, '.locks', 'models--hf-reference--gpt2')), [], 'no lock left');
});

test('a second resolve makes no request; offline makes none either', async () => {
  const settings = settingsFor(server);
  await resolveModel({ repoId: 'hf-reference/gpt2' }, settings);
  server.requests.length = 0;
  const again = await resolveModel({ repoId: 'hf-reference/gpt2' }, settings);
  assert.equal(server.requests.length, 0, 'cached: no request');
  assert.equal(again.downloaded, 0);
  const offline = await resolveModel({ repoId: 'hf-reference/gpt2' }, { ...settings, offline: 'HF_HUB_OFFLINE' });
  assert.equal(server.requests.length, 0, 'offline: no request');
  assert.equal(offline.dir, again.dir);
  assert.deepEqual(offline.files.sort(), fetched);
  // `refresh` asks the Hub again and finds nothing new to download.
  const refreshed = await resolveModel({ repoId: 'hf-reference/gpt2', refresh: true }, settings);
  assert.equal(refreshed.downloaded, 0);
  assert.deepEqual(
    server.requests.map((r) => r.path),
    ['/api/models/hf-reference/gpt2/revision/main'],
  );
});

test('offline with an empty cache makes no request and names what is missing', async () => {
  const settings = settingsFor(server, { offline: true });
  server.requests.length = 0;
  await assert.rejects(resolveModel({ repoId: 'hf-reference/gpt2' }, settings), (e: Error & { code?: string }) => {
    assert.equal(e.code, 'offline-missing');
    assert.match(e.message, /`hf-reference\/gpt2` is not in the Hugging Face cache .*has no `refs\/main`/);
    assert.match(e.message, /offline mode is on/);
    return true;
  });
  // A snapshot without its weights names the file.
  const online = settingsFor(server);
  await planModel({ repoId: 'hf-reference/gpt2' }, online); // fetches config.json only
  server.requests.length = 0;
  await assert.rejects(
    resolveModel({ repoId: 'hf-reference/gpt2' }, { ...online, offline: 'HF_HUB_OFFLINE' }),
    /lacks `model.safetensors` in the Hugging Face cache .* and HF_HUB_OFFLINE=1 is set/,
  );
  await assert.rejects(
    resolveModel({ repoId: 'hf-reference/gpt2' }, { ...online, offline: 'restricted-mode' }),
    /Restricted Mode, so models come only from the cache/,
  );
  assert.equal(server.requests.length, 0);
});

interface Layout {
  /** Snapshot entries as copies of the blobs (Python on Windows without symlinks) instead of links. */
  copies?: boolean;
  /** The commit to file it under (default: one made from the files). */
  commit?: string;
  /** Whether to mark the tokenizer files the folder lacks in `.no_exist`, as Python does after a 404. */
  markers?: boolean;
}

/** Lays out a repo by hand as Python's client does: blobs by etag, relative links (or copies), refs. */
function layOutAsPython(
  cacheDir: string,
  repoId: string,
  folder: string,
  files: string[],
  layout: Layout = {},
): string {
  const commit =
    layout.commit ?? makeCommit(Object.fromEntries(files.map((f) => [f, readFileSync(join(folder, f))])), 'python').sha;
  const root = join(cacheDir, `models--${repoId.replace('/', '--')}`);
  mkdirSync(join(root, 'blobs'), { recursive: true });
  mkdirSync(join(root, 'refs'), { recursive: true });
  mkdirSync(join(root, 'snapshots', commit), { recursive: true });
  writeFileSync(join(root, 'refs', 'main'), commit);
  for (const f of files) {
    const content = readFileSync(join(folder, f));
    const etag = f.endsWith('.safetensors') ? sha256(content) : gitBlobSha1(content);
    writeFileSync(join(root, 'blobs', etag), content);
    const link = join(root, 'snapshots', commit, f);
    if (layout.copies) copyFileSync(join(root, 'blobs', etag), link);
    else symlinkSync(`../../blobs/${etag}`, link);
  }
  if (layout.markers !== false) {
    mkdirSync(join(root, '.no_exist', commit), { recursive: true });
    for (const f of TOKENIZER_FILES) if (!files.includes(f)) writeFileSync(join(root, '.no_exist', commit, f), '');
  }
  return commit;
}

for (const copies of [false, true]) {
  test(`a cache laid out by hand as Python writes it (${copies ? 'copies, as on Windows' : 'symlinks'}) is used with no network`, async () => {
    // The endpoint is a closed port: any request would fail.
    const settings = settingsFor(undefined);
    const folder = referenceFolder('bart');
    const files = readdirSync(folder).filter((f) => f !== 'reference.json');
    const commit = layOutAsPython(settings.cacheDir, 'facebook/tiny-bart', folder, files, { copies });
    const plan = await planModel({ repoId: 'facebook/tiny-bart' }, settings);
    assert.equal(plan.source, 'cache');
    assert.equal(plan.commit, commit);
    assert.equal(plan.bytesToFetch, 0);
    assert.equal(plan.config.model_type, 'bart');
    assert.equal(plan.weightBytes, readFileSync(join(folder, 'model.safetensors')).length);
    const snap = await resolveModel({ repoId: 'facebook/tiny-bart' }, settings);
    assert.deepEqual(snap.files.sort(), files.sort());
    const offline = await resolveModel(
      { repoId: 'facebook/tiny-bart' },
      { ...settings, offline: 'TRANSFORMERS_OFFLINE' },
    );
    assert.equal(offline.dir, snap.dir);
  });
}

test('a Python cache without .no_exist markers asks the Hub once, then never again', async () => {
  const settings = settingsFor(server);
  const served = gpt2.commits[0].sha;
  // As after `AutoModel.from_pretrained` alone in Python: the model's files, no tokenizer markers.
  layOutAsPython(settings.cacheDir, 'hf-reference/gpt2', referenceFolder('gpt2'), fetched, {
    commit: served,
    markers: false,
  });
  const root = join(settings.cacheDir, 'models--hf-reference--gpt2');
  server.requests.length = 0;
  const snap = await resolveModel({ repoId: 'hf-reference/gpt2' }, settings);
  assert.equal(snap.downloaded, 0, 'the blobs Python left are used');
  assert.equal(
    server.count((r) => r.server === 'cdn'),
    0,
  );
  assert.ok(existsSync(join(root, '.no_exist', served, 'tokenizer.json')));
  server.requests.length = 0;
  await resolveModel({ repoId: 'hf-reference/gpt2' }, settings);
  assert.equal(server.requests.length, 0);
});

test('revisions: a tag writes refs/<tag>, a full commit writes no ref, a short commit is resolved by the Hub', async () => {
  const second = makeCommit(
    { ...Object.fromEntries(gpt2.commits[0].files), 'tokenizer.json': Buffer.from('{}') },
    'v2',
  );
  const repo = {
    id: 'org/versions',
    commits: [gpt2.commits[0], second],
    refs: { main: second.sha, v1: gpt2.commits[0].sha },
  };
  server.add(repo);
  const settings = settingsFor(server);
  const root = join(settings.cacheDir, 'models--org--versions');
  const v1 = await resolveModel({ repoId: 'org/versions', revision: 'v1' }, settings);
  assert.equal(v1.commit, gpt2.commits[0].sha);
  assert.equal(readFileSync(join(root, 'refs', 'v1'), 'utf8'), v1.commit);
  assert.ok(!v1.files.includes('tokenizer.json'));
  const byCommit = await resolveModel({ repoId: 'org/versions', revision: second.sha }, settings);
  assert.equal(byCommit.commit, second.sha);
  assert.ok(byCommit.files.includes('tokenizer.json'));
  assert.deepEqual(readdirSync(join(root, 'refs')), ['v1'], 'no ref for a commit hash');
  const short = await resolveModel({ repoId: 'org/versions', revision: second.sha.slice(0, 7) }, settings);
  assert.equal(short.commit, second.sha);
  // Blobs are shared between the two snapshots: config.json is stored once.
  const config = gitBlobSha1(readFileSync(join(referenceFolder('gpt2'), 'config.json')));
  assert.equal(readdirSync(join(root, 'blobs')).filter((b) => b === config).length, 1);
});

test('a listing without sizes (a mirror) falls back to HEAD per file, with the same layout', async () => {
  const settings = settingsFor(server);
  server.omitBlobMetadata = true;
  server.requests.length = 0;
  try {
    const plan = await planModel({ repoId: 'hf-reference/gpt2' }, settings);
    assert.equal(
      plan.totalBytes,
      fetched.reduce((n, f) => n + readFileSync(join(referenceFolder('gpt2'), f)).length, 0),
    );
    assert.equal(
      server.count((r) => r.method === 'HEAD'),
      3,
      'one HEAD per file',
    );
    assert.equal(
      server.count((r) => r.server === 'cdn'),
      0,
      'HEAD reads the Hub headers, not the CDN',
    );
    await resolveModel({ repoId: 'hf-reference/gpt2' }, settings);
  } finally {
    server.omitBlobMetadata = false;
  }
  const commit = gpt2.commits[0].sha;
  assert.deepEqual(
    tree(join(settings.cacheDir, 'models--hf-reference--gpt2')),
    pythonLayout(commit, fetched, { main: commit }),
  );
});

test('tokenizer files are fetched where the repo has them, byte for byte; the rest are marked absent', async () => {
  server.add(referenceRepo('qwen2'));
  const settings = settingsFor(server);
  const snap = await resolveModel({ repoId: 'hf-reference/qwen2' }, settings);
  const folder = referenceFolder('qwen2');
  const expected = readdirSync(folder).filter((f) => f !== 'reference.json');
  assert.deepEqual([...snap.files].sort(), expected.sort());
  for (const f of expected) assert.deepEqual(readFileSync(join(snap.dir, f)), readFileSync(join(folder, f)), f);
  const markers = readdirSync(join(settings.cacheDir, 'models--hf-reference--qwen2', '.no_exist', snap.commit));
  assert.deepEqual(markers.sort(), TOKENIZER_FILES.filter((f) => !expected.includes(f)).sort());
});
