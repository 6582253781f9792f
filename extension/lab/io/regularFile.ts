/**
 * The one way the lab opens a file a user named (config.json, an index, safetensors, a .prompt file):
 * only regular files are read. A `stat` first refuses FIFOs, devices, sockets and folders without opening
 * them (opening some devices has effects); the open uses O_NONBLOCK, so a FIFO swapped in meanwhile cannot
 * block it, and `fstat` on the open descriptor decides. A size cap bounds memory; a read that ends early
 * (the file shrank while read) is an error, never a silent zero or an endless loop.
 */
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { SIZE_LIMITS, formatBytes, type SizeLimitName } from './limits';
import { UserFileError, fromFsError, kindInWords, shownPath } from './userFileError';

/** Read-only, never waiting for a FIFO's writer, never becoming a terminal's controlling process. */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);
const CHUNK = 64 * 1024;

export type PathKind = 'file' | 'folder' | 'missing';

export interface ReadOptions {
  /** Which cap applies (SIZE_LIMITS), or a number of bytes. */
  limit: SizeLimitName | number;
  /** What the file is, for messages: "config file", "weights file". */
  what?: string;
}

function capOf(limit: ReadOptions['limit']): number {
  return typeof limit === 'number' ? limit : SIZE_LIMITS[limit];
}

function rethrow(error: unknown, path: string, what?: string): never {
  throw fromFsError(error, path, what);
}

function refuseNonRegular(stats: Stats, path: string, what = 'file'): void {
  if (stats.isFile()) return;
  if (stats.isDirectory())
    throw new UserFileError('is-a-folder', `${shownPath(path)} is a folder, not a ${what}`, path);
  throw new UserFileError(
    'not-a-regular-file',
    `${shownPath(path)} is ${kindInWords(stats)}, not a regular file: only regular files are read`,
    path,
  );
}

function refuseTooLarge(size: number, cap: number, path: string, what = 'file', whileReading = false): void {
  if (size <= cap) return;
  let [shown, limit] = [formatBytes(size), formatBytes(cap)];
  if (shown === limit) [shown, limit] = [`${size} bytes`, `${cap} bytes`];
  throw new UserFileError(
    'file-too-large',
    whileReading
      ? `${shownPath(path)} holds more than ${limit}, the most a ${what} may be`
      : `${shownPath(path)} is ${shown}; a ${what} may be at most ${limit}`,
    path,
  );
}

function kindFromStats(stats: Stats | undefined, path: string): PathKind {
  if (!stats) return 'missing';
  if (stats.isDirectory()) return 'folder';
  refuseNonRegular(stats, path);
  return 'file';
}

/** What is at a path (symbolic links followed): a regular file, a folder, or nothing. Anything else throws. */
export async function kindOfPath(path: string): Promise<PathKind> {
  try {
    return kindFromStats(await stat(path), path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    if (error instanceof UserFileError) throw error;
    return rethrow(error, path);
  }
}

export function kindOfPathSync(path: string): PathKind {
  try {
    return kindFromStats(statSync(path, { throwIfNoEntry: false }), path);
  } catch (error) {
    if (error instanceof UserFileError) throw error;
    return rethrow(error, path);
  }
}

/** A regular file's bytes, at most the cap. */
export async function readRegularFile(path: string, options: ReadOptions): Promise<Buffer> {
  const cap = capOf(options.limit);
  // A stat before the open keeps devices from being opened at all (opening some has effects).
  refuseNonRegular(await stat(path).catch((e: unknown) => rethrow(e, path, options.what)), path, options.what);
  const handle = await open(path, OPEN_FLAGS).catch((e: unknown) => rethrow(e, path, options.what));
  try {
    const stats = await handle.stat();
    refuseNonRegular(stats, path, options.what);
    refuseTooLarge(stats.size, cap, path, options.what);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      // Read past the size fstat gave: files under /proc report 0 and still have content.
      const chunk = Buffer.alloc(Math.min(CHUNK, cap + 1 - total));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, total);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      total += bytesRead;
      refuseTooLarge(total, cap, path, options.what, true);
    }
    refuseShortRead(total, stats.size, path);
    return Buffer.concat(chunks, total);
  } catch (error) {
    if (error instanceof UserFileError) throw error;
    return rethrow(error, path, options.what);
  } finally {
    await handle.close();
  }
}

export function readRegularFileSync(path: string, options: ReadOptions): Buffer {
  const file = openRegularFileSync(path, options);
  try {
    const cap = capOf(options.limit);
    refuseTooLarge(file.size, cap, path, options.what);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.alloc(Math.min(CHUNK, cap + 1 - total));
      const bytesRead = readSync(file.fd, chunk, 0, chunk.length, total);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      total += bytesRead;
      refuseTooLarge(total, cap, path, options.what, true);
    }
    refuseShortRead(total, file.size, path);
    return Buffer.concat(chunks, total);
  } finally {
    closeSync(file.fd);
  }
}

function refuseShortRead(got: number, expected: number, path: string): void {
  if (got < expected)
    throw new UserFileError(
      'file-truncated',
      `${shownPath(path)} ended after ${formatBytes(got)} of ${formatBytes(expected)}: it changed while it was read`,
      path,
    );
}

export interface OpenFile {
  fd: number;
  /** The size fstat gave at the open. */
  size: number;
  path: string;
}

/** Opens a regular file for reading by position (safetensors); the caller closes `fd`. */
export function openRegularFileSync(path: string, options: Pick<ReadOptions, 'what'> = {}): OpenFile {
  let fd: number;
  try {
    refuseNonRegular(statSync(path), path, options.what);
    fd = openSync(path, OPEN_FLAGS);
  } catch (error) {
    if (error instanceof UserFileError) throw error;
    return rethrow(error, path, options.what);
  }
  try {
    const stats = fstatSync(fd);
    refuseNonRegular(stats, path, options.what);
    return { fd, size: stats.size, path };
  } catch (error) {
    closeSync(fd);
    if (error instanceof UserFileError) throw error;
    return rethrow(error, path, options.what);
  }
}

export interface AsyncOpenFile {
  size: number;
  path: string;
  /** Fills `buffer` from `position`; a file that ends first is an error. */
  readExactly(buffer: Uint8Array, position: number): Promise<void>;
}

/** Opens a regular file, runs `use` on it, closes it (safetensors headers, read by position). */
export async function withRegularFile<T>(
  path: string,
  options: Pick<ReadOptions, 'what'>,
  use: (file: AsyncOpenFile) => Promise<T>,
): Promise<T> {
  refuseNonRegular(await stat(path).catch((e: unknown) => rethrow(e, path, options.what)), path, options.what);
  const handle = await open(path, OPEN_FLAGS).catch((e: unknown) => rethrow(e, path, options.what));
  try {
    const stats = await handle.stat();
    refuseNonRegular(stats, path, options.what);
    return await use({
      size: stats.size,
      path,
      readExactly: async (buffer, position) => {
        let done = 0;
        while (done < buffer.length) {
          const { bytesRead } = await handle.read(buffer, done, buffer.length - done, position + done);
          if (bytesRead === 0) throw truncated(path, position, done, buffer.length);
          done += bytesRead;
        }
      },
    });
  } catch (error) {
    if (error instanceof UserFileError) throw error;
    return rethrow(error, path, options.what);
  } finally {
    await handle.close();
  }
}

function truncated(path: string, position: number, done: number, length: number): UserFileError {
  return new UserFileError(
    'file-truncated',
    `${shownPath(path)} ended at byte ${position + done}, before the ${formatBytes(length)} it should hold from byte ${position}: it is truncated or changed while it was read`,
    path,
  );
}

/** Fills `buffer` from `position`; a file that ends first is an error (readSync returning 0 would loop forever). */
export function readExactlySync(file: OpenFile, buffer: Uint8Array, position: number): void {
  let done = 0;
  while (done < buffer.length) {
    let n: number;
    try {
      n = readSync(file.fd, buffer, done, buffer.length - done, position + done);
    } catch (error) {
      return rethrow(error, file.path);
    }
    if (n === 0) throw truncated(file.path, position, done, buffer.length);
    done += n;
  }
}
