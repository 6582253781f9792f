/**
 * What counts as "unchanged": the verdict must not call float32 rounding a leak, and must not
 * hide a real leak below a user's loose `atol`.
 *
 * Rounding floor = ROUNDING_ULPS · 2^-23 · max|b|, with max|b| the largest magnitude in the base's
 * hidden states (all layers). Why this size:
 * - Earlier positions of a causal model are usually bit-identical, but a different sequence length
 *   or batch shape can reorder float32 reductions in the matmuls; that moves values by a few ulps of
 *   the largest magnitudes involved, about 1e-7..1e-6 on hidden states of size O(1)..O(10).
 *   64 ulps (7.6e-6 relative) sits well above that.
 * - A real leak is far larger: on the tiny random BERT of the Hugging Face fixtures (max|b| ≈ 3.1)
 *   the bidirectional leak into earlier positions is 2.8e-3 while this floor is 2.4e-5 (×117); at
 *   max|b| = 10 the floor is 7.6e-5, still 40× below a 0.003 leak.
 * One number for the whole run (not per layer) keeps the verdict and its evidence consistent:
 * "changed" always means |Δ| > evidence.noiseFloor. The largest layer's scale makes it conservative.
 */
import type { ControlRun } from '../../protocol/report';
import type { ModelRun, NoiseFloor } from './types';

export const ROUNDING_ULPS = 64;
export const FLOAT32_EPSILON = 2 ** -23;

/** ROUNDING_ULPS · 2^-23 · the largest finite |value| in the run's hidden states. */
export function roundingFloor(run: ModelRun): number {
  let maxMagnitude = 0;
  for (const layer of run.hiddenStates) {
    for (let k = 0; k < layer.length; k++) {
      const magnitude = Math.abs(layer[k]);
      if (magnitude > maxMagnitude && magnitude !== Infinity) maxMagnitude = magnitude;
    }
  }
  return ROUNDING_ULPS * FLOAT32_EPSILON * maxMagnitude;
}

export function noiseFloorOf(base: ModelRun, control: ControlRun): NoiseFloor {
  const rounding = roundingFloor(base);
  // The control measures finite values only (NaN and ±Inf are a finding of their own), so this is finite.
  return { rounding, control: control.maxAbsDiff, value: Math.max(rounding, control.maxAbsDiff) };
}

/** The control differs by more than rounding could explain: structure cannot be judged. */
export function isNondeterministic(noise: NoiseFloor): boolean {
  return noise.control > noise.rounding;
}
