/**
 * Config keys of the Llama family (`llama`, `mistral`, `qwen2`): Hugging Face's names, the class
 * defaults of `LlamaConfig`, `MistralConfig` and `Qwen2Config` (transformers 4.57), each key's value
 * check and what the builder does not implement yet, plus the rules between keys that Hugging Face
 * enforces or fails on.
 */
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
} from '../../config/checks';
import { isImplementedActivation, IMPLEMENTED_ACTIVATIONS } from '../blocks/activations';
import { forward, HF_ACTIVATIONS, inert, only, type ConfigKeyInfo } from '../../config/keyInfo';
import type { HfConfig } from '../../types';
import type { CrossKeyProblem } from '../architecture';

export const LLAMA_TYPES = ['llama', 'mistral', 'qwen2'] as const;
export type LlamaType = (typeof LLAMA_TYPES)[number];

export const LLAMA_LABELS: Readonly<Record<LlamaType, string>> = { llama: 'Llama', mistral: 'Mistral', qwen2: 'Qwen2' };

const ROPE_TYPES_HF = ['default', 'linear', 'dynamic', 'yarn', 'longrope', 'llama3'];
const ROPE_TYPES_BUILT = ['default', 'linear', 'llama3'];

/** `rope_scaling`'s type as Hugging Face reads it (`rope_type`, or the older `type`). */
export function ropeType(scaling: unknown): unknown {
  if (scaling === null || typeof scaling !== 'object') return undefined;
  const s = scaling as Record<string, unknown>;
  return s.rope_type ?? s.type;
}

const ropeScaling = forward(
  'rope_scaling',
  'Rotary scaling: `null`, or `{rope_type: linear, factor}` or `{rope_type: llama3, factor, low_freq_factor, high_freq_factor, original_max_position_embeddings}`.',
  {
    allowed: '`null` or an object with `rope_type`',
    example: '`null` or `{rope_type: linear, factor: 2}`',
    ok: (v) => v === null || ropeType(v) !== undefined,
  },
  (v) => {
    const type = ropeType(v);
    if (v === null || ROPE_TYPES_BUILT.includes(type as string)) return undefined;
    return ROPE_TYPES_HF.includes(type as string)
      ? `not supported yet: \`rope_scaling\` of type \`${String(type)}\`; the builder implements \`linear\` and \`llama3\``
      : `\`rope_scaling\` has an unknown type ${JSON.stringify(type)} (Hugging Face knows ${ROPE_TYPES_HF.join(', ')})`;
  },
);

const hiddenAct = forward(
  'hidden_act',
  'Activation of the gate in the SwiGLU feed-forward (`down(act(gate(x)) · up(x))`); `silu` in every released model.',
  oneOf(HF_ACTIVATIONS),
  (v) =>
    isImplementedActivation(v)
      ? undefined
      : `not supported yet: \`hidden_act: ${String(v)}\`; the builder implements ${IMPLEMENTED_ACTIVATIONS.join(', ')}`,
);

const COMMON: ConfigKeyInfo[] = [
  forward('vocab_size', 'Number of tokens in the vocabulary (rows of `embed_tokens`).', isPositiveInt),
  forward('hidden_size', 'Width of every hidden state.', isPositiveInt),
  forward('intermediate_size', 'Width of the SwiGLU feed-forward (`gate_proj`, `up_proj`).', isPositiveInt),
  forward('num_hidden_layers', 'Number of decoder layers.', isPositiveInt),
  forward('num_attention_heads', 'Query heads per layer.', isPositiveInt),
  forward(
    'num_key_value_heads',
    'Key/value heads per layer (grouped-query attention); `null` means one per query head.',
    orNull(isPositiveInt),
  ),
  forward('head_dim', 'Width of one head; `null` means `hidden_size / num_attention_heads`.', orNull(isPositiveInt)),
  hiddenAct,
  forward('max_position_embeddings', 'Longest input in tokens.', isPositiveInt),
  forward('initializer_range', 'Standard deviation of the random initial weights.', isNonNegativeNumber),
  forward('rms_norm_eps', 'Epsilon of every RMSNorm.', isPositiveNumber),
  forward('rope_theta', 'Base of the rotary position frequencies.', isPositiveNumber),
  ropeScaling,
  forward(
    'attention_dropout',
    'Dropout on attention probabilities in train mode (0 in released models: train mode is deterministic).',
    isProbability,
  ),
  forward('tie_word_embeddings', 'The LM head shares the token embedding (`lm_head` is then not stored).', isBoolean),
  forward('pad_token_id', 'Id of the padding token; its embedding row starts at zero.', orNull(isNonNegativeInt)),
  inert('bos_token_id', 'Id of the beginning-of-text token (tokenizer and generation).', isAnything),
  inert('eos_token_id', 'Id of the end-of-text token (generation).', isAnything),
];

const slidingWindow = forward(
  'sliding_window',
  'Each position attends only to itself and the `sliding_window − 1` positions before it; `null` means all earlier positions.',
  orNull(isPositiveInt),
);

const LLAMA_OWN: ConfigKeyInfo[] = [
  forward('attention_bias', 'Biases on the q, k, v and o projections.', isBoolean),
  forward('mlp_bias', 'Biases on the gate, up and down projections.', isBoolean),
  inert(
    'pretraining_tp',
    'Tensor-parallel slicing used in pre-training; the same numbers (Hugging Face 4.57 ignores it).',
    isPositiveInt,
  ),
];

const QWEN2_OWN: ConfigKeyInfo[] = [
  slidingWindow,
  forward(
    'use_sliding_window',
    'Whether `sliding_window` applies at all (Qwen2: to the layers from `max_window_layers` on).',
    isBoolean,
  ),
  forward(
    'max_window_layers',
    'First layer that uses the sliding window (when `use_sliding_window`).',
    isNonNegativeInt,
  ),
  forward(
    'layer_types',
    'Per layer `full_attention` or `sliding_attention`; `null` derives it from the two keys above.',
    orNull({
      allowed: 'a list of `full_attention` / `sliding_attention`',
      example: '`[full_attention, sliding_attention]`',
      ok: (v) => Array.isArray(v) && v.every((t) => t === 'full_attention' || t === 'sliding_attention'),
    }),
  ),
  inert(
    'use_mrope',
    'Multimodal rotary positions (Qwen2-VL).',
    isBoolean,
    only('use_mrope', false, 'multimodal rotary positions'),
  ),
];

export const LLAMA_KEYS: Readonly<Record<LlamaType, ConfigKeyInfo[]>> = {
  llama: [...COMMON, ...LLAMA_OWN],
  mistral: [...COMMON, slidingWindow],
  qwen2: [...COMMON, ...QWEN2_OWN],
};

/** What `LlamaConfig()` / `MistralConfig()` / `Qwen2Config()` hold for a key a config.json leaves out. */
export const LLAMA_DEFAULTS: Readonly<Record<LlamaType, Readonly<HfConfig>>> = {
  llama: {
    model_type: 'llama',
    vocab_size: 32000,
    hidden_size: 4096,
    intermediate_size: 11008,
    num_hidden_layers: 32,
    num_attention_heads: 32,
    num_key_value_heads: null,
    hidden_act: 'silu',
    max_position_embeddings: 2048,
    initializer_range: 0.02,
    rms_norm_eps: 1e-6,
    use_cache: true,
    pad_token_id: null,
    bos_token_id: 1,
    eos_token_id: 2,
    pretraining_tp: 1,
    tie_word_embeddings: false,
    rope_theta: 10000.0,
    rope_scaling: null,
    attention_bias: false,
    attention_dropout: 0.0,
    mlp_bias: false,
    head_dim: null,
  },
  mistral: {
    model_type: 'mistral',
    vocab_size: 32000,
    hidden_size: 4096,
    intermediate_size: 14336,
    num_hidden_layers: 32,
    num_attention_heads: 32,
    num_key_value_heads: 8,
    head_dim: null,
    hidden_act: 'silu',
    max_position_embeddings: 4096 * 32,
    initializer_range: 0.02,
    rms_norm_eps: 1e-6,
    use_cache: true,
    pad_token_id: null,
    bos_token_id: 1,
    eos_token_id: 2,
    tie_word_embeddings: false,
    rope_theta: 10000.0,
    sliding_window: 4096,
    attention_dropout: 0.0,
  },
  qwen2: {
    model_type: 'qwen2',
    vocab_size: 151936,
    hidden_size: 4096,
    intermediate_size: 22016,
    num_hidden_layers: 32,
    num_attention_heads: 32,
    num_key_value_heads: 32,
    hidden_act: 'silu',
    max_position_embeddings: 32768,
    initializer_range: 0.02,
    rms_norm_eps: 1e-6,
    use_cache: true,
    tie_word_embeddings: false,
    rope_theta: 10000.0,
    rope_scaling: null,
    use_sliding_window: false,
    sliding_window: 4096,
    max_window_layers: 28,
    layer_types: null,
    attention_dropout: 0.0,
  },
};

const num = (c: HfConfig, k: string) => c[k] as number;

/** Rules between keys (on a config with defaults filled in): what Hugging Face fails on or we cannot build. */
export function llamaCrossKeyProblems(c: HfConfig): CrossKeyProblem[] {
  const problems: CrossKeyProblem[] = [];
  const heads = num(c, 'num_attention_heads');
  const kv = (c.num_key_value_heads as number | null) ?? heads;
  if (heads % kv !== 0)
    problems.push({
      keys: ['num_key_value_heads', 'num_attention_heads'],
      message: `\`num_attention_heads\` (${heads}) must be a multiple of \`num_key_value_heads\` (${kv})`,
    });
  const headDim = (c.head_dim as number | null) ?? Math.floor(num(c, 'hidden_size') / heads);
  if (headDim % 2 !== 0 || headDim === 0)
    problems.push({
      keys: ['head_dim', 'hidden_size', 'num_attention_heads'],
      message: `the head width (\`head_dim\` ${headDim}) must be even for rotary positions`,
    });
  const pad = c.pad_token_id as number | null;
  if (pad !== null && pad >= num(c, 'vocab_size'))
    problems.push({
      keys: ['pad_token_id', 'vocab_size'],
      message: `\`pad_token_id\` (${pad}) must be below \`vocab_size\` (${num(c, 'vocab_size')})`,
    });
  problems.push(...ropeProblems(c.rope_scaling).map((message) => ({ keys: ['rope_scaling'], message })));
  if (c.model_type === 'qwen2' && Array.isArray(c.layer_types)) {
    if (c.layer_types.length !== num(c, 'num_hidden_layers'))
      problems.push({
        keys: ['layer_types', 'num_hidden_layers'],
        message: `\`layer_types\` has ${c.layer_types.length} entries for ${num(c, 'num_hidden_layers')} layers (\`num_hidden_layers\`)`,
      });
    if (c.layer_types.includes('sliding_attention') && !(c.use_sliding_window === true && c.sliding_window !== null))
      problems.push({
        keys: ['layer_types', 'use_sliding_window', 'sliding_window'],
        message:
          '`layer_types` names `sliding_attention` layers but no window applies (`use_sliding_window`, `sliding_window`)',
      });
  }
  return problems;
}

function ropeProblems(scaling: unknown): string[] {
  const type = ropeType(scaling);
  if (type !== 'linear' && type !== 'llama3') return [];
  const s = scaling as Record<string, unknown>;
  const bad = (k: string, what: string) => `\`rope_scaling.${k}\` must be ${what}, not ${JSON.stringify(s[k])}`;
  const problems: string[] = [];
  if (typeof s.factor !== 'number' || !(s.factor >= 1)) problems.push(bad('factor', 'a number of at least 1'));
  if (type === 'llama3') {
    for (const k of ['low_freq_factor', 'high_freq_factor', 'original_max_position_embeddings'])
      if (typeof s[k] !== 'number' || !((s[k] as number) > 0)) problems.push(bad(k, 'a number greater than 0'));
    if (problems.length === 0 && (s.high_freq_factor as number) <= (s.low_freq_factor as number))
      problems.push('`rope_scaling.high_freq_factor` must be greater than `low_freq_factor`');
  }
  return problems;
}
