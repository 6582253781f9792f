/**
 * Reading the few small files the Hub code opens itself (the token file, a snapshot's `config.json`, a sharded
 * index): only regular files, under a size cap, never blocking. Written on plain `fs` so it can later switch to
 * the engine's shared safe-read module without changing its callers.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

export type SmallFileProblem = 'not a regular file' | 'too large' | 'changed while read' | 'unreadable';

export class SmallFileError extends Error {
  constructor(
    readonly path: string,
    readonly problem: SmallFileProblem,
    detail: string,
  ) {
    super(`${path}: ${problem}${detail ? ` (${detail})` : ''}`);
  }
}

// O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever. Windows has no such flag.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/** The file's bytes, `undefined` when it does not exist; a FIFO, device, folder or oversized file throws. */
export function readSmallRegularFile(path: string, maxBytes: number): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    if (code === 'EISDIR') throw new SmallFileError(path, 'not a regular file', 'a folder');
    throw new SmallFileError(path, 'unreadable', code ?? (e as Error).message);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new SmallFileError(path, 'not a regular file', '');
    if (stat.size > maxBytes) throw new SmallFileError(path, 'too large', `${stat.size} bytes, at most ${maxBytes}`);
    const out = Buffer.alloc(stat.size);
    let done = 0;
    while (done < out.length) {
      const n = readSync(fd, out, done, out.length - done, done);
      // A file truncated while we read it ends here instead of looping on zero-byte reads.
      if (n === 0) throw new SmallFileError(path, 'changed while read', `${done} of ${out.length} bytes`);
      done += n;
    }
    return out;
  } finally {
    closeSync(fd);
  }
}
