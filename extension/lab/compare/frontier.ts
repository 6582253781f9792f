/**
 * The causal frontier: where change starts, next to where the input was perturbed. For a causal
 * model the two coincide; for a bidirectional one change starts before the perturbation (at 0).
 *
 * "Changed" here is a plain fact about the two runs, judged against float32 rounding only (not
 * against the control run): a state moved by more than rounding, a state that is NaN or ±Inf, or a
 * token that exists on one side only (an appended token is new: change starts there). So a
 * nondeterministic model's frontier is where its states start to differ — usually 0 — and the
 * control run says how much of that the same input twice changes too.
 */
import type { AlignedPair, Alignment, CausalFrontier, LayerMetrics } from '../../protocol/report';

/** |Δ| above the floor; null (not measured) counts as not shown to be above it. */
export function exceedsFloor(maxAbsDiff: number | null, floor: number): boolean {
  return maxAbsDiff !== null && maxAbsDiff > floor;
}

/** The position a pair stands for: its base index, or its variant index for a token only the variant has. */
export function pairPosition(pair: AlignedPair): number {
  return pair.base ?? pair.variant ?? 0;
}

/** Whether the pair's state differs between the runs: above `floor` in any layer, not finite, or one-sided. */
export function pairChanged(layers: readonly LayerMetrics[], pair: AlignedPair, index: number, floor: number): boolean {
  if (pair.base === null || pair.variant === null) return true;
  return layers.some((layer) => exceedsFloor(layer.maxAbsDiff[index], floor) || layer.nonFinite.includes(index));
}

export function findFrontier(alignment: Alignment, layers: LayerMetrics[], roundingFloor: number): CausalFrontier {
  // Pairs are in base order (one-sided tokens where they stand), so the first hit is where change starts.
  const index = alignment.pairs.findIndex((pair, i) => pairChanged(layers, pair, i, roundingFloor));
  return {
    firstPerturbed: alignment.firstPerturbed,
    firstChanged: index < 0 ? null : pairPosition(alignment.pairs[index]),
  };
}
