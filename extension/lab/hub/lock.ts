/**
 * One download of a blob at a time, across processes: a lock file created with O_EXCL holding the owner's
 * host and pid, its mtime refreshed while the download runs. A waiter takes over a lock whose owner is a
 * dead process on this host, or one not refreshed for `staleMs` (a crashed owner on another host sharing the
 * cache). Without this, two processes appending to the same `.incomplete` would interleave their bytes.
 */
import {
  linkSync,
  mkdirSync,
  openSync,
  closeSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';

export interface LockOptions {
  signal?: AbortSignal;
  /** Called once when the lock is held by someone else and we start waiting. */
  onWait?: () => void;
  staleMs?: number;
  pollMs?: number;
}

export interface HeldLock {
  release(): void;
}

const REFRESH_MS = 5_000;

interface Owner {
  host: string;
  pid: number;
}

function readOwner(path: string): { owner: Owner | undefined; raw: string } | undefined {
  try {
    const raw = readFileSync(path, 'utf8');
    try {
      const o = JSON.parse(raw) as Partial<Owner>;
      return {
        owner: typeof o.host === 'string' && typeof o.pid === 'number' ? { host: o.host, pid: o.pid } : undefined,
        raw,
      };
    } catch {
      return { owner: undefined, raw };
    }
  } catch {
    return undefined;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isStale(path: string, staleMs: number): { stale: boolean; raw?: string } {
  const seen = readOwner(path);
  if (!seen) return { stale: false };
  let age: number;
  try {
    age = Date.now() - statSync(path).mtimeMs;
  } catch {
    return { stale: false };
  }
  if (seen.owner && seen.owner.host === hostname()) return { stale: !processAlive(seen.owner.pid), raw: seen.raw };
  return { stale: age > staleMs, raw: seen.raw };
}

/**
 * Removes a stale lock without removing a fresh one another waiter created meanwhile: move it aside, check
 * it is the one judged stale, and put it back if not.
 */
function breakStale(path: string, raw: string): void {
  const aside = `${path}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    renameSync(path, aside);
  } catch {
    return;
  }
  let content = '';
  try {
    content = readFileSync(aside, 'utf8');
  } catch {
    // gone: nothing to restore
  }
  if (content !== raw) {
    try {
      linkSync(aside, path);
    } catch {
      // someone holds a newer lock already; theirs wins
    }
  }
  try {
    unlinkSync(aside);
  } catch {
    // already removed
  }
}

function tryCreate(path: string): number | undefined {
  try {
    return openSync(path, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw e;
  }
}

function wait(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export async function acquireLock(path: string, options: LockOptions = {}): Promise<HeldLock> {
  mkdirSync(dirname(path), { recursive: true });
  const staleMs = options.staleMs ?? 60_000;
  let waited = false;
  for (;;) {
    if (options.signal?.aborted) throw options.signal.reason;
    const fd = tryCreate(path);
    if (fd !== undefined) {
      const me = JSON.stringify({ host: hostname(), pid: process.pid, token: randomBytes(8).toString('hex') });
      try {
        writeSync(fd, me);
      } finally {
        closeSync(fd);
      }
      const refresh = setInterval(() => {
        const now = new Date();
        try {
          utimesSync(path, now, now);
        } catch {
          // taken over as stale: the rename into place still verifies the content
        }
      }, REFRESH_MS);
      refresh.unref();
      return {
        release() {
          clearInterval(refresh);
          if (readOwner(path)?.raw === me) unlinkSync(path);
        },
      };
    }
    const { stale, raw } = isStale(path, staleMs);
    if (stale && raw !== undefined) {
      breakStale(path, raw);
      continue;
    }
    if (!waited) {
      waited = true;
      options.onWait?.();
    }
    await wait(options.pollMs ?? 200, options.signal);
  }
}
