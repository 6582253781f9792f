/**
 * `--out FILE` of `states`: written beside its final name and renamed into place, so an interrupted
 * run never leaves half a JSON under the real name. Only a regular file (or nothing) may be there: a
 * FIFO would block the write until some reader came, a device would take the bytes, a folder is not a file.
 */
import { randomBytes } from 'node:crypto';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UserFileError, kindOfPathSync, shownPath } from '../lab/io';
import { UsageError } from './args';

/** Refuses an `--out` that is not a regular file or a new name; called before the work, and again before the write. */
export function checkOutputFile(path: string): void {
  try {
    if (kindOfPathSync(path) === 'folder')
      throw new UsageError(`--out ${shownPath(path)} is a folder; give the path of a .json file`);
  } catch (error) {
    if (!(error instanceof UserFileError)) throw error;
    const hint = error.problem === 'not-a-regular-file' ? '; leave out --out to write to standard output' : '';
    throw new UsageError(`--out: ${error.message}${hint}`);
  }
}

export function writeOutputFile(path: string, text: string): void {
  checkOutputFile(path);
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.partial`);
  try {
    writeFileSync(temp, text, { flag: 'wx' });
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}
