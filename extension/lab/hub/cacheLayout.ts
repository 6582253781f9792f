/**
 * One repo's folder in Hugging Face's cache, laid out exactly as Python's `huggingface_hub` writes it, so the
 * two share it both ways:
 *
 *   models--org--name/
 *     blobs/<etag>                 file contents, named by the Hub's etag (git sha1, or sha256 for LFS files)
 *     blobs/<etag>.incomplete      a download in progress or interrupted (resumed from its size)
 *     snapshots/<commit>/<path>    relative symlinks `../../blobs/<etag>` (copies where symlinks fail: Windows)
 *     refs/<revision>              the commit a branch or tag pointed to, no newline
 *     .no_exist/<commit>/<path>    empty files marking paths known to be absent at that commit
 *
 * Nothing here appears complete before it is: blobs are renamed from `.incomplete` after verification, and a
 * snapshot entry or ref is created under a temporary name and renamed into place.
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { HubError } from './errors';
import { COMMIT_HASH, repoFolderName } from './names';
import { readSmallRegularFile, SmallFileError } from './safeRead';

function tempBeside(path: string): string {
  return `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** Writes a small file by writing a temporary file beside it and renaming it over the target. */
function writeAtomically(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = tempBeside(path);
  try {
    writeFileSync(tmp, content);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Size of a regular file (following symlinks), or `undefined` if there is none (a dangling link counts as none). */
export function regularFileSize(path: string): number | undefined {
  try {
    const s = statSync(path);
    return s.isFile() ? s.size : undefined;
  } catch {
    return undefined;
  }
}

export class RepoCache {
  readonly root: string;

  constructor(
    readonly cacheDir: string,
    readonly repoId: string,
  ) {
    this.root = join(cacheDir, repoFolderName(repoId));
  }

  blobPath(etag: string): string {
    return join(this.root, 'blobs', etag);
  }

  incompletePath(etag: string): string {
    return `${this.blobPath(etag)}.incomplete`;
  }

  snapshotDir(commit: string): string {
    return join(this.root, 'snapshots', commit);
  }

  snapshotFile(commit: string, path: string): string {
    return join(this.snapshotDir(commit), ...path.split('/'));
  }

  noExistPath(commit: string, path: string): string {
    return join(this.root, '.no_exist', commit, ...path.split('/'));
  }

  refPath(revision: string): string {
    return join(this.root, 'refs', ...revision.split('/'));
  }

  /**
   * Our lock for one blob's download, beside Python's `.locks/<repo folder>/<etag>.lock`. Python's lock is an
   * OS file lock Node cannot take; a different name keeps the two from mistaking each other's files.
   */
  lockPath(etag: string): string {
    return join(this.cacheDir, '.locks', repoFolderName(this.repoId), `${etag}.plab-lock`);
  }

  /** The commit `refs/<revision>` holds, if the cache has that ref. */
  readRef(revision: string): string | undefined {
    let bytes: Buffer | undefined;
    try {
      bytes = readSmallRegularFile(this.refPath(revision), 256);
    } catch (e) {
      if (e instanceof SmallFileError) throw new HubError('cache-error', `the cache's ref ${e.message}`);
      throw e;
    }
    if (bytes === undefined) return undefined;
    const commit = bytes.toString('utf8').trim();
    if (!COMMIT_HASH.test(commit))
      throw new HubError('cache-error', `the cache's ref ${this.refPath(revision)} does not hold a commit hash`);
    return commit;
  }

  /** Records which commit a branch or tag points to (Python writes it without a newline). */
  writeRef(revision: string, commit: string): void {
    if (revision === commit) return;
    writeAtomically(this.refPath(revision), commit);
  }

  /** Marks a path as known to be absent at a commit, as Python does after a 404 for it. */
  markAbsent(commit: string, path: string): void {
    const marker = this.noExistPath(commit, path);
    mkdirSync(dirname(marker), { recursive: true });
    writeFileSync(marker, '');
  }

  isMarkedAbsent(commit: string, path: string): boolean {
    try {
      return statSync(this.noExistPath(commit, path)).isFile();
    } catch {
      return false;
    }
  }

  /**
   * Points `snapshots/<commit>/<path>` at a complete blob: a relative symlink as Python makes, or — where the
   * file system refuses symlinks (Windows without developer mode) — a copy, as Python falls back to.
   */
  linkSnapshot(commit: string, path: string, etag: string): string {
    const target = this.snapshotFile(commit, path);
    const blob = this.blobPath(etag);
    mkdirSync(dirname(target), { recursive: true });
    const tmp = tempBeside(target);
    try {
      try {
        symlinkSync(relative(dirname(target), blob), tmp);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== 'EPERM' && code !== 'EACCES' && code !== 'ENOSYS' && code !== 'EOPNOTSUPP') throw e;
        copyFileSync(blob, tmp);
      }
      renameSync(tmp, target);
    } catch (e) {
      rmSync(tmp, { force: true });
      throw e;
    }
    return target;
  }
}
