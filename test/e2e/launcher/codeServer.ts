/**
 * One code-server process: started detached in its own process group on 127.0.0.1, with every
 * folder it writes to given explicitly (it writes into the home folder otherwise), and killed with
 * its whole group — the extension host outlives the browser by hours if nobody does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { HarnessEnv } from '../harnessEnv';

export interface CodeServerOptions {
  /** Folder with code-server's npm install. */
  installDir: string;
  port: number;
  userDataDir: string;
  extensionsDir: string;
  /** Scratch folder for the config file and the XDG folders (the caller removes it). */
  stateDir: string;
  disableWorkspaceTrust: boolean;
  /** Extra environment for code-server and so for its extension host. */
  env: Record<string, string>;
  /** Where code-server's stdout and stderr go: a file descriptor, or 'inherit'. */
  output: number | 'inherit';
  /** The folder a URL without `?folder=` opens (code-server's positional argument). */
  defaultFolder?: string;
}

export function codeServerEntry(installDir: string): string {
  const entry = join(installDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  if (!existsSync(entry)) {
    throw new Error(
      `code-server is not installed in ${installDir}: run scripts/install-test-deps.sh (or set ${HarnessEnv.codeServerDir})`,
    );
  }
  return entry;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export async function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolveFree) => {
    const server = createServer();
    server.once('error', () => resolveFree(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolveFree(true)));
  });
}

export class CodeServer {
  readonly origin: string;
  private readonly child: ChildProcess;
  private exited: Promise<number | null>;
  private exitCode: number | null | undefined;
  private readonly onProcessExit = () => this.killNow();

  private constructor(
    readonly options: CodeServerOptions,
    entry: string,
  ) {
    this.origin = `http://127.0.0.1:${options.port}`;
    const { stateDir, userDataDir, extensionsDir } = options;
    const xdgConfig = join(stateDir, 'xdg-config');
    const xdgData = join(stateDir, 'xdg-data');
    const config = join(stateDir, 'config.yaml');
    for (const dir of [xdgConfig, xdgData, userDataDir, extensionsDir, join(userDataDir, 'User')])
      mkdirSync(dir, { recursive: true });
    writeFileSync(config, `bind-addr: 127.0.0.1:${options.port}\nauth: none\ncert: false\n`);
    writeUserSettings(userDataDir, options.disableWorkspaceTrust);

    const args = [
      entry,
      '--bind-addr',
      `127.0.0.1:${options.port}`,
      '--auth',
      'none',
      '--disable-telemetry',
      '--disable-update-check',
      ...(options.disableWorkspaceTrust ? ['--disable-workspace-trust'] : []),
      '--user-data-dir',
      userDataDir,
      '--extensions-dir',
      extensionsDir,
      '--config',
      config,
      ...(options.defaultFolder ? [options.defaultFolder] : []),
    ];
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...options.env,
      XDG_CONFIG_HOME: xdgConfig,
      XDG_DATA_HOME: xdgData,
    };
    // Started from a VS Code terminal, these would point code-server at that other VS Code.
    delete env.VSCODE_IPC_HOOK_CLI;
    delete env.ELECTRON_RUN_AS_NODE;
    this.child = spawn(process.execPath, args, {
      detached: true,
      stdio: ['ignore', options.output, options.output],
      env,
    });
    this.exited = new Promise((resolveExit) => {
      this.child.once('exit', (code, signal) => {
        this.exitCode = code ?? (signal ? 128 : null);
        resolveExit(this.exitCode);
      });
      this.child.once('error', () => resolveExit((this.exitCode = -1)));
    });
    process.on('exit', this.onProcessExit);
  }

  static async start(options: CodeServerOptions): Promise<CodeServer> {
    const server = new CodeServer(options, codeServerEntry(options.installDir));
    try {
      await server.waitHealthy();
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Resolves when code-server exits by itself (with its exit code). */
  get exit(): Promise<number | null> {
    return this.exited;
  }

  private async waitHealthy(): Promise<void> {
    const deadline = Date.now() + 60_000;
    let last = 'no answer';
    while (Date.now() < deadline) {
      if (this.exitCode !== undefined)
        throw new Error(`code-server exited with ${this.exitCode} before answering /healthz`);
      try {
        const response = await fetch(`${this.origin}/healthz`, { signal: AbortSignal.timeout(2_000) });
        if (response.ok) return;
        last = `HTTP ${response.status}`;
      } catch (error) {
        last = (error as Error).message;
      }
      // A readiness probe: code-server has no event to wait on, so ask again shortly.
      await Promise.race([this.exited, new Promise((r) => setTimeout(r, 150))]);
    }
    throw new Error(`code-server did not answer ${this.origin}/healthz within 60 s (${last})`);
  }

  /** SIGTERM to the group, SIGKILL to whatever is left after a grace period (and to descendants
   *  that left the group, e.g. terminals in their own session). */
  async stop(graceMs = 3_000): Promise<void> {
    const family = descendants(this.pid);
    signalGroup(this.pid, 'SIGTERM');
    await Promise.race([this.exited, new Promise((r) => setTimeout(r, graceMs))]);
    this.killNow(family);
    process.off('exit', this.onProcessExit);
  }

  private killNow(family: number[] = descendants(this.pid)): void {
    signalGroup(this.pid, 'SIGKILL');
    for (const pid of family) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // the group is gone
  }
}

/** Every process below `root`, from /proc (Linux). */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // pid (comm) state ppid …: comm may hold spaces and parentheses, so split after the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const siblings = children.get(ppid) ?? [];
      siblings.push(Number(entry));
      children.set(ppid, siblings);
    } catch {
      // exited while we looked
    }
  }
  const found: number[] = [];
  const queue = [root];
  while (queue.length) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** Quiet, offline, reproducible workbench: no welcome page, no gallery or update checks. */
function writeUserSettings(userDataDir: string, disableWorkspaceTrust: boolean): void {
  const path = join(userDataDir, 'User', 'settings.json');
  if (existsSync(path)) return; // a persistent profile (serve mode) keeps the user's own settings
  const settings: Record<string, unknown> = {
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'chat.disableAIFeatures': true,
    'git.openRepositoryInParentFolders': 'never',
  };
  // Untrusted runs stay untrusted without a modal dialog over the workbench.
  if (!disableWorkspaceTrust) settings['security.workspace.trust.startupPrompt'] = 'never';
  writeFileSync(path, JSON.stringify(settings, null, 2) + '\n');
}
