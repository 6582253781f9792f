/**
 * Config keys of the encoder-decoders `bart` and `marian`: Hugging Face's names, the class defaults of
 * `BartConfig` and `MarianConfig` (transformers 4.57), value checks, what the builder does not implement,
 * and the rules between keys. Keys that older config files carry but Hugging Face's current classes ignore
 * (`normalize_before`, `add_final_layer_norm`, `static_position_embeddings`, …) are inert: the model is
 * post-LayerNorm whatever they say.
 */
import {
  isAnything,
  isBoolean,
  isNonNegativeInt,
  isNonNegativeNumber,
  isPositiveInt,
  isProbability,
  oneOf,
  orNull,
} from '../../config/checks';
import { IMPLEMENTED_ACTIVATIONS, isImplementedActivation } from '../blocks/activations';
import { forward, HF_ACTIVATIONS, inert, only, type ConfigKeyInfo } from '../../config/keyInfo';
import type { HfConfig } from '../../types';
import type { CrossKeyProblem } from '../architecture';

export const SEQ2SEQ_TYPES = ['bart', 'marian'] as const;
export type Seq2SeqType = (typeof SEQ2SEQ_TYPES)[number];

export const SEQ2SEQ_LABELS: Readonly<Record<Seq2SeqType, string>> = { bart: 'BART', marian: 'MarianMT' };

const layerdrop = (k: string) =>
  forward(
    k,
    'Probability of skipping a whole layer in train mode.',
    isProbability,
    only(k, 0, 'layers skipped at random in train mode'),
  );

const legacy = (k: string) =>
  inert(k, 'A key of older config files that Hugging Face’s current classes ignore.', isAnything);

const COMMON: ConfigKeyInfo[] = [
  forward('vocab_size', 'Number of tokens in the vocabulary (rows of the shared embedding).', isPositiveInt),
  forward('d_model', 'Width of every hidden state.', isPositiveInt),
  forward('encoder_layers', 'Number of encoder layers.', isPositiveInt),
  forward('decoder_layers', 'Number of decoder layers.', isPositiveInt),
  forward('encoder_attention_heads', 'Attention heads per encoder layer.', isPositiveInt),
  forward('decoder_attention_heads', 'Attention heads per decoder layer (self- and cross-attention).', isPositiveInt),
  forward('encoder_ffn_dim', 'Width of the encoder feed-forward layer.', isPositiveInt),
  forward('decoder_ffn_dim', 'Width of the decoder feed-forward layer.', isPositiveInt),
  forward(
    'activation_function',
    'Feed-forward activation (`gelu` for BART, `swish` for Marian).',
    oneOf(HF_ACTIVATIONS),
    (v) =>
      isImplementedActivation(v)
        ? undefined
        : `not supported yet: \`activation_function: ${String(v)}\`; the builder implements ${IMPLEMENTED_ACTIVATIONS.join(', ')}`,
  ),
  forward(
    'dropout',
    'Dropout after embeddings, attention outputs and feed-forward outputs (train mode).',
    isProbability,
  ),
  forward('attention_dropout', 'Dropout on attention probabilities (train mode).', isProbability),
  forward('activation_dropout', 'Dropout after the feed-forward activation (train mode).', isProbability),
  forward('max_position_embeddings', 'Longest input of either stack in tokens.', isPositiveInt),
  forward('init_std', 'Standard deviation of the random initial weights.', isNonNegativeNumber),
  forward('scale_embedding', 'Multiply token embeddings by √d_model.', isBoolean),
  forward('pad_token_id', 'Id of the padding token; its embedding row starts at zero.', orNull(isNonNegativeInt)),
  forward('tie_word_embeddings', 'The LM head shares the (decoder) token embedding.', isBoolean),
  layerdrop('encoder_layerdrop'),
  layerdrop('decoder_layerdrop'),
  forward(
    'is_encoder_decoder',
    'An encoder-decoder model (always true here).',
    isBoolean,
    only('is_encoder_decoder', true, 'these classes are encoder-decoders'),
  ),
  inert(
    'decoder_start_token_id',
    'The first decoder input `generate` feeds; a finding says so when a decoder input starts otherwise.',
    orNull(isNonNegativeInt),
  ),
  inert('bos_token_id', 'Id of the beginning-of-text token (tokenizer and generation).', isAnything),
  inert('eos_token_id', 'Id of the end-of-text token (generation).', isAnything),
  inert('num_hidden_layers', 'Copy of `encoder_layers` (Hugging Face sets it).', isPositiveInt),
  inert('classifier_dropout', 'Dropout of a classification head (not built).', isProbability),
  ...[
    'add_bias_logits',
    'add_final_layer_norm',
    'normalize_before',
    'normalize_embedding',
    'static_position_embeddings',
    'extra_pos_embeddings',
    'classif_dropout',
    '_num_labels',
    'output_past',
  ].map(legacy),
];

const MARIAN_OWN: ConfigKeyInfo[] = [
  forward(
    'decoder_vocab_size',
    'Rows of the decoder embedding and the LM head when the embeddings are not shared; `null` means `vocab_size`.',
    orNull(isPositiveInt),
  ),
  forward(
    'share_encoder_decoder_embeddings',
    'One embedding for source and target (`model.shared`); false: separate encoder and decoder embeddings.',
    isBoolean,
  ),
];

export const SEQ2SEQ_KEYS: Readonly<Record<Seq2SeqType, ConfigKeyInfo[]>> = {
  bart: COMMON,
  marian: [...COMMON, ...MARIAN_OWN],
};

/** What `BartConfig()` / `MarianConfig()` hold for a key a config.json leaves out (transformers 4.57). */
export const SEQ2SEQ_DEFAULTS: Readonly<Record<Seq2SeqType, Readonly<HfConfig>>> = {
  bart: {
    model_type: 'bart',
    vocab_size: 50265,
    max_position_embeddings: 1024,
    encoder_layers: 12,
    encoder_ffn_dim: 4096,
    encoder_attention_heads: 16,
    decoder_layers: 12,
    decoder_ffn_dim: 4096,
    decoder_attention_heads: 16,
    encoder_layerdrop: 0.0,
    decoder_layerdrop: 0.0,
    activation_function: 'gelu',
    d_model: 1024,
    dropout: 0.1,
    attention_dropout: 0.0,
    activation_dropout: 0.0,
    init_std: 0.02,
    classifier_dropout: 0.0,
    scale_embedding: false,
    use_cache: true,
    pad_token_id: 1,
    bos_token_id: 0,
    eos_token_id: 2,
    is_encoder_decoder: true,
    decoder_start_token_id: 2,
    forced_eos_token_id: 2,
    tie_word_embeddings: true,
  },
  marian: {
    model_type: 'marian',
    vocab_size: 58101,
    decoder_vocab_size: null,
    max_position_embeddings: 1024,
    encoder_layers: 12,
    encoder_ffn_dim: 4096,
    encoder_attention_heads: 16,
    decoder_layers: 12,
    decoder_ffn_dim: 4096,
    decoder_attention_heads: 16,
    encoder_layerdrop: 0.0,
    decoder_layerdrop: 0.0,
    use_cache: true,
    is_encoder_decoder: true,
    activation_function: 'gelu',
    d_model: 1024,
    dropout: 0.1,
    attention_dropout: 0.0,
    activation_dropout: 0.0,
    init_std: 0.02,
    decoder_start_token_id: 58100,
    scale_embedding: false,
    pad_token_id: 58100,
    eos_token_id: 0,
    forced_eos_token_id: 0,
    share_encoder_decoder_embeddings: true,
    tie_word_embeddings: true,
  },
};

const num = (c: HfConfig, k: string) => c[k] as number;

/** Rules between keys (on a config with defaults filled in). */
export function seq2seqCrossKeyProblems(c: HfConfig): CrossKeyProblem[] {
  const problems: CrossKeyProblem[] = [];
  const d = num(c, 'd_model');
  for (const k of ['encoder_attention_heads', 'decoder_attention_heads'])
    if (d % num(c, k) !== 0)
      problems.push({
        keys: [k, 'd_model'],
        message: `\`d_model\` (${d}) must be divisible by \`${k}\` (${num(c, k)})`,
      });
  const pad = c.pad_token_id as number | null;
  const rows = [num(c, 'vocab_size')];
  if (c.model_type === 'marian' && c.share_encoder_decoder_embeddings === false)
    rows.push((c.decoder_vocab_size as number | null) ?? num(c, 'vocab_size'));
  if (pad !== null && pad >= Math.min(...rows))
    problems.push({
      keys: ['pad_token_id', 'vocab_size'],
      message: `\`pad_token_id\` (${pad}) must be below the vocabulary size (${Math.min(...rows)})`,
    });
  return problems;
}
