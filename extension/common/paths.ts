/**
 * Path rules every Node side shares (engine, runner, language server, host: nothing here imports vscode or
 * the engine). Each function takes the path flavour to use — `node:path` itself by default, `path.win32` or
 * `path.posix` in tests — so the Windows rules are tested on any machine: drive letters in either case, `\`
 * and `/` alike, UNC shares, `%3A`-encoded drive colons in VS Code's `file:` URIs.
 */
import * as nodePath from 'node:path';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** `path.posix` or `path.win32` (or `node:path`, which is one of them). */
export type PathFlavor = typeof nodePath.posix;

function isWindows(path: PathFlavor): boolean {
  return path.sep === '\\';
}

/**
 * The file a `file:` URI names, in the flavour's form (`file:///c%3A/Users/me/a.prompt` → `c:\Users\me\a.prompt`,
 * `file://server/share/a.prompt` → `\\server\share\a.prompt`); undefined for any other scheme (`untitled:`, …)
 * and for a URI that names no file on that platform (a host on POSIX, a relative Windows path).
 */
export function fileOfUri(uri: string, path: PathFlavor = nodePath): string | undefined {
  if (!/^file:/i.test(uri)) return undefined;
  try {
    return fileURLToPath(uri, { windows: isWindows(path) });
  } catch {
    return undefined;
  }
}

/**
 * True when `child` is `parent` or lies below it, compared after normalisation: `..` and `.` resolved, on
 * Windows without regard to case and with either separator, another drive or UNC share never inside. Lexical
 * only — a link inside `parent` may lead out of it: use `isRealPathInside` where that matters. Relative paths
 * resolve against the current directory.
 */
export function isPathInside(parent: string, child: string, path: PathFlavor = nodePath): boolean {
  const relative = path.relative(path.resolve(parent), path.resolve(child));
  if (relative === '') return true;
  // `..` alone or as the first segment leaves parent; `..x` is a name inside it.
  const leaves = relative === '..' || relative.startsWith('..' + path.sep);
  return !leaves && !path.isAbsolute(relative);
}

/** What resolving links needs: `fs.realpathSync.native` by default (it also gives Windows' canonical case). */
export interface RealPaths {
  /** The canonical path of an existing file or folder; throws when it does not exist. */
  realpath(path: string): string;
}

const nodeRealPaths: RealPaths = { realpath: (p) => realpathSync.native(p) };

/**
 * The canonical path: links resolved (and, on Windows and macOS, the case the file system stores). A path
 * that does not exist yet keeps its missing tail below its nearest existing ancestor's canonical path.
 */
export function canonicalPath(target: string, fs: RealPaths = nodeRealPaths, path: PathFlavor = nodePath): string {
  const missing: string[] = [];
  let current = path.resolve(target);
  for (;;) {
    try {
      return path.join(fs.realpath(current), ...missing);
    } catch {
      const up = path.dirname(current);
      if (up === current) return path.resolve(target);
      missing.unshift(path.basename(current));
      current = up;
    }
  }
}

/** `isPathInside` on canonical paths: a link inside `parent` that leads out is outside, and the reverse. */
export function isRealPathInside(
  parent: string,
  child: string,
  fs: RealPaths = nodeRealPaths,
  path: PathFlavor = nodePath,
): boolean {
  return isPathInside(canonicalPath(parent, fs, path), canonicalPath(child, fs, path), path);
}

/** Where a report exported from `a.prompt` goes by default: `a.report.json` beside it (`.prompt` in any case). */
export function reportPathOf(promptFile: string, path: PathFlavor = nodePath): string {
  const { dir, name, ext } = path.parse(promptFile);
  const stem = ext.toLowerCase() === '.prompt' ? name : name + ext;
  return path.join(dir, `${stem}.report.json`);
}
