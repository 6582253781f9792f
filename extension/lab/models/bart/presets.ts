/**
 * Presets with the published configs of two encoder-decoders, class defaults filled in for every key the
 * file leaves out. Written from those config.json files (the Hub is not reachable from the build
 * machines); the tests compute their parameter counts from the parameter table (bart-base 139 420 416,
 * opus-mt-en-de 73 886 208 without the computed positions and the `final_logits_bias` buffer).
 */
import type { HfConfig } from '../../types';
import { SEQ2SEQ_DEFAULTS } from './config';

export const SEQ2SEQ_PRESETS: Readonly<Record<string, Readonly<HfConfig>>> = {
  // https://huggingface.co/facebook/bart-base/blob/main/config.json — the keys below are that file's (its
  // generation settings `early_stopping`, `no_repeat_ngram_size`, `num_beams`, `forced_bos_token_id` and its
  // summarization `task_specific_params` are left out: they do not change a forward pass).
  'facebook/bart-base': {
    ...SEQ2SEQ_DEFAULTS.bart,
    architectures: ['BartModel'],
    activation_dropout: 0.1,
    activation_function: 'gelu',
    add_bias_logits: false,
    add_final_layer_norm: false,
    attention_dropout: 0.1,
    bos_token_id: 0,
    classif_dropout: 0.1,
    classifier_dropout: 0.0,
    d_model: 768,
    decoder_attention_heads: 12,
    decoder_ffn_dim: 3072,
    decoder_layerdrop: 0.0,
    decoder_layers: 6,
    decoder_start_token_id: 2,
    dropout: 0.1,
    encoder_attention_heads: 12,
    encoder_ffn_dim: 3072,
    encoder_layerdrop: 0.0,
    encoder_layers: 6,
    eos_token_id: 2,
    forced_eos_token_id: 2,
    init_std: 0.02,
    is_encoder_decoder: true,
    max_position_embeddings: 1024,
    model_type: 'bart',
    normalize_before: false,
    normalize_embedding: true,
    num_hidden_layers: 6,
    pad_token_id: 1,
    scale_embedding: false,
    use_cache: true,
    vocab_size: 50265,
  },
  // https://huggingface.co/Helsinki-NLP/opus-mt-en-de/blob/main/config.json — the keys below are that
  // file's (its generation settings `bad_words_ids`, `max_length` and `num_beams` are left out).
  'Helsinki-NLP/opus-mt-en-de': {
    ...SEQ2SEQ_DEFAULTS.marian,
    architectures: ['MarianMTModel'],
    activation_dropout: 0.0,
    activation_function: 'swish',
    attention_dropout: 0.0,
    bos_token_id: 0,
    classifier_dropout: 0.0,
    d_model: 512,
    decoder_attention_heads: 8,
    decoder_ffn_dim: 2048,
    decoder_layerdrop: 0.0,
    decoder_layers: 6,
    decoder_start_token_id: 58100,
    decoder_vocab_size: 58101,
    dropout: 0.1,
    encoder_attention_heads: 8,
    encoder_ffn_dim: 2048,
    encoder_layerdrop: 0.0,
    encoder_layers: 6,
    eos_token_id: 0,
    forced_eos_token_id: 0,
    init_std: 0.02,
    is_encoder_decoder: true,
    max_position_embeddings: 512,
    model_type: 'marian',
    num_hidden_layers: 6,
    pad_token_id: 58100,
    scale_embedding: true,
    share_encoder_decoder_embeddings: true,
    static_position_embeddings: true,
    use_cache: true,
    vocab_size: 58101,
  },
};
