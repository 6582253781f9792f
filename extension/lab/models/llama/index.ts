/**
 * The Llama family (`llama`, `mistral`, `qwen2`): one folder, three registry records that differ in their
 * keys, defaults, label and export class. RMSNorm, rotary positions, SwiGLU, grouped-query attention,
 * Mistral's and Qwen2's sliding windows, LM head tied or not; always causal. Their tokenizers come from the
 * model's folder (`weights:` or `tokenizer:`).
 */
import type { ArchitectureModule } from '../architecture';
import { keyTable } from '../../config/keyInfo';
import { LLAMA_DEFAULTS, LLAMA_KEYS, LLAMA_LABELS, llamaCrossKeyProblems, type LlamaType } from './config';
import { llamaDims, llamaShape, type LlamaDims } from './dims';
import { llamaDropoutSites, llamaGraph } from './graph';
import { llamaCanonicalName, llamaParameters } from './parameters';
import { LLAMA_PRESETS } from './presets';

export type { LlamaDims } from './dims';
export type { LlamaType } from './config';

const EXPORT_CLASS: Record<LlamaType, string> = {
  llama: 'LlamaForCausalLM',
  mistral: 'MistralForCausalLM',
  qwen2: 'Qwen2ForCausalLM',
};

function llamaFamilyModule(type: LlamaType): ArchitectureModule<LlamaDims> {
  return {
    architecture: type,
    label: LLAMA_LABELS[type],
    keys: keyTable(LLAMA_KEYS[type]),
    refusedKeys: {},
    keyAliases: {},
    defaults: LLAMA_DEFAULTS[type],
    presets: Object.fromEntries(Object.entries(LLAMA_PRESETS).filter(([, p]) => p.model_type === type)),
    crossKeyProblems: llamaCrossKeyProblems,
    dims: llamaDims,
    shape: llamaShape,
    layerCounts: (d) => [d.numLayers],
    withLayers: (d, [n]) => ({
      ...d,
      numLayers: n,
      layerWindows: Array.from({ length: n }, (_, i) => d.layerWindows[i] ?? d.layerWindows.at(-1) ?? null),
    }),
    parameters: llamaParameters,
    canonicalName: llamaCanonicalName,
    graph: llamaGraph,
    attention: () => 'causal',
    causalSwitch: null,
    dropoutKeys: ['attention_dropout'],
    decoderStart: () => null,
    lmHead: true,
    exportClass: EXPORT_CLASS[type],
    tokenizer: null,
    runner: {
      kind: 'single-stack',
      plan: (d) => ({
        layers: d.numLayers,
        hiddenSize: d.hiddenSize,
        heads: d.numHeads,
        alwaysCausal: true,
        padTokenId: d.padTokenId ?? 0,
        tokenTypeIds: false,
        lmHeadVocab: d.vocabSize,
        slidingWindow: d.layerWindows.find((w) => w !== null) ?? null,
        slidingLayers: d.layerWindows.flatMap((w, i) => (w === null ? [] : [i])),
        dropout: llamaDropoutSites(d),
      }),
    },
  };
}

export const llamaModule = llamaFamilyModule('llama');
export const mistralModule = llamaFamilyModule('mistral');
export const qwen2Module = llamaFamilyModule('qwen2');
