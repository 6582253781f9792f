/** `config: gpt2`: the real config.json of that repository, with the GPT2Config defaults it omits. */
import type { HfConfig } from '../../types';
import { GPT2_DEFAULTS } from './config';

export const GPT2_PRESETS: Readonly<Record<string, Readonly<HfConfig>>> = {
  // https://huggingface.co/gpt2/blob/main/config.json, plus the GPT2Config defaults it omits.
  gpt2: {
    ...GPT2_DEFAULTS,
    architectures: ['GPT2LMHeadModel'],
    n_ctx: 1024,
    task_specific_params: { 'text-generation': { do_sample: true, max_length: 50 } },
  },
};
