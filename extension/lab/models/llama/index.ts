/**
 * The Llama family (`llama`, `mistral`, `qwen2`) as one module: what the architecture registry needs
 * to validate, build, run and export these models.
 */
import type { FamilyModule } from '../family';
import { LLAMA_DEFAULTS, LLAMA_KEYS, LLAMA_LABEL, LLAMA_TYPES, llamaCrossKeyProblems, type LlamaType } from './config';
import { llamaDims, type LlamaDims } from './dims';
import { llamaGraph } from './graph';
import { llamaCanonicalName, llamaParameters } from './parameters';
import { LLAMA_PRESETS } from './presets';

export type { LlamaDims } from './dims';
export type { LlamaType } from './config';
export { DecoderSession, type DecoderOutput } from './session';

export const llamaFamily: FamilyModule<LlamaType, LlamaDims> = {
  types: LLAMA_TYPES,
  label: LLAMA_LABEL,
  keys: LLAMA_KEYS,
  defaults: LLAMA_DEFAULTS,
  crossKeyProblems: llamaCrossKeyProblems,
  dims: llamaDims,
  parameters: llamaParameters,
  canonicalName: llamaCanonicalName,
  graph: llamaGraph,
  causal: 'causal',
  lmHead: true,
  exportClass: { llama: 'LlamaForCausalLM', mistral: 'MistralForCausalLM', qwen2: 'Qwen2ForCausalLM' },
  presets: LLAMA_PRESETS,
};
