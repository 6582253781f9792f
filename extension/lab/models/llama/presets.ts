/**
 * Presets with the published configs of two Llama-family models, class defaults filled in for every
 * key the file leaves out (as the BERT/GPT-2 presets do). Written from those config.json files (the Hub is
 * not reachable from the build machines); the parameter counts the tests compute from them match the
 * published sizes (TinyLlama 1 100 048 384, Qwen2.5-0.5B 494 032 768).
 */
import type { HfConfig } from '../../types';
import { LLAMA_DEFAULTS } from './config';

export const LLAMA_PRESETS: Readonly<Record<string, Readonly<HfConfig>>> = {
  // https://huggingface.co/TinyLlama/TinyLlama-1.1B-Chat-v1.0/blob/main/config.json (every value below
  // is that file's; LlamaConfig's defaults fill the keys it omits: attention_dropout, mlp_bias, head_dim, pad_token_id).
  'TinyLlama/TinyLlama-1.1B-Chat-v1.0': {
    ...LLAMA_DEFAULTS.llama,
    architectures: ['LlamaForCausalLM'],
    attention_bias: false,
    bos_token_id: 1,
    eos_token_id: 2,
    hidden_act: 'silu',
    hidden_size: 2048,
    initializer_range: 0.02,
    intermediate_size: 5632,
    max_position_embeddings: 2048,
    model_type: 'llama',
    num_attention_heads: 32,
    num_hidden_layers: 22,
    num_key_value_heads: 4,
    pretraining_tp: 1,
    rms_norm_eps: 1e-5,
    rope_scaling: null,
    rope_theta: 10000.0,
    tie_word_embeddings: false,
    torch_dtype: 'bfloat16',
    transformers_version: '4.35.0',
    use_cache: true,
    vocab_size: 32000,
  },
  // https://huggingface.co/Qwen/Qwen2.5-0.5B/blob/main/config.json (every value below is that file's;
  // Qwen2Config's defaults fill rope_scaling and layer_types). `sliding_window: 32768` is inert there:
  // `use_sliding_window` is false, so every layer attends to all earlier positions.
  'Qwen/Qwen2.5-0.5B': {
    ...LLAMA_DEFAULTS.qwen2,
    architectures: ['Qwen2ForCausalLM'],
    attention_dropout: 0.0,
    bos_token_id: 151643,
    eos_token_id: 151643,
    hidden_act: 'silu',
    hidden_size: 896,
    initializer_range: 0.02,
    intermediate_size: 4864,
    max_position_embeddings: 32768,
    max_window_layers: 24,
    model_type: 'qwen2',
    num_attention_heads: 14,
    num_hidden_layers: 24,
    num_key_value_heads: 2,
    rms_norm_eps: 1e-6,
    rope_theta: 1000000.0,
    sliding_window: 32768,
    tie_word_embeddings: true,
    torch_dtype: 'bfloat16',
    transformers_version: '4.40.1',
    use_cache: true,
    use_mrope: false,
    use_sliding_window: false,
    vocab_size: 151936,
  },
};
