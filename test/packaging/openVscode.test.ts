/**
 * `npm run open` without desktop VS Code: scripts/open-vscode.sh serves code-server and prints a URL; that URL —
 * the server's bare root — opens examples/ with the extension loaded, which the CodeLens above a prompt (with the
 * tokenizers' counts from the language server) shows, in Debian's headless Chromium.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { freePort } from '../e2e/launcher/codeServer';
import { freshDir, repoRoot } from '../helpers/paths';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--no-first-run',
];

test(
  '`npm run open` prints the root URL, and the root URL loads the extension on the examples',
  { timeout: 300_000 },
  async () => {
    const root = repoRoot();
    const port = await freePort();
    const open = spawn('bash', [join(root, 'scripts', 'open-vscode.sh'), `--port=${port}`], {
      cwd: root,
      env: { ...process.env, OPEN_WITH: 'code-server', OPEN_VSCODE_PROFILE: freshDir('plab-open-') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const exited = once(open, 'exit');
    const printed = new Promise<string>((resolveUrl, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString('utf8');
        const url = /^\s+(http:\/\/127\.0\.0\.1:\d+\S*)$/m.exec(output)?.[1];
        if (url) resolveUrl(url);
      };
      open.stdout.on('data', onData);
      open.stderr.on('data', onData);
      void exited.then(([code]) =>
        reject(new Error(`open-vscode.sh exited with ${code} before printing a URL:\n${output}`)),
      );
    });
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    try {
      const url = await printed;
      assert.equal(url, `http://127.0.0.1:${port}/`, 'the URL printed is the bare root');

      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(url);
      await page.locator('.explorer-folders-view').getByText('encoder-vs-decoder.prompt').waitFor({ timeout: 90_000 });
      await page.locator('.explorer-folders-view').getByText('encoder-vs-decoder.prompt').dblclick();
      const lens = page.locator('.codelens-decoration').filter({ hasText: /Compare/ });
      await lens.first().waitFor({ timeout: 90_000 });
      const lenses = await page.locator('.codelens-decoration').allInnerTexts();
      assert.ok(
        lenses.some((t) => /gpt2: \d+ tokens/.test(t)),
        `the language server's token counts are there: ${lenses.join(' | ')}`,
      );
      const artifacts = join(root, 'test-artifacts', 'open');
      mkdirSync(artifacts, { recursive: true });
      await page.screenshot({ path: join(artifacts, 'root-url.png') });
    } finally {
      await browser.close();
      if (open.exitCode === null) {
        open.kill('SIGTERM'); // the launcher stops code-server's process group, then exits
        await exited;
      }
    }
  },
);
