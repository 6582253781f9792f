/**
 * VS Code's command line, as @vscode/test-electron's runTests (or a person) passes it, reduced to
 * what the launcher needs. Flags VS Code knows but code-server has no use for (`--no-sandbox`,
 * `--disable-updates`, `--skip-welcome`, …) are accepted and ignored.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';

export interface LaunchRequest {
  extensionDevelopmentPath?: string;
  extensionTestsPath?: string;
  /** Folder to open (`?folder=`). */
  folder?: string;
  /** `.code-workspace` file to open (`?workspace=`). */
  workspaceFile?: string;
  /** File to open in an editor (payload `openFile`). */
  file?: string;
  userDataDir?: string;
  extensionsDir?: string;
  disableWorkspaceTrust: boolean;
  /** Serve mode only: the port to listen on. */
  port?: number;
}

/** VS Code options that take a value (`--name value` or `--name=value`). */
const valueOptions = new Set([
  'extensionDevelopmentPath',
  'extensionTestsPath',
  'user-data-dir',
  'extensions-dir',
  'port',
  'locale',
  'log',
  'profile',
  'folder-uri',
  'file-uri',
  'extensionDevelopmentKind',
  'inspect-extensions',
  'inspect-brk-extensions',
  'enable-proposed-api',
  'sync',
  'crash-reporter-directory',
]);

export function parseArgs(argv: readonly string[], cwd = process.cwd()): LaunchRequest {
  const request: LaunchRequest = { disableWorkspaceTrust: false };
  const developmentPaths: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('-')) {
      openPath(request, resolve(cwd, arg));
      continue;
    }
    const [flag, inlineValue] = splitFlag(arg);
    let value = inlineValue;
    if (value === undefined && valueOptions.has(flag)) {
      value = argv[++i];
      if (value === undefined) throw new Error(`--${flag} needs a value`);
    }
    switch (flag) {
      case 'extensionDevelopmentPath':
        developmentPaths.push(resolve(cwd, value!));
        break;
      case 'extensionTestsPath':
        request.extensionTestsPath = resolve(cwd, value!);
        break;
      case 'user-data-dir':
        request.userDataDir = resolve(cwd, value!);
        break;
      case 'extensions-dir':
        request.extensionsDir = resolve(cwd, value!);
        break;
      case 'disable-workspace-trust':
        request.disableWorkspaceTrust = true;
        break;
      case 'port':
        request.port = parsePort(value!);
        break;
      default:
        break; // VS Code flags code-server has no use for
    }
  }
  // The web workbench reads its payload into a Map: a second development path would replace the first.
  if (developmentPaths.length > 1) {
    throw new Error(
      `code-server loads one --extensionDevelopmentPath, got ${developmentPaths.length}: ${developmentPaths.join(', ')}`,
    );
  }
  request.extensionDevelopmentPath = developmentPaths[0];
  return request;
}

function splitFlag(arg: string): [string, string | undefined] {
  const name = arg.replace(/^--?/, '');
  const eq = name.indexOf('=');
  return eq < 0 ? [name, undefined] : [name.slice(0, eq), name.slice(eq + 1)];
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`--port ${value}: not a port`);
  return port;
}

function openPath(request: LaunchRequest, path: string): void {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch {
    throw new Error(`cannot open ${path}: it does not exist`);
  }
  if (isDirectory) {
    if (request.folder) throw new Error(`code-server opens one folder, got ${request.folder} and ${path}`);
    request.folder = path;
  } else if (path.endsWith('.code-workspace')) {
    request.workspaceFile = path;
  } else {
    if (request.file) throw new Error(`the launcher opens one file, got ${request.file} and ${path}`);
    request.file = path;
  }
}
