/**
 * Problems with a path the user gave, as input errors with words instead of errno codes. The message
 * names the path (the user's own text) and never quotes what the file holds. Callers attach the place
 * in the prompt file (the `config:` or `weights:` value) or the command-line option.
 */
import { statSync } from 'node:fs';
import { dirname } from 'node:path';

export type UserFileProblem =
  | 'file-not-found'
  | 'not-a-regular-file'
  | 'is-a-folder'
  | 'file-too-large'
  | 'file-truncated'
  | 'no-permission'
  | 'bad-path'
  | 'not-json'
  | 'unreadable';

export class UserFileError extends Error {
  constructor(
    readonly problem: UserFileProblem,
    message: string,
    readonly path: string,
  ) {
    super(message);
    this.name = 'UserFileError';
  }
}

/** A path for a message: long ones are shortened in the middle, so a 5000-character path stays one line. */
export function shownPath(path: string): string {
  return path.length <= 160 ? path : `${path.slice(0, 80)}…${path.slice(-60)} (${path.length} characters)`;
}

/** What a non-regular file is, in words, from a Stats object. */
export function kindInWords(stats: {
  isDirectory(): boolean;
  isFIFO(): boolean;
  isSocket(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  isSymbolicLink(): boolean;
}): string {
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

/** The first ancestor of `path` that exists and is not a folder (for ENOTDIR: "x.prompt is a file, not a folder"). */
function fileInTheWay(path: string): string | undefined {
  for (let dir = dirname(path); dir !== dirname(dir); dir = dirname(dir)) {
    const stats = statSync(dir, { throwIfNoEntry: false });
    if (stats) return stats.isDirectory() ? undefined : dir;
  }
  return undefined;
}

/** An error of `fs` on a user's path → UserFileError; anything else is returned as it is (a bug, not input). */
export function fromFsError(error: unknown, path: string, what = 'file'): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const p = shownPath(path);
  switch (code) {
    case 'ENOENT':
      return new UserFileError('file-not-found', `no ${what} at ${p}`, path);
    case 'ENOTDIR': {
      const blocker = fileInTheWay(path);
      return new UserFileError(
        'bad-path',
        blocker
          ? `${shownPath(blocker)} is a file, not a folder, so there is no ${what} at ${p}`
          : `a part of ${p} is a file, not a folder`,
        path,
      );
    }
    case 'ELOOP':
      return new UserFileError('bad-path', `${p} leads into a loop of symbolic links`, path);
    case 'ENAMETOOLONG':
      return new UserFileError('bad-path', `the path ${p} is too long for the file system`, path);
    case 'EISDIR':
      return new UserFileError('is-a-folder', `${p} is a folder, not a ${what}`, path);
    case 'EACCES':
    case 'EPERM':
      return new UserFileError('no-permission', `no permission to read ${p}`, path);
    case 'EINVAL':
    case 'ERR_INVALID_ARG_VALUE': // a NUL character: no file system has such a name
      return new UserFileError('bad-path', `${JSON.stringify(p)} is not a valid path`, path);
    case 'EIO':
    case 'ENXIO':
    case 'ENODEV':
    case 'EAGAIN':
    case 'EBUSY':
    case 'EMFILE':
    case 'ENFILE':
    case 'ESTALE':
      return new UserFileError('unreadable', `cannot read ${p} (${code})`, path);
    default:
      return error;
  }
}
