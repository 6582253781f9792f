/**
 * One vocabulary for the two families' config names (BERT's `num_hidden_layers` is GPT-2's
 * `n_layer`), so builders, the report and the diagnosis never branch on key names.
 */
import type { Architecture, HfConfig } from '../types';

export function architectureOf(config: HfConfig): Architecture;
export function architectureOf(config: Record<string, unknown>): Architecture | undefined;
export function architectureOf(config: Record<string, unknown>): Architecture | undefined {
  const type = config.model_type;
  return type === 'bert' || type === 'gpt2' ? type : undefined;
}

export interface DropoutRates {
  /** After attention output and feed-forward (BERT: hidden_dropout_prob; GPT-2: resid_pdrop). */
  hidden: number;
  /** On attention probabilities (BERT: attention_probs_dropout_prob; GPT-2: attn_pdrop). */
  attention: number;
  /** On the summed embeddings (BERT: hidden_dropout_prob; GPT-2: embd_pdrop). */
  embedding: number;
}

export interface ModelDims {
  architecture: Architecture;
  numLayers: number;
  hiddenSize: number;
  numHeads: number;
  headSize: number;
  /** Feed-forward width (GPT-2: `n_inner`, or 4 × `n_embd` when null, as Hugging Face does). */
  intermediateSize: number;
  vocabSize: number;
  maxPositions: number;
  layerNormEps: number;
  initializerRange: number;
  dropout: DropoutRates;
  /** `gelu` (BERT, exact) or `gelu_new` (GPT-2, tanh approximation). */
  activation: string;
  /** BERT's segment embedding rows; 0 for GPT-2, which has none. */
  typeVocabSize: number;
  /** True when each position sees only itself and earlier ones: GPT-2 always, BERT with `is_decoder`. */
  causal: boolean;
  /** BERT's padding row of the word embedding (zeroed at init); null for GPT-2. */
  padTokenId: number | null;
}

const num = (config: HfConfig, key: string): number => config[key] as number;

export function dimsOf(config: HfConfig): ModelDims {
  if (config.model_type === 'bert') {
    const hiddenSize = num(config, 'hidden_size');
    const numHeads = num(config, 'num_attention_heads');
    const hiddenDropout = num(config, 'hidden_dropout_prob');
    return {
      architecture: 'bert',
      numLayers: num(config, 'num_hidden_layers'),
      hiddenSize,
      numHeads,
      headSize: hiddenSize / numHeads,
      intermediateSize: num(config, 'intermediate_size'),
      vocabSize: num(config, 'vocab_size'),
      maxPositions: num(config, 'max_position_embeddings'),
      layerNormEps: num(config, 'layer_norm_eps'),
      initializerRange: num(config, 'initializer_range'),
      dropout: {
        hidden: hiddenDropout,
        attention: num(config, 'attention_probs_dropout_prob'),
        embedding: hiddenDropout,
      },
      activation: config.hidden_act as string,
      typeVocabSize: num(config, 'type_vocab_size'),
      causal: config.is_decoder === true,
      padTokenId: (config.pad_token_id as number | null | undefined) ?? null,
    };
  }
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
    dropout: {
      hidden: num(config, 'resid_pdrop'),
      attention: num(config, 'attn_pdrop'),
      embedding: num(config, 'embd_pdrop'),
    },
    activation: config.activation_function as string,
    typeVocabSize: 0,
    causal: true,
    padTokenId: null,
  };
}
