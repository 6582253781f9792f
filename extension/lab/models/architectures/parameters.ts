/**
 * The parameters of each architecture under Hugging Face's names and layouts, with Hugging Face's
 * init rule for each (`_init_weights`): Linear/Conv1D/Embedding ~ N(0, initializer_range²), biases 0,
 * LayerNorm weight 1 and bias 0, BERT's padding row of the word embeddings 0, GPT-2's `c_proj.weight`
 * ~ N(0, (initializer_range / sqrt(2·n_layer))²).
 */
import type { ModelDims } from '../../config';

export type InitRule = { kind: 'normal'; std: number; zeroRow?: number } | { kind: 'zeros' } | { kind: 'ones' };

export interface ParameterSpec {
  /** Name in a Hugging Face checkpoint of the base class (BertModel / GPT2LMHeadModel). */
  name: string;
  shape: number[];
  init: InitRule;
  /** Stored in exported folders but not used by the graph (BERT's pooler). */
  unusedByGraph?: boolean;
}

export function parameterTable(d: ModelDims): ParameterSpec[] {
  return d.architecture === 'bert' ? bertParameters(d) : gpt2Parameters(d);
}

function layerNorm(prefix: string, size: number): ParameterSpec[] {
  return [
    { name: `${prefix}.weight`, shape: [size], init: { kind: 'ones' } },
    { name: `${prefix}.bias`, shape: [size], init: { kind: 'zeros' } },
  ];
}

/** A torch Linear: weight [out, in]. */
function linear(prefix: string, inSize: number, outSize: number, std: number): ParameterSpec[] {
  return [
    { name: `${prefix}.weight`, shape: [outSize, inSize], init: { kind: 'normal', std } },
    { name: `${prefix}.bias`, shape: [outSize], init: { kind: 'zeros' } },
  ];
}

/** GPT-2's Conv1D: weight [in, out]. */
function conv1d(prefix: string, inSize: number, outSize: number, std: number): ParameterSpec[] {
  return [
    { name: `${prefix}.weight`, shape: [inSize, outSize], init: { kind: 'normal', std } },
    { name: `${prefix}.bias`, shape: [outSize], init: { kind: 'zeros' } },
  ];
}

function bertParameters(d: ModelDims): ParameterSpec[] {
  const H = d.hiddenSize;
  const std = d.initializerRange;
  const params: ParameterSpec[] = [
    {
      name: 'embeddings.word_embeddings.weight',
      shape: [d.vocabSize, H],
      init: { kind: 'normal', std, zeroRow: d.padTokenId ?? undefined },
    },
    { name: 'embeddings.position_embeddings.weight', shape: [d.maxPositions, H], init: { kind: 'normal', std } },
    { name: 'embeddings.token_type_embeddings.weight', shape: [d.typeVocabSize, H], init: { kind: 'normal', std } },
    ...layerNorm('embeddings.LayerNorm', H),
  ];
  for (let i = 0; i < d.numLayers; i++) {
    const p = `encoder.layer.${i}`;
    params.push(
      ...linear(`${p}.attention.self.query`, H, H, std),
      ...linear(`${p}.attention.self.key`, H, H, std),
      ...linear(`${p}.attention.self.value`, H, H, std),
      ...linear(`${p}.attention.output.dense`, H, H, std),
      ...layerNorm(`${p}.attention.output.LayerNorm`, H),
      ...linear(`${p}.intermediate.dense`, H, d.intermediateSize, std),
      ...linear(`${p}.output.dense`, d.intermediateSize, H, std),
      ...layerNorm(`${p}.output.LayerNorm`, H),
    );
  }
  for (const p of linear('pooler.dense', H, H, std)) params.push({ ...p, unusedByGraph: true });
  return params;
}

function gpt2Parameters(d: ModelDims): ParameterSpec[] {
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
      ...layerNorm(`${p}.ln_1`, H),
      ...conv1d(`${p}.attn.c_attn`, H, 3 * H, std),
      ...conv1d(`${p}.attn.c_proj`, H, H, projStd),
      ...layerNorm(`${p}.ln_2`, H),
      ...conv1d(`${p}.mlp.c_fc`, H, d.intermediateSize, std),
      ...conv1d(`${p}.mlp.c_proj`, d.intermediateSize, H, projStd),
    );
  }
  params.push(...layerNorm('transformer.ln_f', H));
  return params;
}

/**
 * Maps a name found in a user's checkpoint to ours: BERT checkpoints of task classes carry `bert.`,
 * GPT-2 base-model checkpoints lack `transformer.`. Returns null for tensors we knowingly skip
 * (task heads, GPT-2's tied `lm_head`, its non-persistent `attn.bias` buffers in old files).
 */
export function canonicalParameterName(d: ModelDims, name: string): string | null {
  if (d.architecture === 'bert') {
    const stripped = name.startsWith('bert.') ? name.slice(5) : name;
    if (stripped.startsWith('cls.') || stripped.startsWith('classifier.') || stripped.startsWith('qa_outputs.'))
      return null;
    if (stripped.endsWith('position_ids')) return null;
    // The original bert-base-uncased checkpoint names LayerNorm parameters TensorFlow's way; Hugging Face renames them on load.
    return stripped.replace(/LayerNorm\.gamma$/, 'LayerNorm.weight').replace(/LayerNorm\.beta$/, 'LayerNorm.bias');
  }
  if (name === 'lm_head.weight') return null;
  const prefixed = name.startsWith('transformer.') ? name : `transformer.${name}`;
  if (/\.attn\.(bias|masked_bias)$/.test(prefixed)) return null;
  return prefixed;
}
