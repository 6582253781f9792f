/**
 * Content hashes of large files (a model's weights, a user's checkpoint). A large file is hashed on a
 * worker thread, so this thread stays free — to answer a cancel, or to open a model while its files are
 * checked — and an abort terminates the worker at once; small files are hashed here, in chunks.
 * Only regular files are read: a FIFO or a device put in a file's place is refused, never waited on.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { CancelledError, throwIfCancelled } from '../cancel';
import { workerScript } from './workerScript';

const CHUNK = 4 * 1024 * 1024;
/** Below this a worker costs more than it saves. */
const WORKER_MIN_BYTES = 32 * 1024 * 1024;
// Non-blocking open: opening a FIFO for reading would otherwise wait for a writer.
const READ_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

export interface FileDigest {
  size: number;
  sha256: string;
}

/** Thrown when the path is not a regular file (a FIFO or a device would never end). */
export class NotARegularFileError extends Error {}

/** The digest on this thread, synchronously (a worker thread's job). */
export function sha256OfFileSync(path: string): FileDigest {
  const fd = openSync(path, READ_FLAGS);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new NotARegularFileError(`${path} is not a regular file`);
    const hash = createHash('sha256');
    const buffer = Buffer.allocUnsafe(CHUNK);
    let size = 0;
    // Up to the size it had when opened: a file that keeps growing cannot keep us reading (callers compare
    // the file's identity before and after, so a change while reading is noticed anyway).
    while (size < stat.size) {
      const read = readSync(fd, buffer, 0, Math.min(CHUNK, stat.size - size), size);
      if (read === 0) break;
      hash.update(buffer.subarray(0, read));
      size += read;
    }
    return { size, sha256: hash.digest('hex') };
  } finally {
    closeSync(fd);
  }
}

async function sha256OfFileHere(path: string, signal?: AbortSignal): Promise<FileDigest> {
  const file = await open(path, READ_FLAGS);
  try {
    const stat = await file.stat();
    if (!stat.isFile()) throw new NotARegularFileError(`${path} is not a regular file`);
    const hash = createHash('sha256');
    const buffer = Buffer.allocUnsafe(CHUNK);
    let size = 0;
    while (size < stat.size) {
      throwIfCancelled(signal);
      const { bytesRead } = await file.read(buffer, 0, Math.min(CHUNK, stat.size - size), size);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      size += bytesRead;
    }
    return { size, sha256: hash.digest('hex') };
  } finally {
    await file.close();
  }
}

function sha256OfFileInWorker(script: string, path: string, signal?: AbortSignal): Promise<FileDigest> {
  return new Promise<FileDigest>((resolve, reject) => {
    const worker = new Worker(script, { workerData: { kind: 'hash', path } });
    const onAbort = () => void worker.terminate().then(() => reject(new CancelledError()));
    signal?.addEventListener('abort', onAbort, { once: true });
    const done = () => signal?.removeEventListener('abort', onAbort);
    worker.once('message', (m: { digest?: FileDigest; notRegular?: string; error?: string }) => {
      done();
      if (m.digest) resolve(m.digest);
      else if (m.notRegular) reject(new NotARegularFileError(m.notRegular));
      else reject(new Error(m.error));
    });
    worker.once('error', (e) => {
      done();
      reject(e);
    });
    // A worker that ends without a word (it cannot, short of a crash) must not leave the caller waiting.
    worker.once('exit', (code) => {
      done();
      reject(new Error(`the hashing worker exited with code ${code}`));
    });
  });
}

/** The digest of a file; a large one on a worker thread, started before this returns. */
export function sha256OfFile(path: string, signal?: AbortSignal): Promise<FileDigest> {
  if (signal?.aborted) return Promise.reject(new CancelledError());
  const script = workerScript();
  let large = false;
  try {
    const s = statSync(path);
    large = s.isFile() && s.size >= WORKER_MIN_BYTES;
  } catch {
    // Missing: reading it here reports that.
  }
  return script && large ? sha256OfFileInWorker(script, path, signal) : sha256OfFileHere(path, signal);
}
