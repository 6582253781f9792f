/**
 * Ctrl-C and kill of the real CLI process while it builds a model: it removes its build folder, says so,
 * and exits with 128 + the signal's number (130 for SIGINT, 143 for SIGTERM); the cache holds nothing
 * half-written.
 */
import { cacheFolderNames } from '../helpers/cacheFolder';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freshDir, repoRoot } from '../helpers/paths';

const PROMPT = `---
models:
  - name: mid
    config: gpt2
    n_layer: 4
mode: eval
---
the cat sat
~ the dog sat
`;

function interrupted(signal: 'SIGINT' | 'SIGTERM', cache: string, file: string) {
  const child = spawn(process.execPath, [join(repoRoot(), 'bin', 'perturbation-lab.js'), 'compare', file], {
    env: { ...process.env, PERTURBATION_LAB_CACHE: cache, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let folderWhenSignalled: string | undefined;
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    // Announced once the build folder exists and the weight workers are starting.
    if (/random parameters/.test(stderr) && folderWhenSignalled === undefined) {
      folderWhenSignalled = readdirSync(join(cache, 'models')).find((n) => n.startsWith('.tmp-')) ?? '';
      child.kill(signal);
    }
  });
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; folder?: string }>(
    (resolve) => child.once('exit', (code, sig) => resolve({ code, signal: sig, stderr, folder: folderWhenSignalled })),
  );
}

for (const [signal, status] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const) {
  test(
    `${signal} during a build: the build folder is removed and the CLI exits with ${status}`,
    { timeout: 120_000 },
    async () => {
      const cache = freshDir();
      const file = join(freshDir(), 'mid.prompt');
      writeFileSync(file, PROMPT);
      const r = await interrupted(signal, cache, file);
      assert.ok(r.folder, 'a build folder existed when the signal was sent');
      assert.equal(r.signal, null, 'it exits by itself, not killed by the signal');
      assert.equal(r.code, status, r.stderr);
      assert.match(r.stderr, new RegExp(`interrupted \\(${signal}\\); removed 1 unfinished build folder`));
      assert.deepEqual(cacheFolderNames(join(cache, 'models')), [], 'nothing half-written in the cache');
    },
  );
}
