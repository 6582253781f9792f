/** The ModelSummary a report carries for a resolved model spec. */
import type { ModelSummary } from '../../protocol/report';
import type { ModelSpec } from '../types';
import { dimsOf } from '../config';

export function summarizeModel(spec: ModelSpec): ModelSummary {
  const d = dimsOf(spec.config);
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
    numLayers: d.numLayers,
    hiddenSize: d.hiddenSize,
    numHeads: d.numHeads,
    hasLmHead: spec.architecture === 'gpt2',
    dropoutRates: spec.mode === 'eval' ? { hidden: 0, attention: 0, embedding: 0 } : { ...d.dropout },
  };
}

/** Where a checkpoint's weights come from, as front ends name the model: a path, or a Hub repo at its commit. */
function weightsDescription(spec: ModelSpec, path: string): string {
  if (!spec.hub) return `weights from ${path}`;
  const { repoId, revision, commit } = spec.hub;
  const at = revision === commit ? `commit ${commit.slice(0, 12)}` : `${revision}, commit ${commit.slice(0, 12)}`;
  return `weights from the Hub: ${repoId} (${at})`;
}
