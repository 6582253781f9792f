/**
 * The causal frontier: where change starts, next to where the input was perturbed. For a causal
 * model the two coincide; for a bidirectional one change starts before the perturbation (at 0).
 */
import type { Alignment, CausalFrontier, LayerMetrics } from '../../protocol/report';

/** |Δ| above the floor; NaN counts as changed, since it cannot be shown to be unchanged. */
export function exceedsFloor(maxAbsDiff: number | null, floor: number): boolean {
  return maxAbsDiff !== null && !(maxAbsDiff <= floor);
}

export function findFrontier(alignment: Alignment, layers: LayerMetrics[], noiseFloor: number): CausalFrontier {
  // Pairs are in base order, so the first hit is the smallest base position.
  for (let index = 0; index < alignment.pairs.length; index++) {
    const pair = alignment.pairs[index];
    if (pair.base === null || pair.variant === null) continue;
    if (layers.some((layer) => exceedsFloor(layer.maxAbsDiff[index], noiseFloor))) {
      return { firstPerturbed: alignment.firstPerturbed, firstChanged: pair.base };
    }
  }
  return { firstPerturbed: alignment.firstPerturbed, firstChanged: null };
}
