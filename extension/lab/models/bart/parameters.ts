/**
 * Parameters of `BartForConditionalGeneration` / `MarianMTModel` under Hugging Face's names and shapes,
 * with `_init_weights`' rules: Linear and Embedding ~ N(0, init_std²), biases 0, LayerNorm weight 1 and
 * bias 0, the token embeddings' `pad_token_id` row 0, `final_logits_bias` 0. Marian's sinusoidal
 * positions are computed, not parameters; tied matrices (the LM head, the stacks' `embed_tokens` when
 * shared) are stored once, under the name `save_pretrained` keeps.
 */
import type { ParameterSpec } from '../blocks/parameters';
import { LEARNED_POSITION_OFFSET, type Seq2SeqDims } from './dims';

export const SHARED = 'model.shared.weight';

/** The stored names of the token embeddings and of the LM head's matrix. */
export function embeddingNames(d: Seq2SeqDims): { encoder: string; decoder: string; head: string } {
  const encoder = d.sharedEmbeddings ? SHARED : 'model.encoder.embed_tokens.weight';
  const decoder = d.sharedEmbeddings ? SHARED : 'model.decoder.embed_tokens.weight';
  return { encoder, decoder, head: d.tieWordEmbeddings ? decoder : 'lm_head.weight' };
}

function linear(prefix: string, inSize: number, outSize: number, std: number): ParameterSpec[] {
  return [
    { name: `${prefix}.weight`, shape: [outSize, inSize], init: { kind: 'normal', std } },
    { name: `${prefix}.bias`, shape: [outSize], init: { kind: 'zeros' } },
  ];
}

function layerNorm(prefix: string, size: number): ParameterSpec[] {
  return [
    { name: `${prefix}.weight`, shape: [size], init: { kind: 'ones' } },
    { name: `${prefix}.bias`, shape: [size], init: { kind: 'zeros' } },
  ];
}

function attention(prefix: string, d: number, std: number): ParameterSpec[] {
  return ['k_proj', 'v_proj', 'q_proj', 'out_proj'].flatMap((p) => linear(`${prefix}.${p}`, d, d, std));
}

function embedding(name: string, rows: number, d: Seq2SeqDims): ParameterSpec {
  return {
    name,
    shape: [rows, d.dModel],
    init: { kind: 'normal', std: d.initStd, zeroRow: d.padTokenId ?? undefined },
  };
}

function stack(d: Seq2SeqDims, which: 'encoder' | 'decoder'): ParameterSpec[] {
  const std = d.initStd;
  const H = d.dModel;
  const params: ParameterSpec[] = [];
  if (d.positions === 'learned')
    params.push({
      name: `model.${which}.embed_positions.weight`,
      shape: [d.maxPositions + LEARNED_POSITION_OFFSET, H],
      init: { kind: 'normal', std },
    });
  const layers = which === 'encoder' ? d.encoderLayers : d.decoderLayers;
  const ffn = which === 'encoder' ? d.encoderFfn : d.decoderFfn;
  for (let i = 0; i < layers; i++) {
    const p = `model.${which}.layers.${i}`;
    params.push(...attention(`${p}.self_attn`, H, std), ...layerNorm(`${p}.self_attn_layer_norm`, H));
    if (which === 'decoder')
      params.push(...attention(`${p}.encoder_attn`, H, std), ...layerNorm(`${p}.encoder_attn_layer_norm`, H));
    params.push(...linear(`${p}.fc1`, H, ffn, std), ...linear(`${p}.fc2`, ffn, H, std));
    params.push(...layerNorm(`${p}.final_layer_norm`, H));
  }
  if (d.layernormEmbedding) params.push(...layerNorm(`model.${which}.layernorm_embedding`, H));
  return params;
}

export function seq2seqParameters(d: Seq2SeqDims): ParameterSpec[] {
  const names = embeddingNames(d);
  const params: ParameterSpec[] = d.sharedEmbeddings
    ? [embedding(SHARED, d.vocabSize, d)]
    : [embedding(names.encoder, d.vocabSize, d), embedding(names.decoder, d.decoderVocabSize, d)];
  params.push(...stack(d, 'encoder'), ...stack(d, 'decoder'));
  if (!d.tieWordEmbeddings)
    params.push({
      name: 'lm_head.weight',
      shape: [d.decoderVocabSize, d.dModel],
      init: { kind: 'normal', std: d.initStd },
    });
  // A registered buffer of the generation class; BartModel checkpoints (facebook/bart-base) lack it and
  // Hugging Face then starts it at zeros.
  params.push({ name: 'final_logits_bias', shape: [1, d.decoderVocabSize], init: { kind: 'zeros' }, optional: true });
  return params;
}

/**
 * A checkpoint tensor's name under ours: base-model checkpoints (`BartModel`, `MarianModel`) lack `model.`;
 * tied copies (`embed_tokens` of a shared embedding, a tied `lm_head`) are other names of the matrix they
 * share (read only when it is absent); Marian's stored sinusoids are recomputed; task heads are skipped.
 */
export function seq2seqCanonicalName(d: Seq2SeqDims, name: string): string | null {
  const names = embeddingNames(d);
  if (name === 'final_logits_bias') return name;
  if (name === 'lm_head.weight') return d.tieWordEmbeddings ? names.decoder : name;
  const full = /^(shared|encoder|decoder)\./.test(name) ? `model.${name}` : name;
  if (!full.startsWith('model.')) return null;
  if (d.positions === 'sinusoidal' && /^model\.(encoder|decoder)\.embed_positions\.weight$/.test(full)) return null;
  if (d.sharedEmbeddings && /^model\.(encoder|decoder)\.embed_tokens\.weight$/.test(full)) return SHARED;
  if (!d.sharedEmbeddings && full === SHARED) return null;
  return full;
}
