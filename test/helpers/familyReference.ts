/** Reading the Llama-family and encoder-decoder fixtures of `../shared/fixtures/hf-reference/` (Hugging Face's numbers). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HfConfig } from '../../extension/lab/types';
import type { FlatTensor } from './hfReference';
import { referenceFolder } from './hfReference';

export interface Layered {
  shape: number[];
  data: number[][];
}

export interface DecoderRun {
  input_ids: number[][];
  attention_mask?: number[][];
  hidden_states: Layered;
  attentions: Layered;
  logits: FlatTensor;
}

export interface Seq2SeqRun {
  input_ids: number[][];
  decoder_input_ids: number[][];
  encoder_hidden_states: Layered;
  encoder_attentions: Layered;
  decoder_hidden_states: Layered;
  decoder_attentions: Layered;
  cross_attentions: Layered;
  logits: FlatTensor;
}

export interface TokenizerCase {
  text: string;
  ids: number[];
  ids_special: number[];
  tokens: string[];
}

export interface FamilyReference<Run> {
  tokenizer: TokenizerCase[];
  runs: Record<string, Run>;
}

export const DECODER_FIXTURES = ['llama', 'qwen2'] as const;
export const SEQ2SEQ_FIXTURES = ['bart', 'marian'] as const;

export function loadFamilyReference<Run>(model: string): FamilyReference<Run> {
  return JSON.parse(readFileSync(join(referenceFolder(model), 'reference.json'), 'utf8')) as FamilyReference<Run>;
}

export function fixtureConfig(model: string): HfConfig {
  return JSON.parse(readFileSync(join(referenceFolder(model), 'config.json'), 'utf8')) as HfConfig;
}
