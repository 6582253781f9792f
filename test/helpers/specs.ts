/** Hand-built ModelSpecs for engine tests (the parser is tested on its own). */
import type { HfConfig, ModelSpec } from '../../extension/lab/types';
import { referenceConfig } from './hfReference';

const zero = { line: 0, column: 0 };

/** A tiny random model of a fixture's shape, with overrides, seeded, in the given mode. */
export function tinySpec(
  family: 'bert' | 'gpt2',
  overrides: Partial<ModelSpec> = {},
  config: Partial<HfConfig> = {},
): ModelSpec {
  const base = referenceConfig(family === 'bert' ? 'bert' : 'gpt2');
  return {
    name: `tiny-${family}`,
    architecture: family,
    config: { ...base, ...config } as HfConfig,
    configSource: 'test',
    seed: 0,
    mode: 'train',
    dropout: 'independent',
    addSpecialTokens: false,
    atol: 1e-8,
    rtol: 1e-5,
    tokenizer: { kind: 'bundled', name: family === 'bert' ? 'bert-uncased' : 'gpt2' },
    range: { start: zero, end: zero },
    ...overrides,
  };
}
