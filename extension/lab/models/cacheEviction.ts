/**
 * Keeping the model cache under its size limit: least-recently-used entries go first, and an entry that
 * any live process has open is never removed.
 *
 * Bookkeeping lives beside the entries, not in them (an entry stays a plain Hugging Face folder):
 * - `models/.last-used/<key>`: an empty file whose mtime is the entry's last use;
 * - `models/.leases/<key>@<pid>@<random>`: one file per open use of an entry, removed when the use ends
 *   (and on exit); a lease whose process is gone is stale and ignored.
 *
 * Between processes, without locks: an evicting process renames the entry aside first (atomic), then
 * looks for leases again and puts the entry back if one appeared meanwhile. A user takes a lease before
 * checking that the entry exists, so either the evictor sees the lease, or the user finds no entry and
 * builds it again. A user that opens files in the instant the entry is aside sees ENOENT and retries.
 */
import { randomBytes } from 'node:crypto';
import {
  lstatSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
  type Stats,
} from 'node:fs';
import { join } from 'node:path';

const LEASES = '.leases';
const LAST_USED = '.last-used';
/** The folders of the cache's own bookkeeping beside the entries: neither entries nor leftovers. */
export const BOOKKEEPING_FOLDERS: readonly string[] = [LEASES, LAST_USED];
const EVICTING = '.evict-';

export interface CacheEntry {
  key: string;
  dir: string;
  bytes: number;
  /** Milliseconds since the epoch. */
  lastUsed: number;
  inUse: boolean;
}

export interface CacheScan {
  /** Complete entries (folders named by their key). */
  entries: CacheEntry[];
  /** Everything in the models folder, builds in progress and damaged entries included. */
  totalBytes: number;
}

const modelsDir = (cacheDir: string) => join(cacheDir, 'models');

/** Leases this process holds, removed when it exits however it exits normally. */
const ourLeases = new Set<string>();
let exitHookInstalled = false;

/** Marks `key` as in use by this process until the returned function is called. */
export function leaseEntry(cacheDir: string, key: string): () => void {
  const dir = join(modelsDir(cacheDir), LEASES);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${key}@${process.pid}@${randomBytes(4).toString('hex')}`);
  writeFileSync(path, '');
  ourLeases.add(path);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const p of ourLeases) tryUnlink(p);
    });
  }
  touchEntry(cacheDir, key);
  return () => {
    if (ourLeases.delete(path)) tryUnlink(path);
  };
}

/** Records a use of `key` now. */
export function touchEntry(cacheDir: string, key: string): void {
  const dir = join(modelsDir(cacheDir), LAST_USED);
  const path = join(dir, key);
  const now = new Date();
  try {
    utimesSync(path, now, now);
  } catch {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path, '');
  }
}

/** Keys with a lease of a living process; stale leases are removed on the way. */
function liveLeases(cacheDir: string): Set<string> {
  const live = new Set<string>();
  const dir = join(modelsDir(cacheDir), LEASES);
  for (const name of safeList(dir)) {
    const [key, pid] = name.split('@');
    if (isAlive(Number(pid))) live.add(key);
    else tryUnlink(join(dir, name));
  }
  return live;
}

export function scanCache(cacheDir: string): CacheScan {
  const root = modelsDir(cacheDir);
  const inUse = liveLeases(cacheDir);
  const entries: CacheEntry[] = [];
  let totalBytes = 0;
  for (const name of safeList(root)) {
    if (name === LEASES || name === LAST_USED) continue;
    const dir = join(root, name);
    if (name.startsWith(EVICTING)) {
      // Left by a process that died mid-eviction: finish its work if it is gone.
      if (!isAlive(Number(name.split('-').at(-2)))) rmSync(dir, { recursive: true, force: true });
      continue;
    }
    const bytes = folderBytes(dir);
    totalBytes += bytes;
    if (name.startsWith('.') || !isComplete(dir)) continue;
    entries.push({ key: name, dir, bytes, lastUsed: lastUse(cacheDir, name, dir), inUse: inUse.has(name) });
  }
  return { entries, totalBytes };
}

export interface RoomResult {
  evicted: CacheEntry[];
  /** The models folder's size after eviction. */
  totalBytes: number;
}

/**
 * Evicts least-recently-used entries that no one uses (and are not in `keep`) until `need` more bytes fit
 * under `limit` and, when `freeDisk` is given, on the disk. Returns what it did; the caller decides whether
 * what is left is enough.
 */
export function makeRoom(
  cacheDir: string,
  need: number,
  limit: number,
  freeDisk: () => number | null = () => null,
  keep: ReadonlySet<string> = new Set(),
): RoomResult {
  const scan = scanCache(cacheDir);
  let total = scan.totalBytes;
  const evicted: CacheEntry[] = [];
  const fits = () => total + need <= limit && (freeDisk() ?? Infinity) >= need;
  const candidates = scan.entries.filter((e) => !e.inUse && !keep.has(e.key)).sort((a, b) => a.lastUsed - b.lastUsed);
  for (const entry of candidates) {
    if (fits()) break;
    if (evictEntry(cacheDir, entry)) {
      total -= entry.bytes;
      evicted.push(entry);
    }
  }
  return { evicted, totalBytes: total };
}

/** Removes one entry unless someone takes a lease on it meanwhile. True when it is gone. */
export function evictEntry(cacheDir: string, entry: CacheEntry): boolean {
  if (liveLeases(cacheDir).has(entry.key)) return false;
  const aside = join(modelsDir(cacheDir), `${EVICTING}${entry.key}-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    renameSync(entry.dir, aside);
  } catch {
    return false; // gone already, or being replaced: not ours to remove
  }
  if (liveLeases(cacheDir).has(entry.key)) {
    try {
      renameSync(aside, entry.dir);
      return false;
    } catch {
      // Rebuilt meanwhile by the process that wanted it: ours is the stale copy.
    }
  }
  rmSync(aside, { recursive: true, force: true });
  tryUnlink(join(modelsDir(cacheDir), LAST_USED, entry.key));
  return true;
}

function lastUse(cacheDir: string, key: string, dir: string): number {
  const stamp = safeStat(join(modelsDir(cacheDir), LAST_USED, key)) ?? safeStat(dir);
  return stamp?.mtimeMs ?? 0;
}

/** A finished build has its meta.json (written last, before the folder is renamed into place). */
function isComplete(dir: string): boolean {
  return safeStat(join(dir, 'meta.json'))?.isFile() ?? false;
}

/** Disk use of a folder's files (allocated blocks, so a sparse file counts what it really takes). */
function folderBytes(dir: string): number {
  const s = safeStat(dir, true);
  if (!s) return 0;
  if (!s.isDirectory()) return diskUse(s);
  let bytes = 0;
  for (const name of safeList(dir)) bytes += folderBytes(join(dir, name));
  return bytes;
}

const diskUse = (s: Stats) => (s.blocks !== undefined ? s.blocks * 512 : s.size);

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function safeStat(path: string, noFollow = false): Stats | null {
  try {
    return noFollow ? lstatSync(path) : statSync(path);
  } catch {
    return null;
  }
}

function tryUnlink(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Removed already.
  }
}

/** Whether a process exists (EPERM: it exists, owned by someone else). */
function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
