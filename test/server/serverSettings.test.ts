/**
 * The server's settings over a real LSP connection: asked with `workspace/configuration`
 * (section `perturbationLab`), re-asked after a change with the lenses refreshed; pushed by
 * clients that cannot be asked; defaults when the client fails; and token counts left out,
 * never failing, when tokenizers cannot be had.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SEED_TEXT, seedUri, tempDir } from './fixtures';
import { LspTestClient } from './lspClient';

test('`codeLens.tokenCounts: false` from workspace/configuration hides the counts; a change is asked again and lenses refreshed', async (t) => {
  let tokenCounts = false;
  const client = await LspTestClient.start({
    initializationOptions: { cacheDir: tempDir() },
    configuration: (p) => p.items.map(() => ({ codeLens: { tokenCounts } })),
  });
  t.after(() => client.kill());
  const uri = seedUri(tempDir());
  await client.open(uri, SEED_TEXT, 1);
  assert.deepEqual(
    (await client.codeLenses(uri)).map((l) => l.command?.title),
    ['▶ Compare all', '▶ Compare', '▶ Compare this variant'],
  );

  tokenCounts = true;
  await client.registrations.next((r) => r.method === 'workspace/didChangeConfiguration');
  const asked = client.configurationRequests.seen.length;
  await client.changeConfiguration(null); // what VS Code sends to a pull-model server
  await client.unlessExited(client.codeLensRefreshes.next(() => true));
  const titles = (await client.codeLenses(uri)).map((l) => l.command?.title);
  assert.equal(titles.at(-1), 'gpt2: 7 tokens · bert: 6 tokens');
  assert.ok(client.configurationRequests.seen.length > asked, 'asked for the settings again');
  assert.equal(await client.stop(), 0);
});

test('a client without workspace/configuration: defaults, then what didChangeConfiguration pushes', async (t) => {
  const client = await LspTestClient.start({ initializationOptions: { cacheDir: tempDir() }, capabilities: {} });
  t.after(() => client.kill());
  const uri = seedUri(tempDir());
  await client.open(uri, SEED_TEXT, 1);
  assert.equal((await client.codeLenses(uri)).at(-1)?.command?.title, 'gpt2: 7 tokens · bert: 6 tokens');
  await client.changeConfiguration({ perturbationLab: { codeLens: { tokenCounts: false } } });
  // Notifications are handled in order, so the next request sees the pushed settings.
  assert.equal((await client.codeLenses(uri)).length, 3);
  assert.equal(client.configurationRequests.seen.length, 0);
  assert.equal(await client.stop(), 0);
});

test('a client that fails workspace/configuration: defaults, a warning, no failure', async (t) => {
  const client = await LspTestClient.start({
    initializationOptions: { cacheDir: tempDir() },
    configuration: () => {
      throw new Error('no settings here');
    },
  });
  t.after(() => client.kill());
  const uri = seedUri(tempDir());
  await client.open(uri, SEED_TEXT, 1);
  assert.equal((await client.codeLenses(uri)).length, 4);
  assert.ok(client.logs.seen.some((l) => /workspace\/configuration failed/.test(l.message)));
  assert.equal(await client.stop(), 0);
});

test('without a cacheDir, or with one that cannot be written, the counts are left out and nothing fails', async (t) => {
  const blocker = join(tempDir(), 'a-file');
  writeFileSync(blocker, 'not a folder');
  for (const initializationOptions of [undefined, { cacheDir: join(blocker, 'cache') }]) {
    const client = await LspTestClient.start({ initializationOptions });
    t.after(() => client.kill());
    const uri = seedUri(tempDir());
    await client.open(uri, SEED_TEXT, 1);
    const titles = (await client.codeLenses(uri)).map((l) => l.command?.title);
    assert.deepEqual(titles, ['▶ Compare all', '▶ Compare', '▶ Compare this variant']);
    // Asked twice: a failed tokenizer is not retried, and still no error.
    assert.equal((await client.codeLenses(uri)).length, 3);
    assert.deepEqual(client.errorLogs(), []);
    assert.equal(await client.stop(), 0);
  }
});
