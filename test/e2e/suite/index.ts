/**
 * The test module VS Code loads into the extension host (`--extensionTestsPath`): runs the mocha
 * suites compiled beside it — `*.e2e.js` in a trusted run, `*.untrusted.e2e.js` in an untrusted one.
 * Pending tests fail the run like failures do: a test that cannot run must not pass by skipping.
 */
import { relative } from 'node:path';
import Mocha from 'mocha';
import { HarnessEnv, type HarnessMode } from '../harnessEnv';
import { suiteFiles } from './suiteFiles';

export async function run(): Promise<void> {
  const mode = (process.env[HarnessEnv.mode] ?? 'trusted') as HarnessMode;
  if (mode !== 'trusted' && mode !== 'untrusted') throw new Error(`${HarnessEnv.mode}=${mode}: trusted or untrusted`);
  const grep = process.env[HarnessEnv.grep];
  const mocha = new Mocha({
    ui: 'bdd',
    reporter: 'spec',
    color: false,
    timeout: 120_000,
    forbidOnly: true,
    forbidPending: true,
    ...(grep ? { grep } : {}),
  });
  const files = suiteFiles(__dirname, mode);
  if (files.length === 0) throw new Error(`no ${mode} e2e suites in ${__dirname}`);
  console.log(`e2e (${mode}): ${files.map((f) => relative(__dirname, f)).join(', ')}`);
  for (const file of files) mocha.addFile(file);
  const { failures, tests } = await new Promise<{ failures: number; tests: number }>((resolveRun) => {
    const runner = mocha.run((failures) => resolveRun({ failures, tests: runner.stats?.tests ?? 0 }));
  });
  if (failures > 0) throw new Error(`${failures} e2e test(s) failed`);
  if (tests === 0) throw new Error(`no e2e test ran${grep ? ` (grep ${grep})` : ''}`);
}
