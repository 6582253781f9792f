/**
 * Tiny family models for engine tests: a fixture's config with overrides, random seeded weights or a
 * checkpoint, built through the model cache (the one build path) and opened with its architecture's
 * session. The sessions are wrapped to take the outputs wanted as their second argument, with the causal
 * rule and dropout rates of the config (train-mode masks are drawn for inputs that carry a seed).
 */
import type { ModelSpec } from '../../extension/lab/types';
import type { HfConfig } from '../../extension/lab/types';
import { ensureModel } from '../../extension/lab/models/modelCache';
import { dropoutRates, withClassDefaults } from '../../extension/lab/models/registry';
import { openSession, singleStack, type ForwardInput, type WantedOutputs } from '../../extension/lab/models/session';
import type { LlamaDims } from '../../extension/lab/models/llama';
import type { Seq2SeqDims, Seq2SeqInput } from '../../extension/lab/models/bart';
import { fixtureConfig } from './familyReference';
import { freshDir } from './paths';

export type WeightsFrom = { seed: number } | { checkpoint: string };

export function llamaConfig(fixture: 'llama' | 'qwen2', overrides: Record<string, unknown> = {}): HfConfig {
  return withClassDefaults({ ...fixtureConfig(fixture), ...overrides } as HfConfig);
}

export function seq2seqConfig(fixture: 'bart' | 'marian', overrides: Record<string, unknown> = {}): HfConfig {
  return withClassDefaults({ ...fixtureConfig(fixture), ...overrides } as HfConfig);
}

const zero = { line: 0, column: 0 };

/** A spec for a config (eval mode: dropout only where an input carries a seed, with the config's rates). */
export function configSpec(config: HfConfig, from: WeightsFrom): ModelSpec {
  return {
    name: config.model_type,
    architecture: config.model_type,
    config,
    configSource: 'test',
    ...('checkpoint' in from ? { weights: from.checkpoint } : {}),
    seed: 'seed' in from ? from.seed : 0,
    mode: 'train',
    dropout: 'independent',
    addSpecialTokens: false,
    atol: 1e-8,
    rtol: 1e-5,
    tokenizer: { kind: 'none', reason: 'test model' },
    range: { start: zero, end: zero },
  };
}

export async function openDecoder(config: HfConfig, from: WeightsFrom = { seed: 7 }) {
  const spec = configSpec(config, from);
  const built = await ensureModel(spec, freshDir());
  const session = singleStack(await openSession(built.onnxPath, built.dims));
  const rates = dropoutRates(config, 'train');
  return {
    session: {
      forward: (inputs: ForwardInput[], wanted: WantedOutputs = {}) =>
        session.forward(inputs, { causal: true, rates }, wanted),
      release: () => session.release(),
    },
    dims: built.dims as LlamaDims,
    weightsPath: built.weightsPath,
  };
}

export async function openSeq2Seq(config: HfConfig, from: WeightsFrom = { seed: 7 }) {
  const spec = configSpec(config, from);
  const built = await ensureModel(spec, freshDir());
  const session = await openSession(built.onnxPath, built.dims);
  if (session.kind !== 'encoder-decoder') throw new Error('not an encoder-decoder');
  const rates = dropoutRates(config, 'train');
  return {
    session: {
      forward: (inputs: Seq2SeqInput[], wanted: WantedOutputs = {}) => session.forward(inputs, { rates }, wanted),
      release: () => session.release(),
    },
    dims: built.dims as Seq2SeqDims,
    weightsPath: built.weightsPath,
  };
}

/** Row `position` of a [T, width] state. */
export function row(state: Float32Array, position: number, width: number): Float32Array {
  return state.subarray(position * width, (position + 1) * width);
}

export function identical(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}
