/** The ModelSummary a report carries for a resolved model spec: what front ends show, never re-derived by them. */
import type { ModelSummary } from '../../protocol/report';
import type { DropoutRates, ModelSpec } from '../types';
import { describeConfig, dropoutRates } from '../models/registry';
import { describeTokenizer } from '../tokenizers';

/** The rates of a summary by config key, as the sessions take them. */
export function ratesOf(summary: ModelSummary): DropoutRates {
  return Object.fromEntries(summary.dropoutRates.map((r) => [r.key, r.rate]));
}

export function summarizeModel(spec: ModelSpec): ModelSummary {
  const { module, shape } = describeConfig(spec.config);
  // The decoder is the stack people read an encoder-decoder by (it holds the LM head); otherwise the only one.
  const main = shape.stacks[shape.stacks.length - 1];
  return {
    name: spec.name,
    architecture: spec.architecture,
    config: spec.config,
    configSource: spec.configSource,
    weights:
      spec.weights === undefined
        ? { kind: 'random', seed: spec.seed, description: `random weights (seed ${spec.seed})` }
        : {
            kind: 'checkpoint',
            path: spec.weights,
            description: weightsDescription(spec, spec.weights),
            ...(spec.hub
              ? { hub: { repoId: spec.hub.repoId, revision: spec.hub.revision, commit: spec.hub.commit } }
              : {}),
          },
    seed: spec.seed,
    mode: spec.mode,
    dropout: spec.dropout,
    addSpecialTokens: spec.addSpecialTokens,
    atol: spec.atol,
    rtol: spec.rtol,
    label: module.label,
    attention: module.attention(spec.config),
    causalSwitch: module.causalSwitch,
    tokenizer: describeTokenizer(spec.tokenizer),
    stacks: shape.stacks.map((s) => ({
      name: s.name,
      numLayers: s.layers,
      hiddenSize: s.hiddenSize,
      numHeads: s.heads,
      numKvHeads: s.kvHeads,
    })),
    numLayers: main.layers,
    hiddenSize: main.hiddenSize,
    numHeads: main.heads,
    hasLmHead: module.lmHead,
    dropoutRates: Object.entries(dropoutRates(spec.config, spec.mode)).map(([key, rate]) => ({ key, rate })),
  };
}

/** Where a checkpoint's weights come from, as front ends name the model: a path, or a Hub repo at its commit. */
function weightsDescription(spec: ModelSpec, path: string): string {
  if (!spec.hub) return `weights from ${path}`;
  const { repoId, revision, commit } = spec.hub;
  const at = revision === commit ? `commit ${commit.slice(0, 12)}` : `${revision}, commit ${commit.slice(0, 12)}`;
  return `weights from the Hub: ${repoId} (${at})`;
}
