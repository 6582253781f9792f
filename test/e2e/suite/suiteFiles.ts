/** Which compiled suites a run loads: `*.e2e.js` when trusted, `*.untrusted.e2e.js` when untrusted. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { HarnessMode } from '../harnessEnv';

export function suiteFiles(dir: string, mode: HarnessMode): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...suiteFiles(path, mode));
    else if (entry.name.endsWith('.e2e.js') && entry.name.endsWith('.untrusted.e2e.js') === (mode === 'untrusted'))
      files.push(path);
  }
  return files.sort();
}
