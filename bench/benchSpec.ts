// The model entry every benchmark and probe measures: a config as a `.prompt` entry would resolve it, with
// random weights (seed 0) unless `weights` is given, in eval mode unless `mode` says otherwise, and the
// tokenizer the lab ships for the family (none for the families whose tokenizer comes from a model folder:
// the benchmarks feed ids).
import { moduleOf } from '../extension/lab/models/registry';
import type { HfConfig, Mode, ModelSpec, TokenizerRef } from '../extension/lab/types';

const zero = { line: 0, column: 0 };

export interface BenchSpecOptions {
  name?: string;
  /** The preset's name or the config's path, as the report would say it. */
  configSource?: string;
  weights?: string;
  mode?: Mode;
}

export function benchSpec(config: HfConfig, options: BenchSpecOptions = {}): ModelSpec {
  const shipped = moduleOf(config.model_type).tokenizer;
  const tokenizer: TokenizerRef = shipped
    ? { kind: 'bundled', name: shipped }
    : { kind: 'none', reason: 'benchmark: ids only' };
  return {
    name: options.name ?? config.model_type,
    architecture: config.model_type,
    config,
    configSource: options.configSource ?? config.model_type,
    ...(options.weights ? { weights: options.weights } : {}),
    seed: 0,
    mode: options.mode ?? 'eval',
    dropout: 'independent',
    addSpecialTokens: false,
    atol: 1e-8,
    rtol: 1e-5,
    tokenizer,
    range: { start: zero, end: zero },
  };
}
