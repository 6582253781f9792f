/**
 * The numbers behind a verdict: the largest change among positions before the perturbation, what the
 * same input twice changes there, the noise floor it is judged against, and the user's own
 * torch.allclose check for comparison.
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
 * Largest |Δ| over aligned positions before the first perturbed one, any layer, where both states are
 * finite (non-finite states are reported on their own). Null when no position precedes the perturbation.
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
      if (best === null || diff > best.maxAbsDiff) {
        best = { maxAbsDiff: diff, layer: layer.layer, position: pair.base, pairIndex };
      }
    }
  }
  return best;
}

/** Whether any layer holds NaN or ±Inf at a position before the first perturbed one. */
function earlierNonFinite(input: DiagnoseInput): boolean {
  const firstPerturbed = input.alignment.firstPerturbed;
  if (firstPerturbed === null || firstPerturbed === 0) return false;
  return input.layers.some((layer) =>
    layer.nonFinite.some((index) => (input.alignment.pairs[index].base ?? Infinity) < firstPerturbed),
  );
}

/** The control's largest |Δ| over the positions before the first perturbed one (null when there are none). */
export function controlEarlierMaximum(input: DiagnoseInput): number | null {
  const firstPerturbed = input.alignment.firstPerturbed;
  if (firstPerturbed === null || firstPerturbed === 0) return null;
  let max = 0;
  for (const row of input.control.perPosition)
    for (let p = 0; p < Math.min(firstPerturbed, row.length); p++) max = Math.max(max, row[p]);
  return max;
}

export function gatherEvidence(input: DiagnoseInput, earlier: EarlierMaximum | null): VerdictEvidence {
  const noiseFloor = input.noise.value;
  return {
    earlierMaxAbsDiff: earlier?.maxAbsDiff ?? null,
    earlierMaxAt: earlier === null ? null : { layer: earlier.layer, position: earlier.position },
    earlierNonFinite: earlierNonFinite(input),
    controlEarlierMaxAbsDiff: controlEarlierMaximum(input),
    noiseFloor,
    roundingFloor: input.noise.rounding,
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
