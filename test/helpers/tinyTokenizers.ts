/**
 * Tokenizer files in the shape `save_pretrained` writes for GPT-2 and BERT (a byte-level BPE `GPT2Tokenizer`
 * and an uncased WordPiece `BertTokenizer`), with vocabularies small enough for the tiny fixture models of
 * `../shared/fixtures/hf-reference/` (vocab_size 99). Served as the repos `gpt2` and `bert-base-uncased` by the
 * loopback Hub, they let the seed's real setup (`examples/pretrained.prompt`) run end to end without the
 * network: the structure is the real tokenizers', only the vocabularies are small.
 */
import { bertPostProcessor } from '../../extension/lab/tokenizers/convert';
import { folderFiles } from './hubServer';
import { referenceFolder } from './hfReference';

/** Words the tests' prompts use; every other word is spelt out letter by letter (WordPiece) or by merges. */
const WORDS = ['pad', 'ich', 'will', 'ein', 'das', 'the', 'cat', 'sat', 'on', 'mat', 'dog', 'rug'];
const LETTERS = [...'abcdefghijklmnopqrstuvwxyz'];

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value, null, 2));
}

const special = (id: number, content: string) => ({
  id,
  content,
  single_word: false,
  lstrip: false,
  rstrip: false,
  normalized: false,
  special: true,
});

/** A byte-level BPE tokenizer as GPT-2's (`Ġ` marks a leading space), 98 entries + `<|endoftext|>` = 99. */
export function tinyGpt2Tokenizer(): Map<string, Buffer> {
  const vocab = new Map<string, number>();
  const add = (t: string) => {
    if (!vocab.has(t)) vocab.set(t, vocab.size);
  };
  for (const c of ['<', '>', '.', ',', 'Ġ', ...LETTERS, 'I', 'T', 'D']) add(c);
  const merges: string[] = [];
  const merge = (a: string, b: string) => {
    if (!merges.includes(`${a} ${b}`)) merges.push(`${a} ${b}`);
    add(a + b);
  };
  // Each word as a chain of merges, with and without the leading space (`Ġwill`, `will`).
  for (const word of ['pad', 'Ich', 'will', 'ein', 'das', 'the', 'The', 'cat', 'sat', 'on', 'mat', 'dog', 'rug']) {
    for (const start of ['', 'Ġ']) {
      if (start === '' && word !== 'pad') continue;
      let piece = start + word[0];
      if (start) merge(start, word[0]);
      for (const c of word.slice(1)) {
        merge(piece, c);
        piece += c;
      }
    }
  }
  if (vocab.size > 98) throw new Error(`tiny GPT-2 vocabulary has ${vocab.size} entries, more than 98`);
  const eos = vocab.size;
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [special(eos, '<|endoftext|>')],
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
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
      vocab: Object.fromEntries(vocab),
      merges,
    },
  };
  const config = {
    add_prefix_space: false,
    bos_token: '<|endoftext|>',
    eos_token: '<|endoftext|>',
    unk_token: '<|endoftext|>',
    model_max_length: 64,
    tokenizer_class: 'GPT2Tokenizer',
  };
  return new Map([
    ['tokenizer.json', json(tokenizer)],
    ['tokenizer_config.json', json(config)],
  ]);
}

/** An uncased WordPiece tokenizer as bert-base-uncased's: `[CLS] … [SEP]`, `##` continuations, [PAD] = 0. */
export function tinyBertTokenizer(): Map<string, Buffer> {
  const specials = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
  const pieces = [...specials, '<', '>', '.', ',', ...LETTERS, ...LETTERS.map((l) => `##${l}`), ...WORDS];
  if (pieces.length > 99) throw new Error(`tiny BERT vocabulary has ${pieces.length} entries, more than 99`);
  const vocab = Object.fromEntries(pieces.map((p, i) => [p, i]));
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specials.map((s, i) => special(i, s)),
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: bertPostProcessor(vocab['[CLS]'], vocab['[SEP]']),
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab,
    },
  };
  const config = {
    cls_token: '[CLS]',
    do_lower_case: true,
    mask_token: '[MASK]',
    model_max_length: 64,
    pad_token: '[PAD]',
    sep_token: '[SEP]',
    strip_accents: null,
    tokenize_chinese_chars: true,
    tokenizer_class: 'BertTokenizer',
    unk_token: '[UNK]',
  };
  return new Map([
    ['tokenizer.json', json(tokenizer)],
    ['tokenizer_config.json', json(config)],
  ]);
}

/**
 * A tiny fixture model (`gpt2`, `bert`, `bert-causal`) with the matching tiny tokenizer: the files of a repo as
 * `save_pretrained` would leave them for the model and its tokenizer.
 */
export function tinyRepoFiles(fixture: 'gpt2' | 'bert' | 'bert-causal'): Map<string, Buffer> {
  const files = folderFiles(referenceFolder(fixture));
  for (const [name, content] of fixture === 'gpt2' ? tinyGpt2Tokenizer() : tinyBertTokenizer())
    files.set(name, content);
  return files;
}
