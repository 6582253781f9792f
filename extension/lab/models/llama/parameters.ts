/**
 * Parameters of `LlamaForCausalLM` / `MistralForCausalLM` / `Qwen2ForCausalLM` under Hugging Face's
 * names and shapes, with `_init_weights`' rules: Linear and Embedding ~ N(0, initializer_range²), biases 0,
 * RMSNorm weights 1, and the embedding row of `pad_token_id` 0 (`nn.Embedding(padding_idx=…)`).
 */
import { linearParameters as linear, type ParameterSpec } from '../blocks/parameters';
import type { LlamaDims } from './dims';

const rmsNorm = (name: string, size: number): ParameterSpec => ({
  name: `${name}.weight`,
  shape: [size],
  init: { kind: 'ones' },
});

export function llamaParameters(d: LlamaDims): ParameterSpec[] {
  const H = d.hiddenSize;
  const std = d.initializerRange;
  const qWidth = d.numHeads * d.headDim;
  const kvWidth = d.numKvHeads * d.headDim;
  const params: ParameterSpec[] = [
    {
      name: 'model.embed_tokens.weight',
      shape: [d.vocabSize, H],
      init: { kind: 'normal', std, zeroRow: d.padTokenId ?? undefined },
    },
  ];
  for (let i = 0; i < d.numLayers; i++) {
    const p = `model.layers.${i}`;
    params.push(
      ...linear(`${p}.self_attn.q_proj`, H, qWidth, std, d.qkvBias),
      ...linear(`${p}.self_attn.k_proj`, H, kvWidth, std, d.qkvBias),
      ...linear(`${p}.self_attn.v_proj`, H, kvWidth, std, d.qkvBias),
      ...linear(`${p}.self_attn.o_proj`, qWidth, H, std, d.outputBias),
      ...linear(`${p}.mlp.gate_proj`, H, d.intermediateSize, std, d.mlpBias),
      ...linear(`${p}.mlp.up_proj`, H, d.intermediateSize, std, d.mlpBias),
      ...linear(`${p}.mlp.down_proj`, d.intermediateSize, H, std, d.mlpBias),
      rmsNorm(`${p}.input_layernorm`, H),
      rmsNorm(`${p}.post_attention_layernorm`, H),
    );
  }
  params.push(rmsNorm('model.norm', H));
  // A tied head is the embedding itself: Hugging Face neither stores nor initialises a second matrix.
  if (!d.tieWordEmbeddings) params.push(...linear('lm_head', H, d.vocabSize, std, false));
  return params;
}

/**
 * A checkpoint tensor's name under ours: base-model checkpoints (`LlamaModel`, …) lack the `model.`
 * prefix; a tied `lm_head.weight` is another name of the embedding (read only when the embedding itself
 * is absent); old checkpoints' `rotary_emb.inv_freq` buffers and task heads (`score.`, …) are skipped.
 */
export function llamaCanonicalName(d: LlamaDims, name: string): string | null {
  if (name.endsWith('.rotary_emb.inv_freq')) return null;
  if (name === 'lm_head.weight') return d.tieWordEmbeddings ? 'model.embed_tokens.weight' : name;
  if (name.startsWith('model.')) return name;
  if (/^(embed_tokens|layers|norm)\./.test(name)) return `model.${name}`;
  return null;
}
