/** Real hostile paths for the tests: FIFOs, symbolic-link loops, over-long names, files in the way of folders. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freshDir } from './paths';

/** A real named pipe (mkfifo). Nobody ever writes to it: a reader that blocks on it hangs for good. */
export function makeFifo(dir: string, name = 'fifo.json'): string {
  const path = join(dir, name);
  execFileSync('mkfifo', [path]);
  return path;
}

/** `a → b → a`: opening either fails with ELOOP. */
export function makeLinkLoop(dir: string, name = 'loop.json'): string {
  const path = join(dir, name);
  const other = join(dir, `${name}.other`);
  symlinkSync(other, path);
  symlinkSync(path, other);
  return path;
}

/** A path with a component longer than any file system allows (ENAMETOOLONG). */
export function tooLongPath(dir: string): string {
  return join(dir, 'x'.repeat(300), 'config.json');
}

/** A folder of hostile things, made once per test process. */
export function hostileFolder(): {
  dir: string;
  fifo: string;
  loop: string;
  tooLong: string;
  fileInTheWay: string;
} {
  const dir = freshDir('plab-hostile-');
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'x.prompt'), 'not a folder');
  return {
    dir,
    fifo: makeFifo(dir),
    loop: makeLinkLoop(dir),
    tooLong: tooLongPath(dir),
    fileInTheWay: join(dir, 'x.prompt', 'config.json'),
  };
}
