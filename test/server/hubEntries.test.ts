/**
 * `from:` in the editor, over a real LSP connection: in a trusted workspace the language server reads a model's
 * config and tokenizer from the Hugging Face cache only — it checks the entry's overrides against that config
 * and counts tokens with the repo's own tokenizer — and never asks the Hub; a model not in the cache, or any
 * `from:` in an untrusted workspace, gets an information note instead. `from:` and `revision:` have hover docs
 * and completion from the same key table the parser reads.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DiagnosticSeverity } from 'vscode-languageserver';
import { resolveModel } from '../../extension/lab/hub';
import { HubCacheChangedNotification } from '../../extension/protocol/lsp';
import { settingsFor } from '../helpers/hubKit';
import { HubServer, repoOf } from '../helpers/hubServer';
import { freshDir } from '../helpers/paths';
import { tinyRepoFiles } from '../helpers/tinyTokenizers';
import { messageOf, promptFile, range, tempDir } from './fixtures';
import { LspTestClient } from './lspClient';

const TEXT = `---
models:
  - name: gpt2
    from: gpt2
  - name: bert-causal
    from: bert-base-uncased
    is_decoder: true
add_special_tokens: false
---
<pad> Ich will ein
~ <pad> Ich will das
`;

let server: HubServer;
const hfHome = freshDir('plab-hfhome-');
before(async () => {
  server = await HubServer.start([
    repoOf('gpt2', tinyRepoFiles('gpt2')),
    repoOf('bert-base-uncased', tinyRepoFiles('bert')),
    repoOf('org/not-downloaded', tinyRepoFiles('gpt2')),
  ]);
  // The cache the language server will read, filled as a run (or Python) would fill it.
  const settings = { ...settingsFor(server), cacheDir: `${hfHome}/hub` };
  for (const repoId of ['gpt2', 'bert-base-uncased']) await resolveModel({ repoId }, settings);
  // The server inherits the environment, as it inherits VS Code's: its Hugging Face home is this one.
  for (const key of Object.keys(process.env))
    if (/^(HF_|HUGGING|TRANSFORMERS_OFFLINE)/.test(key)) delete process.env[key];
  process.env.HF_HOME = hfHome;
  // Were the server to ask the Hub, it would ask this one (and the test would see it).
  process.env.HF_ENDPOINT = server.endpoint;
  server.requests.length = 0;
});
after(() => server.close());

describe('from: in a trusted workspace', () => {
  let client: LspTestClient;
  let dir: string;
  before(async () => {
    dir = tempDir();
    client = await LspTestClient.start({ initializationOptions: { cacheDir: tempDir(), trusted: true } });
  });
  after(() => client.kill());

  test("the CodeLens counts tokens with each repo's own tokenizer, read from the cache", async () => {
    const uri = promptFile(dir, 'cached.prompt', TEXT);
    await client.open(uri, TEXT, 1);
    const lenses = await client.codeLenses(uri);
    assert.equal(lenses.at(-1)?.command?.title, 'gpt2: 6 tokens · bert-base-uncased: 6 tokens');
    assert.equal(server.requests.length, 0, 'the editor never asks the Hub');
  });

  test("overrides are checked against the repo's config from the cache", async () => {
    const text = TEXT.replace('    from: gpt2\n', '    from: gpt2\n    is_decoder: true\n').replace(
      '    is_decoder: true\nadd',
      '    is_decoder: true\n    n_layer: 3\nadd',
    );
    const uri = promptFile(dir, 'overrides.prompt', text);
    await client.open(uri, text, 1);
    const published = await client.diagnosticsWhen(uri, (p) => p.diagnostics.length > 0);
    const found = published.diagnostics.map((d) => [
      d.severity,
      d.range.start.line,
      d.range.start.character,
      messageOf(d),
    ]);
    assert.equal(found.length, 2, JSON.stringify(found));
    assert.deepEqual(found[0].slice(0, 3), [DiagnosticSeverity.Error, 4, 4]);
    assert.match(String(found[0][3]), /is_decoder/);
    assert.deepEqual(found[1].slice(0, 3), [DiagnosticSeverity.Error, 8, 4]);
    assert.match(String(found[1][3]), /num_hidden_layers/);
    assert.equal(server.requests.length, 0);
  });

  test('a model the cache lacks gets a note, not an error, and no request', async () => {
    const text = TEXT.replace('from: gpt2', 'from: org/not-downloaded');
    const uri = promptFile(dir, 'missing.prompt', text);
    await client.open(uri, text, 1);
    const published = await client.diagnosticsWhen(uri, (p) => p.diagnostics.length > 0);
    assert.deepEqual(
      published.diagnostics.map((d) => [d.code, d.severity, d.range]),
      [['hub-not-cached', DiagnosticSeverity.Information, range(3, 10, 3, 28)]],
    );
    assert.match(messageOf(published.diagnostics[0]), /not in the Hugging Face cache yet: a run downloads it/);
    assert.equal(server.requests.length, 0);
    // A run downloads it; the host tells the server, which reads the cache again: the note goes, the counts come.
    await resolveModel({ repoId: 'org/not-downloaded' }, { ...settingsFor(server), cacheDir: `${hfHome}/hub` });
    const from = client.diagnostics.seen.length;
    await client.connection.sendNotification(HubCacheChangedNotification.type);
    const cleared = await client.unlessExited(
      client.diagnostics.next((p) => p.uri === uri && p.diagnostics.length === 0, from),
    );
    assert.deepEqual(cleared.diagnostics, []);
    assert.equal(
      (await client.codeLenses(uri)).at(-1)?.command?.title,
      'org/not-downloaded: 6 tokens · bert-base-uncased: 6 tokens',
    );
    server.requests.length = 0;
  });

  test('hover on from: and completion of entry keys come from the key table', async () => {
    const uri = promptFile(dir, 'hover.prompt', TEXT);
    await client.open(uri, TEXT, 1);
    const hover = await client.hover(uri, { line: 3, character: 5 });
    const value = hover && typeof hover.contents === 'object' && 'value' in hover.contents ? hover.contents.value : '';
    assert.match(value, /\*\*from\*\*/);
    assert.match(value, /from_pretrained/);
    // In an entry with `from:`: `revision:` is offered, `config:`/`weights:` (which it excludes) are not; BERT's
    // keys are, since the cache says the repo is a BERT.
    const labels = (await client.completion(uri, { line: 6, character: 4 })).map((i) => i.label);
    assert.ok(labels.includes('revision') && labels.includes('num_hidden_layers'), labels.join(', '));
    for (const absent of ['from', 'config', 'weights']) assert.ok(!labels.includes(absent), absent);
    // In a new entry `from:` is offered, `revision:` not yet.
    const text = `${TEXT.slice(0, TEXT.indexOf('add_special'))}  - name: new\n    \n${TEXT.slice(TEXT.indexOf('add_special'))}`;
    const fresh = promptFile(dir, 'fresh.prompt', text);
    await client.open(fresh, text, 1);
    const offered = (await client.completion(fresh, { line: 8, character: 4 })).map((i) => i.label);
    assert.ok(
      offered.includes('from') && offered.includes('config') && !offered.includes('revision'),
      offered.join(', '),
    );
  });
});

describe('from: in an untrusted workspace', () => {
  let client: LspTestClient;
  before(async () => {
    client = await LspTestClient.start({ initializationOptions: { cacheDir: tempDir(), trusted: false } });
  });
  after(() => client.kill());

  test('the cache is not read: a note at each from: says why and what to do', async () => {
    const uri = promptFile(tempDir(), 'untrusted.prompt', TEXT);
    await client.open(uri, TEXT, 1);
    const published = await client.diagnosticsWhen(uri, (p) => p.diagnostics.length > 0);
    assert.deepEqual(
      published.diagnostics.map((d) => [d.code, d.severity, d.range.start.line]),
      [
        ['untrusted-hub', DiagnosticSeverity.Information, 3],
        ['untrusted-hub', DiagnosticSeverity.Information, 5],
      ],
    );
    assert.match(messageOf(published.diagnostics[0]), /Restricted Mode.*Trust the workspace to download it/);
    assert.equal(server.requests.length, 0);
  });
});
