/**
 * The numbers a Llama-family model is built from, read from a config with the class defaults filled in
 * (`withClassDefaults(config)` in the registry) and checked (`llamaCrossKeyProblems`).
 */
import type { Activation } from '../blocks/activations';
import type { RopeScaling } from '../blocks/rotary';
import type { HfConfig } from '../../types';
import type { ModelShape } from '../architecture';
import { ropeType, type LlamaType } from './config';

export interface LlamaDims {
  architecture: LlamaType;
  numLayers: number;
  hiddenSize: number;
  numHeads: number;
  /** Key/value heads (grouped-query attention); equal to numHeads for full multi-head attention. */
  numKvHeads: number;
  headDim: number;
  intermediateSize: number;
  vocabSize: number;
  maxPositions: number;
  rmsNormEps: number;
  initializerRange: number;
  activation: Activation;
  /** Biases on q/k/v (Llama's `attention_bias`; always for Qwen2) and on o (Llama's `attention_bias` only). */
  qkvBias: boolean;
  outputBias: boolean;
  mlpBias: boolean;
  tieWordEmbeddings: boolean;
  /** Row of the token embedding zeroed at init (`nn.Embedding(padding_idx=pad_token_id)`). */
  padTokenId: number | null;
  ropeTheta: number;
  ropeScaling: RopeScaling;
  /** Per layer: its sliding window (keys i − window < j ≤ i), or null for full causal attention. */
  layerWindows: (number | null)[];
}

const num = (c: HfConfig, k: string) => c[k] as number;

function scalingOf(raw: unknown): RopeScaling {
  const type = ropeType(raw);
  const s = raw as Record<string, number>;
  if (type === 'linear') return { type, factor: s.factor };
  if (type === 'llama3')
    return {
      type,
      factor: s.factor,
      lowFreqFactor: s.low_freq_factor,
      highFreqFactor: s.high_freq_factor,
      originalMaxPositions: s.original_max_position_embeddings,
    };
  return { type: 'default' };
}

/**
 * Sliding windows per layer, as each model class decides: Mistral applies `sliding_window` to every
 * layer; Qwen2 only when `use_sliding_window`, to the layers `layer_types` marks (by default those from
 * `max_window_layers` on); Llama has none.
 */
function windowsOf(c: HfConfig, type: LlamaType, layers: number): (number | null)[] {
  switch (type) {
    case 'llama':
      return Array<null>(layers).fill(null);
    case 'mistral':
      return Array<number | null>(layers).fill((c.sliding_window as number | null) ?? null);
    case 'qwen2': {
      const window = c.use_sliding_window === true ? ((c.sliding_window as number | null) ?? null) : null;
      const types =
        (c.layer_types as string[] | null) ??
        Array.from({ length: layers }, (_, i) =>
          window !== null && i >= num(c, 'max_window_layers') ? 'sliding_attention' : 'full_attention',
        );
      return types.map((t) => (t === 'sliding_attention' ? window : null));
    }
  }
}

export function llamaDims(c: HfConfig): LlamaDims {
  const type = c.model_type as LlamaType;
  const numHeads = num(c, 'num_attention_heads');
  const hiddenSize = num(c, 'hidden_size');
  const numLayers = num(c, 'num_hidden_layers');
  const attentionBias = type === 'llama' && c.attention_bias === true;
  return {
    architecture: type,
    numLayers,
    hiddenSize,
    numHeads,
    numKvHeads: (c.num_key_value_heads as number | null) ?? numHeads,
    headDim: (c.head_dim as number | null) ?? Math.floor(hiddenSize / numHeads),
    intermediateSize: num(c, 'intermediate_size'),
    vocabSize: num(c, 'vocab_size'),
    maxPositions: num(c, 'max_position_embeddings'),
    rmsNormEps: num(c, 'rms_norm_eps'),
    initializerRange: num(c, 'initializer_range'),
    activation: c.hidden_act as Activation,
    qkvBias: type === 'qwen2' || attentionBias,
    outputBias: attentionBias,
    mlpBias: type === 'llama' && c.mlp_bias === true,
    tieWordEmbeddings: c.tie_word_embeddings === true,
    padTokenId: (c.pad_token_id as number | null | undefined) ?? null,
    ropeTheta: num(c, 'rope_theta'),
    ropeScaling: scalingOf(c.rope_scaling),
    layerWindows: windowsOf(c, type, numLayers),
  };
}

export function llamaShape(d: LlamaDims): ModelShape {
  return {
    stacks: [
      {
        name: 'model',
        layers: d.numLayers,
        hiddenSize: d.hiddenSize,
        heads: d.numHeads,
        kvHeads: d.numKvHeads,
        headDim: d.headDim,
        intermediateSize: d.intermediateSize,
      },
    ],
    vocabSize: d.vocabSize,
    lmHeadVocab: d.vocabSize,
    maxPositions: d.maxPositions,
  };
}
