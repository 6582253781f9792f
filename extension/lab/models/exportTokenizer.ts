/**
 * The tokenizer files an exported folder carries, so `AutoTokenizer.from_pretrained(DIR)` works on it as
 * `AutoModel.from_pretrained(DIR)` does: a folder tokenizer's own files, copied; a shipped tokenizer as the
 * `tokenizer.json` + `tokenizer_config.json` (+ `special_tokens_map.json`) that `save_pretrained` writes for a
 * fast tokenizer, from the vocabularies the lab converts (tokenizers/convert.ts); nothing for a model without one.
 */
import { join } from 'node:path';
import { kindOfPathSync, readRegularFileSync } from '../io';
import { ensureTokenizerFiles } from '../tokenizers/files';
import type { TokenizerRef } from '../types';

/** Every file a Hugging Face tokenizer folder may hold (fast and slow), copied when present. */
const FOLDER_FILES = [
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'added_tokens.json',
  'vocab.json',
  'merges.txt',
  'vocab.txt',
  'tokenizer.model',
  'sentencepiece.bpe.model',
  'source.spm',
  'target.spm',
];

export interface ExportFile {
  name: string;
  bytes: Uint8Array | string;
}

const SPECIAL_KEYS = ['bos_token', 'eos_token', 'unk_token', 'sep_token', 'pad_token', 'cls_token', 'mask_token'];

/** The files to write for a tokenizer; empty when the model has none. */
export function tokenizerExportFiles(ref: TokenizerRef, cacheDir: string): ExportFile[] {
  switch (ref.kind) {
    case 'none':
      return [];
    case 'folder':
      return FOLDER_FILES.filter((name) => kindOfPathSync(join(ref.folder, name)) === 'file').map((name) => ({
        name,
        bytes: readRegularFileSync(join(ref.folder, name), { limit: 'tokenizerJson', what: 'tokenizer file' }),
      }));
    case 'bundled': {
      const { tokenizer, config } = ensureTokenizerFiles(ref.name, cacheDir);
      // What save_pretrained writes: the added tokens by id, and the special tokens on their own.
      const added = (tokenizer.added_tokens ?? []) as { id: number; content: string; [k: string]: unknown }[];
      const addedTokensDecoder = Object.fromEntries(added.map(({ id, ...token }) => [String(id), { ...token }]));
      const special = Object.fromEntries(
        SPECIAL_KEYS.filter((k) => typeof config[k] === 'string').map((k) => [k, config[k]]),
      );
      return [
        { name: 'tokenizer.json', bytes: JSON.stringify(tokenizer) },
        {
          name: 'tokenizer_config.json',
          bytes: JSON.stringify({ added_tokens_decoder: addedTokensDecoder, ...config }, null, 2) + '\n',
        },
        { name: 'special_tokens_map.json', bytes: JSON.stringify(special, null, 2) + '\n' },
      ];
    }
  }
}
