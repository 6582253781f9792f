/**
 * Content hashes of large files (a model's weights, a user's checkpoint): read in chunks off the event
 * loop's thread pool, so a cancel is heard between two chunks and the runner keeps answering meanwhile.
 */
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { throwIfCancelled } from '../cancel';

const CHUNK = 4 * 1024 * 1024;

export interface FileDigest {
  size: number;
  sha256: string;
}

/** Thrown when the path is not a regular file (a FIFO or a device would never end). */
export class NotARegularFileError extends Error {}

export async function sha256OfFile(path: string, signal?: AbortSignal): Promise<FileDigest> {
  // Non-blocking open: a FIFO put in a file's place must not hold us (or a thread of the pool) forever.
  const file = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stat = await file.stat();
    if (!stat.isFile()) throw new NotARegularFileError(`${path} is not a regular file`);
    const hash = createHash('sha256');
    const buffer = Buffer.allocUnsafe(CHUNK);
    let size = 0;
    // Up to the size it had when opened: a file that keeps growing cannot keep us reading (callers compare
    // the file's identity before and after, so a change while reading is noticed anyway).
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
