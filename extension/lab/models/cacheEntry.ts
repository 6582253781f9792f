/**
 * One model cache entry on disk and how it is trusted. A build records the size and sha256 of every file
 * in `meta.json`, written last; before an entry is used its files are checked against that record — sizes
 * always, hashes once per process per file (about 0.3–1 s for a bert-base entry; remembered by the file's
 * stat identity, so a warm runner does not hash again). An entry that fails (bytes overwritten, a file
 * truncated or missing, no `meta.json`) is moved aside as `.damaged-<key>-<time>-<pid>-<random>` in one rename —
 * so no process ever sees it half-deleted — and the caller rebuilds it. Leftovers (build folders of dead
 * processes, damaged entries) are swept by later builds.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileIdentity, type CheckpointFileContent } from './checkpointHash';
import { sha256OfFile, type FileDigest } from './fileHash';
import { CancelledError } from '../cancel';

export const ENTRY_FILES = ['model.onnx', 'model.safetensors'] as const;

export interface EntryMeta {
  key: string;
  builder: number;
  architecture: string;
  parameters: number;
  weights: string | null;
  seed: number | null;
  checkpoint: CheckpointFileContent[] | null;
  files: Record<(typeof ENTRY_FILES)[number], FileDigest>;
}

/** Files verified by this process: path → stat identity and the hash it was checked against. */
const verified = new Map<string, string>();

/**
 * Remembers that `path` holds what `digest` records (it was just written and hashed, or just checked),
 * under the stat identity it had before it was read: a write while it was read makes the next check hash again.
 */
export function markVerified(path: string, digest: FileDigest, identity = fileIdentity(path)): void {
  verified.set(path, `${identity} ${digest.sha256}`);
}

/**
 * Whether the entry's files are still exactly what this process checked (same inode, size, mtime, ctime):
 * onnxruntime maps the weights file into an open session, so a write to it would change a warm model.
 */
export function stillAsVerified(dir: string): boolean {
  return ENTRY_FILES.every((name) => {
    const path = join(dir, name);
    try {
      return verified.get(path)?.startsWith(`${fileIdentity(path)} `) ?? false;
    } catch {
      return false;
    }
  });
}

/** Far more than any meta.json we write (a few hundred bytes). */
const MAX_META_BYTES = 64 * 1024;

function readMeta(dir: string): EntryMeta | string {
  const path = join(dir, 'meta.json');
  let text: string;
  try {
    // Checked first: reading a FIFO or a device put in its place would never end.
    const s = statSync(path);
    if (!s.isFile()) return 'meta.json is not a regular file';
    if (s.size > MAX_META_BYTES) return `meta.json is ${s.size} bytes, far more than a build writes`;
    text = readFileSync(path, 'utf8');
  } catch {
    return 'meta.json is missing';
  }
  let meta: Partial<EntryMeta>;
  try {
    meta = JSON.parse(text) as Partial<EntryMeta>;
  } catch {
    return 'meta.json is not valid JSON';
  }
  const files = meta.files as Record<string, Partial<FileDigest>> | undefined;
  if (
    typeof files !== 'object' ||
    files === null ||
    !ENTRY_FILES.every((f) => Number.isSafeInteger(files[f]?.size) && typeof files[f]?.sha256 === 'string')
  )
    return 'meta.json records no file sizes and hashes (an older version built it)';
  return meta as EntryMeta;
}

/**
 * What is wrong with the entry's structure — its meta.json, its files' presence and sizes — found without
 * reading the files (cheap); or the meta.json to check their content against.
 */
export function structureDamage(dir: string, key: string): { damage: string } | { meta: EntryMeta } {
  const meta = readMeta(dir);
  if (typeof meta === 'string') return { damage: meta };
  if (meta.key !== key) return { damage: `meta.json names another entry (${String(meta.key).slice(0, 80)})` };
  for (const name of ENTRY_FILES) {
    const path = join(dir, name);
    const recorded = meta.files[name];
    try {
      const s = statSync(path);
      if (!s.isFile()) return { damage: `${name} is not a regular file` };
      if (s.size !== recorded.size) return { damage: `${name} is ${s.size} bytes; the build wrote ${recorded.size}` };
    } catch {
      return { damage: `${name} is missing` };
    }
  }
  return { meta };
}

/**
 * Whether the entry's files hold the bytes its build wrote: each file hashed once per process (then
 * remembered by its stat identity). The hashes start before this returns — the weights on a worker
 * thread — so the caller can open the model on this thread meanwhile.
 */
export function contentDamage(dir: string, meta: EntryMeta, signal?: AbortSignal): Promise<string | null> {
  const checks = ENTRY_FILES.map((name) => {
    const path = join(dir, name);
    const recorded = meta.files[name];
    let identity: string;
    try {
      identity = fileIdentity(path);
    } catch {
      return Promise.resolve(`${name} is missing`);
    }
    if (verified.get(path) === `${identity} ${recorded.sha256}`) return Promise.resolve(null);
    return sha256OfFile(path, signal).then(
      (actual) => {
        if (actual.sha256 !== recorded.sha256 || actual.size !== recorded.size)
          return `${name} no longer holds the bytes its build wrote (sha256 differs)`;
        markVerified(path, actual, identity);
        return null;
      },
      (e: unknown) => {
        // Removed or replaced while it was checked: damage too. A cancel stays a cancel.
        if (e instanceof CancelledError) throw e;
        return `${name} could not be read (${(e as Error).message})`;
      },
    );
  });
  return Promise.all(checks).then((found) => found.find((d) => d !== null) ?? null);
}

/**
 * What is wrong with the entry in `dir`, or null when every file is what its build wrote. Damage is any
 * reason not to use it; a missing folder is not damage (the caller checks that first).
 */
export async function damageOf(dir: string, key: string, signal?: AbortSignal): Promise<string | null> {
  const structure = structureDamage(dir, key);
  return 'damage' in structure ? structure.damage : contentDamage(dir, structure.meta, signal);
}

/**
 * Moves a damaged entry out of its key's place in one rename and returns its new name, or null if it was
 * gone already (another process moved it). Throws, saying what to do, if it can be neither moved nor removed.
 */
export function moveAside(root: string, key: string): string | null {
  const dir = join(root, key);
  const name = `.damaged-${key}-${Date.now()}-${process.pid}-${randomBytes(2).toString('hex')}`;
  try {
    renameSync(dir, join(root, name));
    return name;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    try {
      rmSync(dir, { recursive: true, force: true });
      return null;
    } catch {
      throw new Error(
        `the cached model ${dir} is damaged and cannot be moved or removed (${(e as Error).message}); delete it`,
      );
    }
  }
}

/** Build folders and damaged entries are kept this long at most (or less, once their process is gone). */
const STALE_MS = 60 * 60 * 1000;

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The newest modification inside a folder (a build in progress keeps writing into its files). */
function lastWrite(path: string): number {
  let newest = statSync(path).mtimeMs;
  for (const name of readdirSync(path)) {
    try {
      newest = Math.max(newest, statSync(join(path, name)).mtimeMs);
    } catch {
      // Removed meanwhile.
    }
  }
  return newest;
}

/**
 * Removes what dead or stale processes left: `.tmp-<key>-<pid>-<random>` build folders whose process is
 * gone (or that nobody wrote to for an hour), and `.damaged-<key>-<time>-<pid>-<random>` entries once their process
 * is gone or an hour has passed. `active` are this process's own builds in progress.
 */
export function sweepLeftovers(root: string, active: ReadonlySet<string>): void {
  for (const name of readdirSync(root)) {
    const path = join(root, name);
    const build = /^\.tmp-.+-(\d+)-[0-9a-f]+$/.exec(name);
    const damaged = /^\.damaged-.+-(\d+)-(\d+)-[0-9a-f]+$/.exec(name);
    if (!build && !damaged) continue;
    try {
      let stale: boolean;
      if (build) {
        const pid = Number(build[1]);
        stale =
          !active.has(path) && (pid === process.pid || !processAlive(pid) || Date.now() - lastWrite(path) > STALE_MS);
      } else {
        stale = !processAlive(Number(damaged![2])) || Date.now() - Number(damaged![1]) > STALE_MS;
      }
      if (stale) rmSync(path, { recursive: true, force: true });
    } catch {
      // Another process removed or renamed it first.
    }
  }
}
