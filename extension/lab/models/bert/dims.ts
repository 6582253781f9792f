/** The numbers a BERT model is built from, read from a config with the class defaults filled in. */
import type { HfConfig } from '../../types';
import type { ModelShape } from '../architecture';

export interface BertDims {
  architecture: 'bert';
  numLayers: number;
  hiddenSize: number;
  numHeads: number;
  headSize: number;
  intermediateSize: number;
  vocabSize: number;
  maxPositions: number;
  /** Rows of the segment embedding. */
  typeVocabSize: number;
  layerNormEps: number;
  initializerRange: number;
  /** The padding row of the word embedding (zeroed at init). */
  padTokenId: number | null;
}

const num = (config: HfConfig, key: string): number => config[key] as number;

export function bertDims(config: HfConfig): BertDims {
  const hiddenSize = num(config, 'hidden_size');
  const numHeads = num(config, 'num_attention_heads');
  return {
    architecture: 'bert',
    numLayers: num(config, 'num_hidden_layers'),
    hiddenSize,
    numHeads,
    headSize: hiddenSize / numHeads,
    intermediateSize: num(config, 'intermediate_size'),
    vocabSize: num(config, 'vocab_size'),
    maxPositions: num(config, 'max_position_embeddings'),
    typeVocabSize: num(config, 'type_vocab_size'),
    layerNormEps: num(config, 'layer_norm_eps'),
    initializerRange: num(config, 'initializer_range'),
    padTokenId: (config.pad_token_id as number | null | undefined) ?? null,
  };
}

export function bertShape(d: BertDims): ModelShape {
  return {
    stacks: [
      {
        name: 'model',
        layers: d.numLayers,
        hiddenSize: d.hiddenSize,
        heads: d.numHeads,
        kvHeads: d.numHeads,
        headDim: d.headSize,
        intermediateSize: d.intermediateSize,
      },
    ],
    vocabSize: d.vocabSize,
    lmHeadVocab: 0,
    maxPositions: d.maxPositions,
  };
}
