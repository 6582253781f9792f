/**
 * Synthetic model runs for the comparison and diagnosis unit tests. The hidden state of a
 * position depends only on the tokens up to it (a perfectly causal fake model); tests then add
 * exactly the leak, jitter or dropout noise they are about, so every expected number is known.
 */
import type { CompareInput, ModelRun } from '../../extension/lab/compare';
import type { ModelSummary, TokenView } from '../../extension/protocol/report';
import type { HfConfig } from '../../extension/lab/types';
import { moduleOf } from '../../extension/lab/models/registry';

export interface FakeShape {
  layers?: number; // hidden_states entries (L+1)
  hidden?: number;
  vocab?: number; // > 0 adds logits
}

/** Deterministic, causal by construction: layer 0 = embedding of (id, position); layer l > 0 depends on ids[0..p]. */
export function causalRun(ids: number[], shape: FakeShape = {}, tokens?: TokenView[]): ModelRun {
  const layers = shape.layers ?? 3;
  const hidden = shape.hidden ?? 8;
  const hiddenStates: Float32Array[] = [];
  for (let layer = 0; layer < layers; layer++) {
    const states = new Float32Array(ids.length * hidden);
    let prefix = 0;
    for (let p = 0; p < ids.length; p++) {
      prefix += ids[p] * (p + 1) * 0.618;
      for (let d = 0; d < hidden; d++) {
        states[p * hidden + d] =
          layer === 0
            ? 2 * Math.sin(ids[p] * 12.9898 + p * 78.233 + d * 37.719)
            : 3 * Math.sin(prefix * (layer + 1) + d * 1.3);
      }
    }
    hiddenStates.push(states);
  }
  const vocab = shape.vocab ?? 0;
  let logits: Float32Array | null = null;
  if (vocab > 0) {
    logits = new Float32Array(ids.length * vocab);
    const last = hiddenStates[layers - 1];
    for (let p = 0; p < ids.length; p++)
      for (let v = 0; v < vocab; v++) logits[p * vocab + v] = 4 * last[p * hidden + (v % hidden)] + v * 0.01;
  }
  const nextTokenLogits = logits && logits.slice((ids.length - 1) * vocab, ids.length * vocab);
  return {
    ids,
    tokens: tokens ?? ids.map((id) => ({ id, text: `t${id}`, special: false })),
    hiddenStates,
    nextTokenLogits,
  };
}

/** A copy of `run` with `delta` added to one hidden value (or to every value of a position when dim is 'all'). */
export function withDelta(
  run: ModelRun,
  layer: number,
  position: number,
  dim: number | 'all',
  delta: number,
): ModelRun {
  const hiddenStates = run.hiddenStates.map((states) => states.slice());
  const hidden = hiddenStates[0].length / run.ids.length;
  const dims = dim === 'all' ? [...Array(hidden).keys()] : [dim];
  for (const d of dims) hiddenStates[layer][position * hidden + d] += delta;
  return { ...run, hiddenStates };
}

/** A copy of `run` with every value moved by a pseudo-random amount of up to `amplitude` (dropout-like noise). */
export function withNoise(run: ModelRun, amplitude: number, seed = 1): ModelRun {
  let state = seed;
  const next = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  return { ...run, hiddenStates: run.hiddenStates.map((states) => states.map((x) => x + amplitude * next())) };
}

/**
 * A summary of a fake model: a causal BERT unless the overrides say otherwise. What the engine derives from
 * the architecture and config (label, attention rule, causal switch) follows the overrides, as
 * `summarizeModel` would derive it.
 */
export function summary(overrides: Partial<ModelSummary> = {}): ModelSummary {
  const architecture = overrides.architecture ?? 'bert';
  const config = (overrides.config ?? { model_type: 'bert', is_decoder: true }) as HfConfig;
  const module = moduleOf(architecture);
  return {
    name: 'fake',
    architecture: 'bert',
    config: { model_type: 'bert', is_decoder: true },
    configSource: 'test',
    weights: { kind: 'random', seed: 0, description: 'random weights (seed 0)' },
    seed: 0,
    mode: 'eval',
    dropout: 'independent',
    addSpecialTokens: false,
    atol: 1e-3,
    rtol: 1e-5,
    label: module.label,
    attention: module.attention(config),
    causalSwitch: module.causalSwitch,
    tokenizer: 'the bundled BERT uncased WordPiece tokenizer',
    stacks: [{ name: 'model', numLayers: 2, hiddenSize: 8, numHeads: 2, numKvHeads: 2 }],
    numLayers: 2,
    hiddenSize: 8,
    numHeads: 2,
    hasLmHead: false,
    dropoutRates: [
      { key: 'hidden_dropout_prob', rate: 0 },
      { key: 'attention_probs_dropout_prob', rate: 0 },
    ],
    ...overrides,
  };
}

export function keepMask(size: number, causal: boolean): number[][] {
  return Array.from({ length: size }, (_, i) => Array.from({ length: size }, (_, j) => (causal && j > i ? 0 : 1)));
}

/** A CompareInput whose control is an exact copy of the base unless given. */
export function compareInput(
  base: ModelRun,
  variant: ModelRun,
  options: { model?: ModelSummary; control?: ModelRun; causal?: boolean; baseText?: string; variantText?: string } = {},
): CompareInput {
  const causal = options.causal ?? true;
  return {
    model: options.model ?? summary(),
    caseIndex: 0,
    variantIndex: 0,
    edits: 'text',
    edited: {
      stack: 'model',
      baseText: options.baseText ?? 'base',
      variantText: options.variantText ?? 'variant',
      base,
      control: options.control ?? { ...base, hiddenStates: base.hiddenStates.map((s) => s.slice()) },
      variant,
      attentionMask: {
        rule: causal ? 'causal' : 'bidirectional',
        keep: keepMask(base.ids.length, causal),
        sliding: null,
      },
    },
    others: [],
    causalMask: causal,
    crossAttention: null,
    decoderTokens: null,
    special: { decoderStart: null, padTokenId: null, tokenText: (id) => `<${id}>` },
    decode: (id) => `<${id}>`,
    nextToken: { base: base.nextTokenLogits, variant: variant.nextTokenLogits },
  };
}
