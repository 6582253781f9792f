/**
 * The converted tokenizer on disk: `<cacheDir>/tokenizers/<family>-v<N>/{tokenizer,tokenizer_config}.json`.
 * Written once, atomically (temp file + rename), so a crash or a second process never leaves a
 * half-written file under the real name; a leftover temp file is ignored (and swept once stale).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readRegularFileSync } from '../io';
import { join } from 'node:path';
import type { BundledTokenizer } from '../types';
import { CONVERTER_VERSION, convertTokenizer, type TokenizerFiles } from './convert';

const TOKENIZER = 'tokenizer.json';
const CONFIG = 'tokenizer_config.json';
const STALE_TEMP_MS = 10 * 60_000;

export function tokenizerDir(family: BundledTokenizer, cacheDir: string): string {
  return join(cacheDir, 'tokenizers', `${family}-v${CONVERTER_VERSION}`);
}

function writeAtomic(path: string, text: string): void {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(temp, text);
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    // Another process converting at the same moment may hold the name (Windows refuses the rename):
    // its file has the same content, so that is success.
    if (!existsSync(path)) throw error;
  }
}

/** Temp files of crashed writers; a fresh one may belong to a process still writing, so only old ones go. */
function sweepStaleTemps(dir: string): void {
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.tmp')) continue;
    const path = join(dir, name);
    try {
      if (Date.now() - statSync(path).mtimeMs > STALE_TEMP_MS) rmSync(path, { force: true });
    } catch {
      // Gone already (another process swept it): nothing to do.
    }
  }
}

/** The cache folder is a path the user chose: its files are read as any user file (regular, capped). */
function readJson(path: string): unknown {
  return JSON.parse(readRegularFileSync(path, { limit: 'tokenizerJson', what: 'tokenizer file' }).toString('utf8'));
}

function readFiles(dir: string): TokenizerFiles | null {
  try {
    return {
      tokenizer: readJson(join(dir, TOKENIZER)) as TokenizerFiles['tokenizer'],
      config: readJson(join(dir, CONFIG)) as TokenizerFiles['config'],
    };
  } catch {
    return null; // missing, unreadable, not a regular file: convert again (the write replaces it by a rename)
  }
}

export interface LoadedFiles extends TokenizerFiles {
  /** True when this call converted the vocabularies and wrote the files. */
  converted: boolean;
  dir: string;
}

/** The tokenizer files from the cache, converting and writing them first if they are not there. */
export function ensureTokenizerFiles(family: BundledTokenizer, cacheDir: string): LoadedFiles {
  const dir = tokenizerDir(family, cacheDir);
  const cached = readFiles(dir);
  if (cached) return { ...cached, converted: false, dir };
  const files = convertTokenizer(family);
  mkdirSync(dir, { recursive: true });
  sweepStaleTemps(dir);
  // The config goes last: readers need both, and a present config means the tokenizer was renamed in first.
  writeAtomic(join(dir, TOKENIZER), JSON.stringify(files.tokenizer));
  writeAtomic(join(dir, CONFIG), JSON.stringify(files.config, null, 2));
  return { ...files, converted: true, dir };
}
