/**
 * The parameters of `GPT2LMHeadModel` under Hugging Face's names and layouts (Conv1D weights are
 * [in, out]), with its init rules: N(0, initializer_range²) for embeddings and Conv1D weights, biases 0,
 * LayerNorm 1 and 0, and `c_proj.weight` ~ N(0, (initializer_range / √(2·n_layer))²). The LM head is tied
 * to `wte` and not stored.
 */
import { conv1dParameters, layerNormParameters, type ParameterSpec } from '../blocks/parameters';
import type { Gpt2Dims } from './dims';

export function gpt2Parameters(d: Gpt2Dims): ParameterSpec[] {
  const H = d.hiddenSize;
  const std = d.initializerRange;
  const projStd = std / Math.sqrt(2 * d.numLayers);
  const params: ParameterSpec[] = [
    { name: 'transformer.wte.weight', shape: [d.vocabSize, H], init: { kind: 'normal', std } },
    { name: 'transformer.wpe.weight', shape: [d.maxPositions, H], init: { kind: 'normal', std } },
  ];
  for (let i = 0; i < d.numLayers; i++) {
    const p = `transformer.h.${i}`;
    params.push(
      ...layerNormParameters(`${p}.ln_1`, H),
      ...conv1dParameters(`${p}.attn.c_attn`, H, 3 * H, std),
      ...conv1dParameters(`${p}.attn.c_proj`, H, H, projStd),
      ...layerNormParameters(`${p}.ln_2`, H),
      ...conv1dParameters(`${p}.mlp.c_fc`, H, d.intermediateSize, std),
      ...conv1dParameters(`${p}.mlp.c_proj`, d.intermediateSize, H, projStd),
    );
  }
  params.push(...layerNormParameters('transformer.ln_f', H));
  return params;
}

/**
 * A checkpoint's tensor name under ours: base-model checkpoints lack `transformer.`; the tied `lm_head`
 * and old files' non-persistent `attn.bias` / `attn.masked_bias` buffers are skipped.
 */
export function gpt2CanonicalName(_d: Gpt2Dims, name: string): string | null {
  if (name === 'lm_head.weight') return null;
  const prefixed = name.startsWith('transformer.') ? name : `transformer.${name}`;
  if (/\.attn\.(bias|masked_bias)$/.test(prefixed)) return null;
  return prefixed;
}
