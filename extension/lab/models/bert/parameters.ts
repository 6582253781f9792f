/**
 * The parameters of `BertModel` under Hugging Face's names and layouts, with its init rules
 * (`_init_weights`): Linear and Embedding ~ N(0, initializer_range²), biases 0, LayerNorm weight 1 and
 * bias 0, the padding row of the word embedding 0. The pooler is stored (an export is a complete
 * `BertModel`) but the graph does not read it, and a checkpoint may lack it.
 */
import { layerNormParameters, linearParameters, type ParameterSpec } from '../blocks/parameters';
import type { BertDims } from './dims';

export function bertParameters(d: BertDims): ParameterSpec[] {
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
    ...layerNormParameters('embeddings.LayerNorm', H),
  ];
  for (let i = 0; i < d.numLayers; i++) {
    const p = `encoder.layer.${i}`;
    params.push(
      ...linearParameters(`${p}.attention.self.query`, H, H, std),
      ...linearParameters(`${p}.attention.self.key`, H, H, std),
      ...linearParameters(`${p}.attention.self.value`, H, H, std),
      ...linearParameters(`${p}.attention.output.dense`, H, H, std),
      ...layerNormParameters(`${p}.attention.output.LayerNorm`, H),
      ...linearParameters(`${p}.intermediate.dense`, H, d.intermediateSize, std),
      ...linearParameters(`${p}.output.dense`, d.intermediateSize, H, std),
      ...layerNormParameters(`${p}.output.LayerNorm`, H),
    );
  }
  for (const p of linearParameters('pooler.dense', H, H, std))
    params.push({ ...p, unusedByGraph: true, optional: true });
  return params;
}

/**
 * A checkpoint's tensor name under ours: task classes carry `bert.`; their heads and the `position_ids`
 * buffer are skipped; the original bert-base-uncased checkpoint names LayerNorm parameters TensorFlow's
 * way (`gamma`/`beta`), which Hugging Face renames on load.
 */
export function bertCanonicalName(_d: BertDims, name: string): string | null {
  const stripped = name.startsWith('bert.') ? name.slice(5) : name;
  if (stripped.startsWith('cls.') || stripped.startsWith('classifier.') || stripped.startsWith('qa_outputs.'))
    return null;
  if (stripped.endsWith('position_ids')) return null;
  return stripped.replace(/LayerNorm\.gamma$/, 'LayerNorm.weight').replace(/LayerNorm\.beta$/, 'LayerNorm.bias');
}
