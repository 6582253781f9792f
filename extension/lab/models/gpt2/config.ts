/**
 * Config keys of GPT-2 (`GPT2Config`, transformers 4.57): each key's value check and what the builder does
 * not implement yet, the class defaults, BERT's names for the same keys (for "did you mean"), the key it
 * refuses (`is_decoder`: GPT-2 is always causal), and the rule between keys.
 */
import {
  isBoolean,
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

export const GPT2_KEYS: ConfigKeyInfo[] = [
  forward('vocab_size', 'Number of tokens in the vocabulary (rows of `wte`).', isPositiveInt),
  forward('n_positions', 'Longest input in tokens (rows of `wpe`).', isPositiveInt),
  forward('n_embd', 'Width of every hidden state; must be divisible by `n_head`.', isPositiveInt),
  forward('n_layer', 'Number of decoder blocks.', isPositiveInt),
  forward('n_head', 'Attention heads per block.', isPositiveInt),
  forward('n_inner', 'Width of the feed-forward layer; `null` means 4 × `n_embd`.', orNull(isPositiveInt)),
  forward(
    'activation_function',
    'Feed-forward activation; the builder implements `gelu_new` (tanh approximation).',
    oneOf(HF_ACTIVATIONS),
    only('activation_function', 'gelu_new', 'a different activation function'),
  ),
  forward('resid_pdrop', 'Dropout on attention and feed-forward outputs (train mode).', isProbability),
  forward('embd_pdrop', 'Dropout on the embeddings (train mode).', isProbability),
  forward('attn_pdrop', 'Dropout on attention probabilities (train mode).', isProbability),
  forward('layer_norm_epsilon', 'Epsilon of every LayerNorm.', isPositiveNumber),
  forward('initializer_range', 'Standard deviation of the random initial weights.', isNonNegativeNumber),
  forward(
    'scale_attn_weights',
    'Divide attention scores by √(head size); the builder implements `true`.',
    isBoolean,
    only('scale_attn_weights', true, 'unscaled attention scores'),
  ),
  forward(
    'scale_attn_by_inverse_layer_idx',
    'Also divide attention scores by the layer number.',
    isBoolean,
    only('scale_attn_by_inverse_layer_idx', false, 'attention scaled by the layer number'),
  ),
  forward(
    'reorder_and_upcast_attn',
    'Compute attention in float32 with reordered scaling (a mixed-precision switch).',
    isBoolean,
    only('reorder_and_upcast_attn', false, 'reordered, upcast attention'),
  ),
  inert(
    'tie_word_embeddings',
    'The LM head shares the word embedding `wte`; the builder implements `true`.',
    isBoolean,
    only('tie_word_embeddings', true, 'an LM head separate from `wte`'),
  ),
  inert('n_ctx', 'Legacy copy of `n_positions` (Hugging Face ignores it).', isPositiveInt),
  inert('summary_type', 'Sequence-summary head (double-heads model only).'),
  inert('summary_use_proj', 'Sequence-summary head (double-heads model only).'),
  inert('summary_activation', 'Sequence-summary head (double-heads model only).'),
  inert('summary_proj_to_labels', 'Sequence-summary head (double-heads model only).'),
  inert('summary_first_dropout', 'Sequence-summary head (double-heads model only).'),
  inert('bos_token_id', 'Id of <|endoftext|> as the start of a text (generation).'),
  inert('eos_token_id', 'Id of <|endoftext|> as the end of a text (generation).'),
  inert('pad_token_id', 'GPT-2 has no pad token; used by generation only.'),
];

/** What `GPT2Config()` holds when a config.json leaves a key out. */
export const GPT2_DEFAULTS: Readonly<HfConfig> = {
  model_type: 'gpt2',
  vocab_size: 50257,
  n_positions: 1024,
  n_embd: 768,
  n_layer: 12,
  n_head: 12,
  n_inner: null,
  activation_function: 'gelu_new',
  resid_pdrop: 0.1,
  embd_pdrop: 0.1,
  attn_pdrop: 0.1,
  layer_norm_epsilon: 1e-5,
  initializer_range: 0.02,
  summary_type: 'cls_index',
  summary_use_proj: true,
  summary_activation: null,
  summary_proj_to_labels: true,
  summary_first_dropout: 0.1,
  scale_attn_weights: true,
  use_cache: true,
  bos_token_id: 50256,
  eos_token_id: 50256,
  scale_attn_by_inverse_layer_idx: false,
  reorder_and_upcast_attn: false,
};

/** BERT's names of GPT-2's keys: the suggestion to make when one is written for a GPT-2 model. */
export const GPT2_KEY_ALIASES: Readonly<Record<string, string>> = {
  num_hidden_layers: 'n_layer',
  hidden_size: 'n_embd',
  num_attention_heads: 'n_head',
  max_position_embeddings: 'n_positions',
  intermediate_size: 'n_inner',
  hidden_act: 'activation_function',
  hidden_dropout_prob: 'resid_pdrop',
  attention_probs_dropout_prob: 'attn_pdrop',
  layer_norm_eps: 'layer_norm_epsilon',
};

export const GPT2_REFUSED_KEYS: Readonly<Record<string, string>> = {
  is_decoder: 'GPT-2 has no `is_decoder`: it is always causal (every position attends only to itself and earlier ones)',
};

export function gpt2CrossKeyProblems(config: HfConfig): CrossKeyProblem[] {
  const hidden = config.n_embd as number;
  const heads = config.n_head as number;
  if (hidden % heads === 0) return [];
  return [
    {
      keys: ['n_head', 'n_embd'],
      message: `\`n_embd\` (${hidden}) must be divisible by \`n_head\` (${heads}): every head gets an equal slice of the hidden state`,
    },
  ];
}
