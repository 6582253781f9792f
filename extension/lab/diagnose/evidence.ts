/**
 * The numbers behind a verdict: the largest change among positions before the perturbation, the
 * noise floor it is judged against, and the user's own torch.allclose check for comparison.
 */
import type { VerdictEvidence } from '../../protocol/report';
import type { DiagnoseInput } from './types';

export interface EarlierMaximum {
  maxAbsDiff: number;
  layer: number;
  position: number;
  /** Index into alignment.pairs (and each LayerMetrics array) of that position. */
  pairIndex: number;
}

/**
 * Largest |Δ| over aligned positions before the first perturbed one, any layer; NaN wins (a NaN
 * cannot be shown unchanged). Null when no position precedes the perturbation.
 */
export function earlierMaximum(input: DiagnoseInput): EarlierMaximum | null {
  const firstPerturbed = input.alignment.firstPerturbed;
  if (firstPerturbed === null || firstPerturbed === 0) return null;
  let best: EarlierMaximum | null = null;
  for (let pairIndex = 0; pairIndex < input.alignment.pairs.length; pairIndex++) {
    const pair = input.alignment.pairs[pairIndex];
    if (pair.base === null || pair.variant === null || pair.base >= firstPerturbed) continue;
    for (const layer of input.layers) {
      const diff = layer.maxAbsDiff[pairIndex];
      if (diff === null) continue;
      const diffIsNaN = diff !== diff;
      if (best === null || diff > best.maxAbsDiff || (diffIsNaN && !Number.isNaN(best.maxAbsDiff))) {
        best = { maxAbsDiff: diff, layer: layer.layer, position: pair.base, pairIndex };
      }
    }
  }
  return best;
}

export function gatherEvidence(input: DiagnoseInput, earlier: EarlierMaximum | null): VerdictEvidence {
  const noiseFloor = input.noise.value;
  return {
    earlierMaxAbsDiff: earlier?.maxAbsDiff ?? null,
    earlierMaxAt: earlier === null ? null : { layer: earlier.layer, position: earlier.position },
    noiseFloor,
    controlMaxAbsDiff: input.control.maxAbsDiff,
    atol: input.model.atol,
    rtol: input.model.rtol,
    allcloseAtPosition0: allcloseAtPosition0(input),
    marginOverNoise: earlier !== null && noiseFloor > 0 ? earlier.maxAbsDiff / noiseFloor : null,
  };
}

/** The seed question's check: allclose at position 0 in the last layer, when position 0 is comparable. */
function allcloseAtPosition0(input: DiagnoseInput): boolean | null {
  if (input.alignment.firstPerturbed === 0) return null;
  const pairIndex = input.alignment.pairs.findIndex((pair) => pair.base === 0 && pair.variant === 0);
  const lastLayer = input.layers[input.layers.length - 1];
  if (pairIndex < 0 || lastLayer === undefined) return null;
  return lastLayer.allclose[pairIndex];
}
