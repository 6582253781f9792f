/** The numbers a GPT-2 model is built from, read from a config with the class defaults filled in. */
import type { HfConfig } from '../../types';
import type { ModelShape } from '../architecture';

export interface Gpt2Dims {
  architecture: 'gpt2';
  numLayers: number;
  hiddenSize: number;
  numHeads: number;
  headSize: number;
  /** `n_inner`, or 4 × `n_embd` when null, as Hugging Face does. */
  intermediateSize: number;
  vocabSize: number;
  maxPositions: number;
  layerNormEps: number;
  initializerRange: number;
}

const num = (config: HfConfig, key: string): number => config[key] as number;

export function gpt2Dims(config: HfConfig): Gpt2Dims {
  const hiddenSize = num(config, 'n_embd');
  const numHeads = num(config, 'n_head');
  return {
    architecture: 'gpt2',
    numLayers: num(config, 'n_layer'),
    hiddenSize,
    numHeads,
    headSize: hiddenSize / numHeads,
    intermediateSize: (config.n_inner as number | null | undefined) ?? 4 * hiddenSize,
    vocabSize: num(config, 'vocab_size'),
    maxPositions: num(config, 'n_positions'),
    layerNormEps: num(config, 'layer_norm_epsilon'),
    initializerRange: num(config, 'initializer_range'),
  };
}

export function gpt2Shape(d: Gpt2Dims): ModelShape {
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
    lmHeadVocab: d.vocabSize,
    maxPositions: d.maxPositions,
  };
}
