/** The numbers a graph builder needs, read once from a Hugging Face config of either family. */
import type { Architecture, HfConfig } from '../types';

export interface ArchDims {
  architecture: Architecture;
  numLayers: number;
  hiddenSize: number;
  numHeads: number;
  headSize: number;
  intermediateSize: number;
  vocabSize: number;
  maxPositions: number;
  typeVocabSize: number;
  layerNormEps: number;
  initializerRange: number;
  padTokenId: number;
  /** Dropout probabilities as the config gives them (train mode uses them; eval mode ignores them). */
  dropout: { hidden: number; attention: number; embedding: number };
}

const num = (c: HfConfig, key: string, fallback?: number): number => {
  const v = c[key];
  if (typeof v === 'number') return v;
  if (fallback !== undefined) return fallback;
  throw new Error(`internal: config has no numeric ${key}`);
};

export function archDims(config: HfConfig): ArchDims {
  if (config.model_type === 'bert') {
    const hiddenSize = num(config, 'hidden_size');
    const numHeads = num(config, 'num_attention_heads');
    const hidden = num(config, 'hidden_dropout_prob', 0.1);
    return {
      architecture: 'bert',
      numLayers: num(config, 'num_hidden_layers'),
      hiddenSize,
      numHeads,
      headSize: hiddenSize / numHeads,
      intermediateSize: num(config, 'intermediate_size'),
      vocabSize: num(config, 'vocab_size'),
      maxPositions: num(config, 'max_position_embeddings'),
      typeVocabSize: num(config, 'type_vocab_size', 2),
      layerNormEps: num(config, 'layer_norm_eps', 1e-12),
      initializerRange: num(config, 'initializer_range', 0.02),
      padTokenId: num(config, 'pad_token_id', 0),
      dropout: { hidden, attention: num(config, 'attention_probs_dropout_prob', 0.1), embedding: hidden },
    };
  }
  const hiddenSize = num(config, 'n_embd');
  const numHeads = num(config, 'n_head');
  const inner = config.n_inner;
  return {
    architecture: 'gpt2',
    numLayers: num(config, 'n_layer'),
    hiddenSize,
    numHeads,
    headSize: hiddenSize / numHeads,
    intermediateSize: typeof inner === 'number' ? inner : 4 * hiddenSize,
    vocabSize: num(config, 'vocab_size'),
    maxPositions: num(config, 'n_positions'),
    typeVocabSize: 0,
    layerNormEps: num(config, 'layer_norm_epsilon', 1e-5),
    initializerRange: num(config, 'initializer_range', 0.02),
    padTokenId: num(config, 'eos_token_id', 50256),
    dropout: { hidden: num(config, 'resid_pdrop', 0.1), attention: num(config, 'attn_pdrop', 0.1), embedding: num(config, 'embd_pdrop', 0.1) },
  };
}
