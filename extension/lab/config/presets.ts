/**
 * The configs behind `config: bert-base-uncased` and `config: gpt2`: the real `config.json`
 * files of those Hugging Face repositories, with the class defaults that `from_config`
 * would fill in written out, so the resolved config says everything the builder uses.
 */
import type { Architecture, HfConfig } from '../types';

/** What `BertConfig()` / `GPT2Config()` hold when a config.json leaves a key out. */
export const CLASS_DEFAULTS: Readonly<Record<Architecture, Readonly<HfConfig>>> = {
  bert: {
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
  },
  gpt2: {
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
  },
};

export const PRESETS: Readonly<Record<string, Readonly<HfConfig>>> = {
  // https://huggingface.co/bert-base-uncased/blob/main/config.json, plus the BertConfig defaults it omits.
  'bert-base-uncased': {
    ...CLASS_DEFAULTS.bert,
    architectures: ['BertForMaskedLM'],
    gradient_checkpointing: false,
    transformers_version: '4.6.0.dev0',
  },
  // https://huggingface.co/gpt2/blob/main/config.json, plus the GPT2Config defaults it omits.
  gpt2: {
    ...CLASS_DEFAULTS.gpt2,
    architectures: ['GPT2LMHeadModel'],
    n_ctx: 1024,
    task_specific_params: { 'text-generation': { do_sample: true, max_length: 50 } },
  },
};

export const PRESET_NAMES: readonly string[] = Object.keys(PRESETS);

/** A deep copy, so a resolved spec never shares (and never mutates) a preset's objects. */
export function copyConfig(config: Readonly<HfConfig>): HfConfig {
  return structuredClone(config) as HfConfig;
}
