/**
 * Which Hugging Face config keys each architecture has, and what this tool does with them.
 * Three classes, so nothing is ever silently ignored:
 *  - `forward`: changes the forward pass, and the builder implements it;
 *  - `inert`: real config files carry it, but it does not change hidden states (accepted as is);
 *  - a key of either class may refuse some values with `unsupported` (Hugging Face accepts
 *    them, the builder does not implement them) → error "not supported yet".
 * A key in no table is not a key of that architecture → error, with a close-match suggestion.
 */
import type { Architecture } from '../types';
import {
  isAnything,
  isBoolean,
  isNonNegativeInt,
  isNonNegativeNumber,
  isPositiveInt,
  isPositiveNumber,
  isProbability,
  oneOf,
  orNull,
  type ValueCheck,
} from './checks';

export interface ConfigKeyInfo {
  key: string;
  /** One line for hover and completion. */
  doc: string;
  affectsForward: boolean;
  check: ValueCheck;
  /** The "not supported yet" message for a value the builder does not implement, else undefined. */
  unsupported?: (value: unknown) => string | undefined;
}

/** The activations Hugging Face's ACT2FN knows, to tell "not implemented" from "not a thing". */
const HF_ACTIVATIONS = [
  'gelu',
  'gelu_10',
  'gelu_accurate',
  'gelu_fast',
  'gelu_new',
  'gelu_python',
  'gelu_pytorch_tanh',
  'laplace',
  'leaky_relu',
  'linear',
  'mish',
  'prelu',
  'quick_gelu',
  'relu',
  'relu2',
  'relu6',
  'sigmoid',
  'silu',
  'swish',
  'tanh',
];

function key(
  key: string,
  doc: string,
  affectsForward: boolean,
  check: ValueCheck,
  unsupported?: ConfigKeyInfo['unsupported'],
): ConfigKeyInfo {
  return { key, doc, affectsForward, check, unsupported };
}

const forward = (k: string, doc: string, check: ValueCheck, unsupported?: ConfigKeyInfo['unsupported']) =>
  key(k, doc, true, check, unsupported);
const inert = (k: string, doc: string, check: ValueCheck = isAnything, unsupported?: ConfigKeyInfo['unsupported']) =>
  key(k, doc, false, check, unsupported);

/** Refuse every value but `expected`, naming what the other value would need. */
function only(name: string, expected: unknown, what: string): ConfigKeyInfo['unsupported'] {
  return (v) =>
    v === expected
      ? undefined
      : `not supported yet: \`${name}: ${String(v)}\` (${what}); the builder implements \`${name}: ${String(expected)}\` only`;
}

/** Keys every Hugging Face config may carry (PretrainedConfig and generation settings): none changes hidden states. */
const COMMON_INERT: ConfigKeyInfo[] = [
  inert('architectures', 'The model classes the checkpoint was saved from (informational).'),
  inert('transformers_version', 'The transformers version that wrote the file (informational).'),
  inert('_name_or_path', 'Where Hugging Face loaded the config from (informational).'),
  inert('dtype', 'The dtype the weights were saved in; the engine computes in float32.'),
  inert('torch_dtype', 'Older name of `dtype`; the engine computes in float32.'),
  inert('use_bfloat16', 'Legacy dtype flag (ignored: the engine computes in float32).'),
  inert('use_cache', 'Whether generation reuses past keys and values; does not change hidden states.', isBoolean),
  inert('return_dict', 'Output format of the PyTorch model; does not change numbers.', isBoolean),
  inert('output_hidden_states', 'The engine always returns every hidden state.', isBoolean),
  inert('output_attentions', 'The engine always returns every attention map.', isBoolean),
  inert('torchscript', 'PyTorch export flag; does not change numbers.', isBoolean),
  inert(
    'chunk_size_feed_forward',
    'Feed-forward chunking saves memory in PyTorch; results are the same.',
    isNonNegativeInt,
  ),
  inert('gradient_checkpointing', 'Training-memory switch; does not change numbers.', isBoolean),
  inert('output_past', 'Legacy generation flag.', isBoolean),
  inert('xla_device', 'Legacy TPU flag.'),
  inert('_attn_implementation', 'eager/sdpa attention in PyTorch; the same numbers within float rounding.'),
  inert('attn_implementation', 'eager/sdpa attention in PyTorch; the same numbers within float rounding.'),
  inert('tie_encoder_decoder', 'Only for encoder-decoder models.', isBoolean),
  inert('cross_attention_hidden_size', 'Only used with cross-attention.'),
  inert('finetuning_task', 'Name of a fine-tuning task (informational).'),
  inert('id2label', 'Label names of a classification head.'),
  inert('label2id', 'Label ids of a classification head.'),
  inert('num_labels', 'Size of a classification head (the engine builds none).'),
  inert('problem_type', 'Loss type of a classification head.'),
  inert('tokenizer_class', 'Tokenizer class name (the tokenizer follows the architecture).'),
  inert('prefix', 'Generation prompt prefix.'),
  inert('task_specific_params', 'Per-task generation settings.'),
  inert('sep_token_id', 'Id of the separator token (generation and tokenizers).'),
  inert('decoder_start_token_id', 'Only for encoder-decoder generation.'),
  inert('forced_bos_token_id', 'Generation setting.'),
  inert('forced_eos_token_id', 'Generation setting.'),
  ...[
    'max_length',
    'min_length',
    'do_sample',
    'early_stopping',
    'num_beams',
    'num_beam_groups',
    'diversity_penalty',
    'temperature',
    'top_k',
    'top_p',
    'typical_p',
    'repetition_penalty',
    'length_penalty',
    'no_repeat_ngram_size',
    'encoder_no_repeat_ngram_size',
    'bad_words_ids',
    'num_return_sequences',
    'output_scores',
    'return_dict_in_generate',
    'remove_invalid_values',
    'exponential_decay_length_penalty',
    'suppress_tokens',
    'begin_suppress_tokens',
  ].map((k) => inert(k, 'Generation setting; does not change hidden states.')),
  inert(
    'add_cross_attention',
    'Cross-attention layers for encoder-decoder use (not built).',
    isBoolean,
    only('add_cross_attention', false, 'cross-attention layers'),
  ),
  inert(
    'is_encoder_decoder',
    'Encoder-decoder models (not built).',
    isBoolean,
    only('is_encoder_decoder', false, 'encoder-decoder models'),
  ),
  inert('pruned_heads', 'Attention heads removed from a checkpoint.', isAnything, (v) =>
    v === null || (typeof v === 'object' && Object.keys(v as object).length === 0)
      ? undefined
      : 'not supported yet: `pruned_heads` (checkpoints with pruned attention heads)',
  ),
  inert(
    'quantization_config',
    'Quantized checkpoints.',
    isAnything,
    () => 'not supported yet: `quantization_config` (quantized checkpoints)',
  ),
];

const BERT_KEYS: ConfigKeyInfo[] = [
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

const GPT2_KEYS: ConfigKeyInfo[] = [
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

function table(own: ConfigKeyInfo[]): ReadonlyMap<string, ConfigKeyInfo> {
  const map = new Map<string, ConfigKeyInfo>();
  for (const info of [...COMMON_INERT, ...own]) map.set(info.key, info); // an architecture's own entry wins
  return map;
}

export const CONFIG_KEYS: Readonly<Record<Architecture, ReadonlyMap<string, ConfigKeyInfo>>> = {
  bert: table(BERT_KEYS),
  gpt2: table(GPT2_KEYS),
};

/** Keys that exist in one family under another name: the suggestion to make when one is used in the other. */
export const CROSS_FAMILY_NAMES: Readonly<Record<Architecture, Readonly<Record<string, string>>>> = {
  bert: {
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
  },
  gpt2: {
    num_hidden_layers: 'n_layer',
    hidden_size: 'n_embd',
    num_attention_heads: 'n_head',
    max_position_embeddings: 'n_positions',
    intermediate_size: 'n_inner',
    hidden_act: 'activation_function',
    hidden_dropout_prob: 'resid_pdrop',
    attention_probs_dropout_prob: 'attn_pdrop',
    layer_norm_eps: 'layer_norm_epsilon',
  },
};

/** Keys an architecture refuses outright, with the reason (GPT-2 is causal by construction). */
export const REFUSED_KEYS: Readonly<Record<Architecture, Readonly<Record<string, string>>>> = {
  bert: {},
  gpt2: {
    is_decoder:
      'GPT-2 has no `is_decoder`: it is always causal (every position attends only to itself and earlier ones)',
  },
};

export const ARCHITECTURE_LABEL: Readonly<Record<Architecture, string>> = { bert: 'BERT', gpt2: 'GPT-2' };

/** Every key of an architecture with its doc, for completion and hover. */
export function configKeysOf(architecture: Architecture): ConfigKeyInfo[] {
  return [...CONFIG_KEYS[architecture].values()];
}
