/**
 * The language server and the files a document names, over a real LSP connection: it reads them only
 * in a trusted workspace, only as regular files and off its request loop (a FIFO never stops hover or
 * completion), and in an untrusted one it reads none and says so. Keys named like Object.prototype
 * members never give a diagnostic without a message.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DiagnosticSeverity } from 'vscode-languageserver';
import { makeFifo } from '../helpers/hostileFiles';
import { messageOf, promptFile, range, tempDir } from './fixtures';
import { LspTestClient } from './lspClient';

/** One model whose `config:` is `value` (at line 3, column 12). */
const withConfig = (value: string) =>
  `---\nmodels:\n  - name: probe\n    config: ${value}\n---\nthe cat sat\n~ the dog sat\n`;

describe('a trusted workspace', () => {
  let client: LspTestClient;
  let dir: string;
  before(async () => {
    dir = tempDir();
    client = await LspTestClient.start({ initializationOptions: { cacheDir: tempDir(), trusted: true } });
  });
  after(() => client.kill());

  test('a FIFO named by config: is an error at the value, and hover and completion answer meanwhile', async () => {
    const fifo = makeFifo(dir, 'pipe.json');
    const text = withConfig(fifo);
    const uri = promptFile(dir, 'fifo.prompt', text);
    await client.open(uri, text, 1);
    assert.equal(await client.hover(uri, { line: 5, character: 2 }), null, 'hover answers (no tokenizer: no models)');
    assert.ok(Array.isArray(await client.completion(uri, { line: 3, character: 4 })));
    const published = await client.diagnosticsWhen(uri, (p) => p.diagnostics.length > 0);
    assert.deepEqual(
      published.diagnostics.map((d) => [d.code, d.range, messageOf(d)]),
      [
        [
          'not-a-regular-file',
          range(3, 12, 3, 12 + fifo.length),
          `${fifo} is a FIFO (named pipe), not a regular file: only regular files are read`,
        ],
      ],
    );
  });

  test('a config.json is read and checked, its problems on the value; /dev/zero is refused', async () => {
    writeFileSync(join(dir, 'tiny.json'), JSON.stringify({ model_type: 'gpt2', n_layer: 1, n_embd: 8, n_head: 3 }));
    const text = withConfig('./tiny.json');
    const uri = promptFile(dir, 'tiny.prompt', text);
    await client.open(uri, text, 1);
    const published = await client.diagnosticsWhen(uri, (p) => p.diagnostics.length > 0);
    assert.equal(published.diagnostics[0].code, 'bad-value');
    assert.deepEqual(published.diagnostics[0].range, range(3, 12, 3, 23));
    assert.match(messageOf(published.diagnostics[0]), /`n_embd` \(8\) must be divisible by `n_head` \(3\)/);

    const zero = withConfig('/dev/zero');
    await client.replace(uri, 2, zero);
    const refused = await client.diagnosticsWhen(uri, (p) => p.version === 2 && p.diagnostics.length > 0);
    assert.match(messageOf(refused.diagnostics[0]), /\/dev\/zero is a character device, not a regular file/);
    assert.deepEqual(client.errorLogs(), []);
  });
});

describe('an untrusted workspace (the host did not say it is trusted)', () => {
  let client: LspTestClient;
  let dir: string;
  before(async () => {
    dir = tempDir();
    client = await LspTestClient.start({ initializationOptions: { cacheDir: tempDir() } });
  });
  after(() => client.kill());

  test('no file is opened: each path gets a note instead, and nothing of the file is shown', async () => {
    const fifo = makeFifo(dir, 'pipe.json');
    const secret = join(dir, 'secret.json');
    writeFileSync(secret, '{"model_type": "SECRET-VALUE-123"}');
    const text = withConfig(fifo).replace('---\nthe', `  - name: leak\n    config: ${secret}\n---\nthe`);
    const uri = promptFile(dir, 'untrusted.prompt', text);
    await client.open(uri, text, 1);
    const published = await client.diagnosticsWhen(uri, (p) => p.diagnostics.length === 2);
    assert.deepEqual(
      published.diagnostics.map((d) => [d.code, d.severity, d.range.start.line]),
      [
        ['untrusted-file', DiagnosticSeverity.Information, 3],
        ['untrusted-file', DiagnosticSeverity.Information, 5],
      ],
    );
    assert.match(messageOf(published.diagnostics[0]), /not read: this workspace is not trusted/);
    assert.ok(!JSON.stringify(client.diagnostics.seen).includes('SECRET'));
  });

  test('lone CRs are line breaks for every feature: completion on such a line answers', async () => {
    const text = '---\rmodels:\r  - name: m\r    config: gpt2\r    \r---\rthe cat\r~ the dog\r';
    const uri = promptFile(dir, 'cr.prompt', text);
    await client.open(uri, text, 1);
    assert.deepEqual((await client.diagnosticsFor(uri, 1)).diagnostics, []);
    const items = await client.completion(uri, { line: 4, character: 4 });
    assert.ok(
      items.some((i) => i.label === 'n_layer'),
      'GPT-2 keys offered on line 4',
    );
    assert.deepEqual(client.errorLogs(), []);
  });

  test('keys named like Object.prototype members: every diagnostic has its own message', async () => {
    const keys = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf'];
    const text = `---\nmodels:\n  - name: m\n    config: gpt2\n${keys.map((k) => `    ${k}: 1\n`).join('')}${keys
      .filter((k) => k !== '__proto__')
      .map((k) => `${k}: 1\n`)
      .join('')}---\na\n~ b\n`;
    const uri = promptFile(dir, 'proto.prompt', text);
    await client.open(uri, text, 1);
    const { diagnostics } = await client.diagnosticsFor(uri, 1);
    assert.equal(diagnostics.length, keys.length * 2 - 1);
    for (const d of diagnostics) {
      const message = messageOf(d);
      assert.ok(typeof message === 'string' && message.length > 10, JSON.stringify(d));
      assert.doesNotMatch(message, /function Object|\[object|native code/);
    }
  });
});
