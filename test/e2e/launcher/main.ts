/**
 * A stand-in for the VS Code executable, for @vscode/test-electron's `runTests({ vscodeExecutablePath })`
 * and for `npm run open`: takes VS Code's usual arguments and runs the real VS Code server
 * (code-server, installed by scripts/install-test-deps.sh) on 127.0.0.1.
 *
 * - Test mode (`--extensionTestsPath` given): opens the workbench in headless Chromium with the
 *   development extension and the test module in the URL payload, forwards the suites' log to
 *   stdout, serves browser checks to the suites (browserBridge.ts), exits with the suites' code.
 * - Serve mode (no `--extensionTestsPath`): prints the URL to open and runs until Ctrl-C.
 * Either way code-server's process group is killed at the end, on timeout and on signals.
 */
import { closeSync, fstatSync, mkdirSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { HarnessEnv } from '../harnessEnv';
import { parseArgs, type LaunchRequest } from './args';
import { BrowserBridge, BrowserSession } from './browserSession';
import { CodeServer, freePort, isPortFree } from './codeServer';
import { linkExtension } from './linkExtension';

const repoRoot = resolve(__dirname, '..', '..', '..');
const say = (line: string) => process.stdout.write(`${line}\n`);
// Our parent may be gone (its pipe closed) while we clean up: a failed log line must not stop that.
process.stdout.on('error', () => undefined);
process.stderr.on('error', () => undefined);

/** The workbench URL: the folder (or workspace) to open and, in the payload, the development
 *  extension and the test module as vscode-remote URIs of this server. */
function workbenchUrl(origin: string, request: LaunchRequest): string {
  const authority = new URL(origin).host;
  const remote = (path: string) => `vscode-remote://${authority}${path.split('/').map(encodeURIComponent).join('/')}`;
  const payload: [string, string][] = [];
  if (request.extensionDevelopmentPath)
    payload.push(['extensionDevelopmentPath', remote(request.extensionDevelopmentPath)]);
  if (request.extensionTestsPath) payload.push(['extensionTestsPath', remote(request.extensionTestsPath)]);
  if (request.file) payload.push(['openFile', remote(request.file)]);
  const query = new URLSearchParams();
  if (request.folder) query.set('folder', request.folder);
  else if (request.workspaceFile) query.set('workspace', request.workspaceFile);
  if (payload.length) query.set('payload', JSON.stringify(payload));
  return `${origin}/?${query.toString()}`;
}

async function main(): Promise<number> {
  const request = parseArgs(process.argv.slice(2));
  const testMode = request.extensionTestsPath !== undefined;
  const trust = process.env[HarnessEnv.workspaceTrust];
  if (trust !== undefined && trust !== 'enabled' && trust !== 'disabled')
    throw new Error(`${HarnessEnv.workspaceTrust}=${trust}: enabled or disabled`);
  const disableWorkspaceTrust = trust ? trust === 'disabled' : request.disableWorkspaceTrust;

  const stateDir = mkdtempSync(join(tmpdir(), 'plab-code-server-'));
  const artifactsDir = resolve(
    process.env[HarnessEnv.artifactsDir] ?? join(repoRoot, 'test-artifacts', 'e2e', 'launcher'),
  );
  mkdirSync(artifactsDir, { recursive: true });
  let server: CodeServer | undefined;
  let bridge: BrowserBridge | undefined;
  let session: BrowserSession | undefined;
  let logFd: number | undefined;
  const cleanup = async () => {
    await session?.close();
    await bridge?.close();
    await server?.stop();
    if (logFd !== undefined) closeSync(logFd);
    rmSync(stateDir, { recursive: true, force: true });
  };
  const stopped = new Promise<number>((resolveStop) => {
    // `on`, not `once`: a second Ctrl-C during cleanup must not kill us before code-server is.
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.on(signal, () => {
        say(`launcher: ${signal}, stopping code-server`);
        resolveStop(testMode ? 128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1) : 0);
      });
    }
    // runTests gives us a pipe as stdin: when it closes, whoever started us is gone — stop too.
    const stdin = fstatSync(0);
    if (testMode && (stdin.isFIFO() || stdin.isSocket())) {
      process.stdin.once('close', () => {
        say('launcher: parent gone (stdin closed), stopping code-server');
        resolveStop(1);
      });
      process.stdin.resume();
    }
  });

  try {
    if (testMode) {
      bridge = await BrowserBridge.start(artifactsDir, say);
      logFd = openSync(join(artifactsDir, 'code-server.log'), 'w');
    }
    const port = request.port ?? (testMode ? await freePort() : (await isPortFree(8080)) ? 8080 : await freePort());
    const extensionsDir = request.extensionsDir ?? join(stateDir, 'extensions');
    // Serving: the extension is installed (linked), so the bare root URL loads it too; see linkExtension.ts.
    if (!testMode && request.extensionDevelopmentPath) linkExtension(extensionsDir, request.extensionDevelopmentPath);
    server = await CodeServer.start({
      installDir: resolve(process.env[HarnessEnv.codeServerDir] ?? join(repoRoot, '.cache', 'code-server')),
      port,
      userDataDir: request.userDataDir ?? join(stateDir, 'user-data'),
      extensionsDir,
      defaultFolder: testMode ? undefined : request.folder,
      stateDir,
      disableWorkspaceTrust,
      // Tests: no extension gallery (code-server's default is open-vsx.org, unreachable offline).
      env: bridge ? { [HarnessEnv.browserBridge]: bridge.url, EXTENSIONS_GALLERY: '{}' } : {},
      output: logFd ?? 'inherit',
    });
    const url = workbenchUrl(server.origin, request);
    const serverDied = server.exit.then((code) => {
      throw new Error(
        `code-server exited with ${code}${testMode ? ` (log: ${join(artifactsDir, 'code-server.log')})` : ''}`,
      );
    });
    serverDied.catch(() => undefined); // it also "dies" when cleanup stops it

    if (!testMode) {
      // The extension is linked in and the folder is the default: the root URL is all it takes.
      const open = request.extensionDevelopmentPath && request.folder && !request.file ? `${server.origin}/` : url;
      say(
        `\nVS Code (code-server ${server.origin}, workspace trust ${disableWorkspaceTrust ? 'off' : 'on'}) is ready. Open:\n\n  ${open}\n`,
      );
      say(
        '(from another machine: ssh -L ' +
          port +
          ':127.0.0.1:' +
          port +
          ' this-host, then the same URL). Ctrl-C stops it.',
      );
      return await Promise.race([stopped, serverDied]);
    }

    say(
      `launcher: code-server ${server.origin} (pid ${server.pid}), workspace trust ${disableWorkspaceTrust ? 'disabled' : 'enabled'}, artifacts ${artifactsDir}`,
    );
    session = await BrowserSession.open(url, artifactsDir, stateDir, say);
    bridge!.attach(session.page);
    const timeoutMs = Number(process.env[HarnessEnv.timeoutMs] ?? 15 * 60_000);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the tests did not end within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      const code = await Promise.race([session.exit.then((r) => r.code), stopped, serverDied, timedOut]);
      if (code !== 0) await session.screenshot(join(artifactsDir, 'exit.png'));
      return code;
    } catch (error) {
      await session.screenshot(join(artifactsDir, 'failure.png'));
      throw error;
    } finally {
      clearTimeout(timer);
    }
  } finally {
    await cleanup();
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`launcher: ${error?.stack ?? error}\n`);
    process.exit(1);
  },
);
