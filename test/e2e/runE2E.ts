/**
 * End-to-end tests in a real VS Code: @vscode/test-electron's runTests with the code-server
 * launcher as the VS Code executable, once per mode — trusted (the `*.e2e.ts` suites) and, when
 * there are `*.untrusted.e2e.ts` suites, untrusted (code-server without --disable-workspace-trust).
 * Each run gets a fresh copy of examples/ as its workspace and a fresh profile.
 *
 *   node out/e2e/runE2E.js            (npm run test:e2e; also run by `npm test` via e2e.test.ts)
 *   E2E_MODES=untrusted E2E_GREP=trust node out/e2e/runE2E.js
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { HarnessEnv, type HarnessMode } from './harnessEnv';
import { suiteFiles } from './suite/suiteFiles';

const repoRoot = resolve(__dirname, '..', '..');
const outDir = __dirname; // out/e2e
const launcher = join(repoRoot, 'test', 'e2e', 'launcher', 'code-launcher');
const fixtureExtension = join(repoRoot, 'test', 'e2e', 'fixtures', 'harness-extension');

interface ExtensionUnderTest {
  path: string;
  name: string;
  why: string;
}

/** The repository's extension once package.json makes it loadable (VS Code refuses one without
 *  `engines.vscode`); until then a throwaway fixture, so the harness itself is still proven. */
export function extensionUnderTest(): ExtensionUnderTest {
  const override = process.env.E2E_EXTENSION_PATH;
  const path = override ? resolve(override) : repoRoot;
  const pkg = JSON.parse(readFileSync(join(path, 'package.json'), 'utf8')) as {
    name?: string;
    engines?: { vscode?: unknown };
  };
  if (typeof pkg.engines?.vscode === 'string' || override) {
    return { path, name: String(pkg.name), why: override ? 'E2E_EXTENSION_PATH' : 'package.json has engines.vscode' };
  }
  return {
    path: fixtureExtension,
    name: 'e2e-harness-fixture',
    why: 'package.json has no engines.vscode yet, so VS Code could not load the repository as an extension: using the harness fixture',
  };
}

async function runMode(mode: HarnessMode, extension: ExtensionUnderTest): Promise<boolean> {
  const scratch = mkdtempSync(join(tmpdir(), `plab-e2e-${mode}-`));
  const workspace = join(scratch, 'examples');
  cpSync(join(repoRoot, 'examples'), workspace, { recursive: true });
  const artifactsDir = join(repoRoot, 'test-artifacts', 'e2e', mode);
  rmSync(artifactsDir, { recursive: true, force: true });
  console.log(`\n=== e2e ${mode}: ${extension.name} from ${extension.path}`);
  try {
    await runTests({
      vscodeExecutablePath: launcher,
      extensionDevelopmentPath: extension.path,
      extensionTestsPath: join(outDir, 'suite', 'index.js'),
      launchArgs: [
        workspace,
        `--user-data-dir=${join(scratch, 'user-data')}`,
        `--extensions-dir=${join(scratch, 'extensions')}`,
      ],
      extensionTestsEnv: {
        [HarnessEnv.mode]: mode,
        [HarnessEnv.workspaceTrust]: mode === 'untrusted' ? 'enabled' : 'disabled',
        [HarnessEnv.browserChecks]: join(outDir, 'browserChecks.js'),
        [HarnessEnv.artifactsDir]: artifactsDir,
        [HarnessEnv.extensionName]: extension.name,
        [HarnessEnv.workspace]: workspace,
        [HarnessEnv.userDataDir]: join(scratch, 'user-data'),
        // A Hugging Face home of the run's own, so the machine's cache, token and offline mode play no part.
        HF_HOME: join(scratch, 'hf-home'),
        HF_HUB_CACHE: '',
        HUGGINGFACE_HUB_CACHE: '',
        HF_TOKEN: '',
        HUGGING_FACE_HUB_TOKEN: '',
        HF_TOKEN_PATH: '',
        HF_HUB_OFFLINE: '',
        TRANSFORMERS_OFFLINE: '',
        HF_ENDPOINT: '',
      },
    });
    return true;
  } catch (error) {
    console.error(`e2e ${mode} failed: ${(error as Error).message} (artifacts: ${artifactsDir})`);
    return false;
  } finally {
    // The extension host's logs (every output channel's: the lab's run log among them) outlive the run.
    const logs = join(scratch, 'user-data', 'logs');
    if (existsSync(logs)) cpSync(logs, join(artifactsDir, 'server-logs'), { recursive: true });
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  const extension = extensionUnderTest();
  console.log(`e2e: extension under test: ${extension.name} (${extension.why})`);
  const available: HarnessMode[] = ['trusted'];
  if (suiteFiles(join(outDir, 'suite'), 'untrusted').length > 0) available.push('untrusted');
  const wanted = process.env.E2E_MODES?.split(',').map((m) => m.trim()) ?? available;
  const unknown = wanted.filter((m) => !available.includes(m as HarnessMode));
  if (unknown.length) throw new Error(`E2E_MODES: no suites for ${unknown.join(', ')} (have ${available.join(', ')})`);
  if (!existsSync(launcher)) throw new Error(`launcher missing: ${launcher}`);
  const results: [string, boolean][] = [];
  for (const mode of wanted as HarnessMode[]) results.push([mode, await runMode(mode, extension)]);
  const failed = results.filter(([, ok]) => !ok).map(([mode]) => mode);
  console.log(
    `\ne2e: ${results.length - failed.length} passed, ${failed.length} failed${failed.length ? ` (${failed.join(', ')})` : ''}`,
  );
  return failed.length ? 1 : 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: Error) => {
      console.error(`e2e: ${error.stack ?? error}`);
      process.exit(1);
    },
  );
}
