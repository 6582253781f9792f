/** Reading `../shared/fixtures/hf-reference/<model>/reference.json` (Hugging Face's own numbers). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HfConfig, ModelSpec } from '../../extension/lab/types';
import { fixturesDir } from './paths';

export interface FlatTensor {
  shape: number[];
  data: number[];
}

export interface ReferenceRun {
  input_ids: number[][];
  attention_mask?: number[][];
  hidden_states: { shape: number[]; data: number[][] };
  attentions: { shape: number[]; data: number[][] };
  logits?: FlatTensor;
}

export interface Reference {
  runs: Record<string, ReferenceRun>;
}

export const REFERENCE_MODELS = ['bert', 'bert-causal', 'gpt2'] as const;

export function referenceFolder(model: string): string {
  return join(fixturesDir(), 'hf-reference', model);
}

export function loadReference(model: string): Reference {
  return JSON.parse(readFileSync(join(referenceFolder(model), 'reference.json'), 'utf8')) as Reference;
}

export function referenceConfig(model: string): HfConfig {
  return JSON.parse(readFileSync(join(referenceFolder(model), 'config.json'), 'utf8')) as HfConfig;
}

/** A ModelSpec over a fixture folder, in eval mode, built by hand (the parser has tests of its own). */
export function referenceSpec(model: string): ModelSpec {
  const config = referenceConfig(model);
  const zero = { line: 0, column: 0 };
  return {
    name: model,
    architecture: config.model_type,
    config,
    configSource: join(referenceFolder(model), 'config.json'),
    weights: referenceFolder(model),
    seed: 0,
    mode: 'eval',
    dropout: 'independent',
    addSpecialTokens: true,
    atol: 1e-8,
    rtol: 1e-5,
    tokenizer: { kind: 'bundled', name: config.model_type === 'bert' ? 'bert-uncased' : 'gpt2' },
    range: { start: zero, end: zero },
  };
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
