/**
 * How a config key is described, and the keys every Hugging Face config may carry. Three classes, so
 * nothing is ever silently ignored:
 *  - `forward`: changes the forward pass, and the builder implements it;
 *  - `inert`: real config files carry it, but it does not change hidden states (accepted as is);
 *  - a key of either class may refuse some values with `unsupported` (Hugging Face accepts them, the
 *    builder does not implement them) → error "not supported yet".
 * A key in no table is not a key of that architecture → error, with a close-match suggestion.
 * Each architecture's own keys live in its module (`models/<family>/config.ts`); `configKeys.ts` joins them.
 */
import { isAnything, isBoolean, isNonNegativeInt, type ValueCheck } from './checks';

export interface ConfigKeyInfo {
  key: string;
  /** One line for hover and completion. */
  doc: string;
  affectsForward: boolean;
  check: ValueCheck;
  /** The "not supported yet" message for a value the builder does not implement, else undefined. */
  unsupported?: (value: unknown) => string | undefined;
}

export const forward = (
  key: string,
  doc: string,
  check: ValueCheck,
  unsupported?: ConfigKeyInfo['unsupported'],
): ConfigKeyInfo => ({ key, doc, affectsForward: true, check, unsupported });

export const inert = (
  key: string,
  doc: string,
  check: ValueCheck = isAnything,
  unsupported?: ConfigKeyInfo['unsupported'],
): ConfigKeyInfo => ({ key, doc, affectsForward: false, check, unsupported });

/** Refuses every value but `expected`, naming what the other value would need. */
export function only(name: string, expected: unknown, what: string): ConfigKeyInfo['unsupported'] {
  return (v) =>
    v === expected
      ? undefined
      : `not supported yet: \`${name}: ${String(v)}\` (${what}); the builder implements \`${name}: ${String(expected)}\` only`;
}

/** The names Hugging Face's ACT2FN knows (transformers 4.57), to tell "not implemented" from "not a thing". */
export const HF_ACTIVATIONS = [
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
  'xielu',
];

/** A key table from a list; a later entry of the same key wins (an architecture's own over the common one). */
export function keyTable(...lists: readonly ConfigKeyInfo[][]): ReadonlyMap<string, ConfigKeyInfo> {
  const map = new Map<string, ConfigKeyInfo>();
  for (const info of lists.flat()) map.set(info.key, info);
  return map;
}

/** Keys every Hugging Face config may carry (PretrainedConfig and generation settings): none changes hidden states. */
export const COMMON_KEYS: ConfigKeyInfo[] = [
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
  inert('decoder_start_token_id', 'The first decoder input of encoder-decoder generation.'),
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
    'Whether the model is an encoder-decoder: `false` for this architecture (BART and MarianMT are).',
    isBoolean,
    only('is_encoder_decoder', false, 'this architecture has no encoder-decoder form; `bart` and `marian` do'),
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
