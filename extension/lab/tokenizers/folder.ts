/**
 * A model folder's own tokenizer: its `tokenizer.json` and `tokenizer_config.json` (special tokens,
 * added tokens, normalizer, pre-tokenizer, post-processor as the folder defines them), run by
 * transformers.js's `AutoTokenizer` from the local folder only (`local_files_only`: nothing is fetched,
 * nothing cached). Special tokens written in the text behave as in Hugging Face: Marian's `<pad>` becomes
 * the pad id (its decoder start token), where GPT-2 and BERT read `<pad>` as ordinary text.
 * The files are checked first (regular files, bounded size), so a FIFO or a device is never read.
 */
import { statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type * as Transformers from '@huggingface/transformers' with { 'resolution-mode': 'import' };
import type { LabTokenizer, EncodedText } from './index';

/** tokenizer.json of the largest vocabularies (Llama 3, Gemma) is 9–35 MB. */
export const MAX_TOKENIZER_FILE_BYTES = 64 * 1024 * 1024;

export class TokenizerFolderError extends Error {}

export interface FolderTokenizer extends LabTokenizer {
  folder: string;
  /** `tokenizer_class` of tokenizer_config.json, as transformers.js resolved it. */
  tokenizerClass: string;
  bosTokenId: number | null;
  eosTokenId: number | null;
}

function checkFile(folder: string, name: string): void {
  const path = join(folder, name);
  let size: number;
  try {
    const s = statSync(path);
    if (!s.isFile()) throw new TokenizerFolderError(`${path} is not a regular file`);
    size = s.size;
  } catch (e) {
    if (e instanceof TokenizerFolderError) throw e;
    throw new TokenizerFolderError(
      `${folder} has no ${name}: a folder tokenizer needs tokenizer.json and tokenizer_config.json (what save_pretrained writes for a fast tokenizer)`,
    );
  }
  if (size > MAX_TOKENIZER_FILE_BYTES)
    throw new TokenizerFolderError(`${path} is ${size} bytes, more than the ${MAX_TOKENIZER_FILE_BYTES}-byte limit`);
}

class HfFolderTokenizer implements FolderTokenizer {
  readonly vocabSize: number;
  readonly tokenizerClass: string;
  readonly padTokenId: number | null;
  readonly bosTokenId: number | null;
  readonly eosTokenId: number | null;
  private readonly surfaces: string[] = [];
  private readonly specialIds: Set<number>;

  constructor(
    readonly folder: string,
    private readonly hf: Transformers.PreTrainedTokenizer,
  ) {
    for (const [token, id] of hf.get_vocab()) this.surfaces[id] = token;
    this.vocabSize = this.surfaces.length;
    this.specialIds = new Set(hf.all_special_ids);
    this.tokenizerClass = hf.constructor.name;
    const id = (x: unknown) => (typeof x === 'number' ? x : null);
    this.padTokenId = id(hf.pad_token_id);
    this.bosTokenId = id(hf.bos_token_id);
    this.eosTokenId = id(hf.eos_token_id);
  }

  get label(): string {
    return basename(this.folder);
  }

  encode(text: string, addSpecialTokens: boolean): EncodedText {
    const ids = this.hf.encode(text, { add_special_tokens: addSpecialTokens });
    for (const id of ids) this.check(id);
    return { ids, tokens: ids.map((id) => ({ id, text: this.surfaces[id], special: this.specialIds.has(id) })) };
  }

  tokenText(id: number): string {
    this.check(id);
    return this.surfaces[id];
  }

  decode(ids: number[]): string {
    if (ids.length === 0) return '';
    ids.forEach((id) => this.check(id));
    return this.hf.decode(ids, { skip_special_tokens: false, clean_up_tokenization_spaces: false });
  }

  isSpecial(id: number): boolean {
    return this.specialIds.has(id);
  }

  private check(id: number): void {
    if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize || this.surfaces[id] === undefined)
      throw new RangeError(`token id ${id} is outside the vocabulary of ${this.folder} (0..${this.vocabSize - 1})`);
  }
}

/** Opens the tokenizer of a model folder (not memoised). `cacheDir` keeps transformers.js's cache out of the extension. */
export async function openFolderTokenizer(folder: string, cacheDir: string): Promise<FolderTokenizer> {
  const dir = resolve(folder);
  checkFile(dir, 'tokenizer.json');
  checkFile(dir, 'tokenizer_config.json');
  // Required lazily, as in index.ts: transformers.js takes ~150 ms to load.
  const { AutoTokenizer, env } = require('@huggingface/transformers') as typeof Transformers;
  env.cacheDir = join(cacheDir, 'transformers');
  // An absolute path is not a Hub id, so transformers.js reads it as a folder; local_files_only forbids any fetch.
  const hf = await AutoTokenizer.from_pretrained(dir, { local_files_only: true });
  return new HfFolderTokenizer(dir, hf);
}
