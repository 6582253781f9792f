/**
 * Puts the end-to-end run (out/e2e/runE2E.js: every e2e suite in a real VS Code, trusted and
 * untrusted) into `npm test`. It needs what scripts/install-test-deps.sh installs and fails — does
 * not skip — without it.
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';

const repoRoot = resolve(__dirname, '..', '..', '..');

test('end to end in a real VS Code (code-server + headless Chromium)', { timeout: 30 * 60_000 }, async () => {
  const runner = join(repoRoot, 'out', 'e2e', 'runE2E.js');
  assert.ok(existsSync(runner), `${runner} is missing: node build.mjs builds it`);
  const code = await new Promise<number | null>((resolveExit, reject) => {
    const child = spawn(process.execPath, [runner], { cwd: repoRoot, stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (exitCode, signal) => resolveExit(exitCode ?? (signal ? 128 : null)));
  });
  assert.equal(code, 0, 'the e2e run failed (its output is above; logs and screenshots in test-artifacts/e2e/)');
});
