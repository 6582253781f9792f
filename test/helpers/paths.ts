/** Paths the tests share: the repository root, the shared fixtures beside it, fresh temporary folders. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('repository root not found above ' + __dirname);
    dir = up;
  }
  return dir;
}

/** `../shared/fixtures` beside the checkout: what the real Hugging Face library computes. */
export function fixturesDir(): string {
  const dir = resolve(repoRoot(), '..', 'shared', 'fixtures');
  if (!existsSync(dir))
    throw new Error(`fixtures not found at ${dir}: the tests need ../shared/fixtures beside the checkout`);
  return dir;
}

const created: string[] = [];
// Temporary folders live as long as the test process: removed when it exits, pass or fail.
process.once('exit', () => {
  for (const dir of created) rmSync(dir, { recursive: true, force: true });
});

export function freshDir(prefix = 'plab-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}
