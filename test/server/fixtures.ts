/** Files and ranges the language-server tests share: `.prompt` files on disk (in temp folders removed after the run) and their URIs. */
import { after } from 'node:test';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CodeLens, Diagnostic, Range } from 'vscode-languageserver';
import { freshDir, repoRoot } from '../helpers/paths';

const tempDirs: string[] = [];
after(() => tempDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

export function tempDir(): string {
  const dir = freshDir('plab-server-');
  tempDirs.push(dir);
  return dir;
}

export const range = (line: number, start: number, endLine: number, end: number): Range => ({
  start: { line, character: start },
  end: { line: endLine, character: end },
});
export const lineOf = (lens: CodeLens) => lens.range.start.line;
export const messageOf = (d: Diagnostic) => (typeof d.message === 'string' ? d.message : d.message.value);

/** A `.prompt` file on disk (the parser resolves relative paths against it) and its URI. */
export function promptFile(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return pathToFileURL(path).href;
}

const seedPath = join(repoRoot(), 'examples', 'encoder-vs-decoder.prompt');
export const SEED_TEXT = readFileSync(seedPath, 'utf8');

/** A copy of the seed experiment in `dir`. */
export function seedUri(dir: string): string {
  const path = join(dir, 'encoder-vs-decoder.prompt');
  copyFileSync(seedPath, path);
  return pathToFileURL(path).href;
}
