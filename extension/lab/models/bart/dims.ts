/** The numbers a BART or Marian model is built from, read from a config with the class defaults filled in. */
import type { Activation } from '../blocks/activations';
import type { HfConfig } from '../../types';
import type { ModelShape } from '../architecture';
import type { Seq2SeqType } from './config';

export interface Seq2SeqDims {
  architecture: Seq2SeqType;
  dModel: number;
  encoderLayers: number;
  decoderLayers: number;
  encoderHeads: number;
  decoderHeads: number;
  encoderFfn: number;
  decoderFfn: number;
  /** Rows of the encoder's token embedding (the shared one when shared). */
  vocabSize: number;
  /** Rows of the decoder's token embedding, of the LM head and of `final_logits_bias`. */
  decoderVocabSize: number;
  maxPositions: number;
  activation: Activation;
  initStd: number;
  /** √d_model with `scale_embedding`, else 1 (applied to token embeddings, not to the LM head). */
  embedScale: number;
  padTokenId: number | null;
  decoderStartTokenId: number | null;
  /** BART: learned, offset by 2, stored; Marian: sinusoidal, computed, not stored. */
  positions: 'learned' | 'sinusoidal';
  /** BART's LayerNorm after embeddings + positions (`layernorm_embedding`); Marian has none. */
  layernormEmbedding: boolean;
  /** One token embedding for both stacks (`model.shared`). */
  sharedEmbeddings: boolean;
  tieWordEmbeddings: boolean;
  /** nn.LayerNorm's default. */
  layerNormEps: number;
}

/** BartLearnedPositionalEmbedding's offset: rows 0 and 1 are never read. */
export const LEARNED_POSITION_OFFSET = 2;

const num = (c: HfConfig, k: string) => c[k] as number;

export function seq2seqDims(c: HfConfig): Seq2SeqDims {
  const type = c.model_type as Seq2SeqType;
  const marian = type === 'marian';
  const shared = !marian || c.share_encoder_decoder_embeddings !== false;
  const dModel = num(c, 'd_model');
  return {
    architecture: type,
    dModel,
    encoderLayers: num(c, 'encoder_layers'),
    decoderLayers: num(c, 'decoder_layers'),
    encoderHeads: num(c, 'encoder_attention_heads'),
    decoderHeads: num(c, 'decoder_attention_heads'),
    encoderFfn: num(c, 'encoder_ffn_dim'),
    decoderFfn: num(c, 'decoder_ffn_dim'),
    vocabSize: num(c, 'vocab_size'),
    decoderVocabSize: shared ? num(c, 'vocab_size') : ((c.decoder_vocab_size as number | null) ?? num(c, 'vocab_size')),
    maxPositions: num(c, 'max_position_embeddings'),
    activation: c.activation_function as Activation,
    initStd: num(c, 'init_std'),
    embedScale: c.scale_embedding === true ? Math.sqrt(dModel) : 1,
    padTokenId: (c.pad_token_id as number | null | undefined) ?? null,
    decoderStartTokenId: (c.decoder_start_token_id as number | null | undefined) ?? null,
    positions: marian ? 'sinusoidal' : 'learned',
    layernormEmbedding: !marian,
    sharedEmbeddings: shared,
    tieWordEmbeddings: c.tie_word_embeddings !== false,
    layerNormEps: 1e-5,
  };
}

export function seq2seqShape(d: Seq2SeqDims): ModelShape {
  const stack = (name: 'encoder' | 'decoder', layers: number, heads: number, ffn: number) => ({
    name,
    layers,
    hiddenSize: d.dModel,
    heads,
    kvHeads: heads,
    headDim: d.dModel / heads,
    intermediateSize: ffn,
  });
  return {
    stacks: [
      stack('encoder', d.encoderLayers, d.encoderHeads, d.encoderFfn),
      stack('decoder', d.decoderLayers, d.decoderHeads, d.decoderFfn),
    ],
    vocabSize: Math.min(d.vocabSize, d.decoderVocabSize),
    lmHeadVocab: d.decoderVocabSize,
    maxPositions: d.maxPositions,
  };
}
