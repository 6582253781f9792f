/**
 * Config keys of BERT (`BertConfig`, transformers 4.57): each key's value check and what the builder does
 * not implement yet, the class defaults, GPT-2's names for the same keys (for "did you mean"), and the
 * rules between keys.
 */
import {
  isBoolean,
  isNonNegativeInt,
  isNonNegativeNumber,
  isPositiveInt,
  isPositiveNumber,
  isProbability,
  oneOf,
  orNull,
} from '../../config/checks';
import { forward, HF_ACTIVATIONS, inert, only, type ConfigKeyInfo } from '../../config/keyInfo';
import type { HfConfig } from '../../types';
import type { CrossKeyProblem } from '../architecture';

export const BERT_KEYS: ConfigKeyInfo[] = [
  forward('vocab_size', 'Number of tokens in the vocabulary (rows of the word embedding).', isPositiveInt),
  forward('hidden_size', 'Width of every hidden state; must be divisible by `num_attention_heads`.', isPositiveInt),
  forward('num_hidden_layers', 'Number of encoder layers.', isPositiveInt),
  forward('num_attention_heads', 'Attention heads per layer.', isPositiveInt),
  forward('intermediate_size', 'Width of the feed-forward layer.', isPositiveInt),
  forward(
    'hidden_act',
    'Feed-forward activation; the builder implements `gelu` (exact, erf-based).',
    oneOf(HF_ACTIVATIONS),
    only('hidden_act', 'gelu', 'a different activation function'),
  ),
  forward(
    'hidden_dropout_prob',
    'Dropout after embeddings, attention output and feed-forward (train mode).',
    isProbability,
  ),
  forward('attention_probs_dropout_prob', 'Dropout on attention probabilities (train mode).', isProbability),
  forward('max_position_embeddings', 'Longest input in tokens (rows of the position embedding).', isPositiveInt),
  forward('type_vocab_size', 'Number of token types (segment embeddings).', isPositiveInt),
  forward('initializer_range', 'Standard deviation of the random initial weights.', isNonNegativeNumber),
  forward('layer_norm_eps', 'Epsilon of every LayerNorm.', isPositiveNumber),
  forward('pad_token_id', 'Id of [PAD]; its embedding row starts at zero.', orNull(isNonNegativeInt)),
  forward(
    'position_embedding_type',
    'How positions are encoded; the builder implements `absolute`.',
    oneOf(['absolute', 'relative_key', 'relative_key_query']),
    only('position_embedding_type', 'absolute', 'relative position embeddings'),
  ),
  forward('is_decoder', 'true: a causal mask, so each position attends only to itself and earlier ones.', isBoolean),
  inert('classifier_dropout', 'Dropout of a classification head (the engine builds none).', orNull(isProbability)),
  inert('tie_word_embeddings', 'Ties an LM head to the word embedding (the BERT builder has no LM head).', isBoolean),
  inert('bos_token_id', 'Generation setting.'),
  inert('eos_token_id', 'Generation setting.'),
];

/** What `BertConfig()` holds when a config.json leaves a key out. */
export const BERT_DEFAULTS: Readonly<HfConfig> = {
  model_type: 'bert',
  vocab_size: 30522,
  hidden_size: 768,
  num_hidden_layers: 12,
  num_attention_heads: 12,
  intermediate_size: 3072,
  hidden_act: 'gelu',
  hidden_dropout_prob: 0.1,
  attention_probs_dropout_prob: 0.1,
  max_position_embeddings: 512,
  type_vocab_size: 2,
  initializer_range: 0.02,
  layer_norm_eps: 1e-12,
  pad_token_id: 0,
  position_embedding_type: 'absolute',
  use_cache: true,
  classifier_dropout: null,
  is_decoder: false,
  add_cross_attention: false,
};

/** GPT-2's names of BERT's keys: the suggestion to make when one is written for a BERT model. */
export const BERT_KEY_ALIASES: Readonly<Record<string, string>> = {
  n_layer: 'num_hidden_layers',
  n_embd: 'hidden_size',
  n_head: 'num_attention_heads',
  n_positions: 'max_position_embeddings',
  n_ctx: 'max_position_embeddings',
  n_inner: 'intermediate_size',
  activation_function: 'hidden_act',
  resid_pdrop: 'hidden_dropout_prob',
  embd_pdrop: 'hidden_dropout_prob',
  attn_pdrop: 'attention_probs_dropout_prob',
  layer_norm_epsilon: 'layer_norm_eps',
};

export function bertCrossKeyProblems(config: HfConfig): CrossKeyProblem[] {
  const problems: CrossKeyProblem[] = [];
  const hidden = config.hidden_size as number;
  const heads = config.num_attention_heads as number;
  if (hidden % heads !== 0)
    problems.push({
      keys: ['num_attention_heads', 'hidden_size'],
      message: `\`hidden_size\` (${hidden}) must be divisible by \`num_attention_heads\` (${heads}): every head gets an equal slice of the hidden state`,
    });
  // BERT's pad_token_id is the padding row of the word embedding, so it must be a row.
  const pad = config.pad_token_id;
  if (typeof pad === 'number' && pad >= (config.vocab_size as number))
    problems.push({
      keys: ['pad_token_id', 'vocab_size'],
      message: `\`pad_token_id\` (${pad}) must be less than \`vocab_size\` (${String(config.vocab_size)}): it is a row of the word embedding`,
    });
  return problems;
}
