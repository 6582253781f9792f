/** `config: bert-base-uncased`: the real config.json of that repository, with the BertConfig defaults it omits. */
import type { HfConfig } from '../../types';
import { BERT_DEFAULTS } from './config';

export const BERT_PRESETS: Readonly<Record<string, Readonly<HfConfig>>> = {
  // https://huggingface.co/bert-base-uncased/blob/main/config.json, plus the BertConfig defaults it omits.
  'bert-base-uncased': {
    ...BERT_DEFAULTS,
    architectures: ['BertForMaskedLM'],
    gradient_checkpointing: false,
    transformers_version: '4.6.0.dev0',
  },
};
