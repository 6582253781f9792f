/**
 * BERT (`BertModel`) as one module: bidirectional, or causal with `is_decoder: true` (a keep mask fed at
 * run time, so both share one built model); no LM head; the bundled uncased WordPiece tokenizer.
 */
import type { ArchitectureModule } from '../architecture';
import { keyTable } from '../../config/keyInfo';
import { BERT_DEFAULTS, BERT_KEY_ALIASES, BERT_KEYS, bertCrossKeyProblems } from './config';
import { bertDims, bertShape, type BertDims } from './dims';
import { bertDropoutSites, bertGraph } from './graph';
import { bertCanonicalName, bertParameters } from './parameters';
import { BERT_PRESETS } from './presets';

export type { BertDims } from './dims';

export const bertModule: ArchitectureModule<BertDims> = {
  architecture: 'bert',
  label: 'BERT',
  keys: keyTable(BERT_KEYS),
  refusedKeys: {},
  keyAliases: BERT_KEY_ALIASES,
  defaults: BERT_DEFAULTS,
  presets: BERT_PRESETS,
  crossKeyProblems: bertCrossKeyProblems,
  dims: bertDims,
  shape: bertShape,
  layerCounts: (d) => [d.numLayers],
  withLayers: (d, [n]) => ({ ...d, numLayers: n }),
  parameters: bertParameters,
  canonicalName: bertCanonicalName,
  graph: bertGraph,
  attention: (config) => (config.is_decoder === true ? 'causal' : 'bidirectional'),
  causalSwitch: { key: 'is_decoder', value: true },
  dropoutKeys: ['hidden_dropout_prob', 'attention_probs_dropout_prob'],
  decoderStart: () => null,
  lmHead: false,
  exportClass: 'BertModel',
  tokenizer: 'bert-uncased',
  runner: {
    kind: 'single-stack',
    plan: (d) => ({
      layers: d.numLayers,
      hiddenSize: d.hiddenSize,
      heads: d.numHeads,
      alwaysCausal: false,
      // Padded positions are masked out of attention; their id only has to exist in the vocabulary.
      padTokenId: d.padTokenId ?? 0,
      tokenTypeIds: true,
      lmHeadVocab: 0,
      slidingWindow: null,
      slidingLayers: [],
      dropout: bertDropoutSites(d),
    }),
  },
};
