/**
 * GPT-2 (`GPT2LMHeadModel`) as one module: always causal, LM head tied to `wte`, the bundled byte-level
 * BPE tokenizer.
 */
import type { ArchitectureModule } from '../architecture';
import { keyTable } from '../../config/keyInfo';
import { GPT2_DEFAULTS, GPT2_KEY_ALIASES, GPT2_KEYS, GPT2_REFUSED_KEYS, gpt2CrossKeyProblems } from './config';
import { gpt2Dims, gpt2Shape, type Gpt2Dims } from './dims';
import { gpt2DropoutSites, gpt2Graph } from './graph';
import { gpt2CanonicalName, gpt2Parameters } from './parameters';
import { GPT2_PRESETS } from './presets';

export type { Gpt2Dims } from './dims';

export const gpt2Module: ArchitectureModule<Gpt2Dims> = {
  architecture: 'gpt2',
  label: 'GPT-2',
  keys: keyTable(GPT2_KEYS),
  refusedKeys: GPT2_REFUSED_KEYS,
  keyAliases: GPT2_KEY_ALIASES,
  defaults: GPT2_DEFAULTS,
  presets: GPT2_PRESETS,
  crossKeyProblems: gpt2CrossKeyProblems,
  dims: gpt2Dims,
  shape: gpt2Shape,
  layerCounts: (d) => [d.numLayers],
  withLayers: (d, [n]) => ({ ...d, numLayers: n }),
  parameters: gpt2Parameters,
  canonicalName: gpt2CanonicalName,
  graph: gpt2Graph,
  attention: () => 'causal',
  causalSwitch: null,
  dropoutKeys: ['resid_pdrop', 'embd_pdrop', 'attn_pdrop'],
  decoderStart: () => null,
  lmHead: true,
  exportClass: 'GPT2LMHeadModel',
  tokenizer: 'gpt2',
  runner: {
    kind: 'single-stack',
    plan: (d) => ({
      layers: d.numLayers,
      hiddenSize: d.hiddenSize,
      heads: d.numHeads,
      alwaysCausal: true,
      padTokenId: 0,
      tokenTypeIds: false,
      lmHeadVocab: d.vocabSize,
      slidingWindow: null,
      slidingLayers: [],
      dropout: gpt2DropoutSites(d),
    }),
  },
};
