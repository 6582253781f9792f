/**
 * How a max |Δ| becomes a colour position: at or below the noise floor a cell is "unchanged"
 * (drawn apart from the scale); above it, log-scaled up to the largest |Δ| of the comparison over
 * at most four decades, so a 0.003 leak and a 3.0 change both stay visible and still look different
 * (everything between the floor and max/10⁴ gets the faintest colour, never the grey of "unchanged").
 */
import type { VariantResult } from '../extension/protocol/report';

/** The widest range the colours spread over: 1e-7 … 1e-3 must not eat the contrast between 0.05 and 3. */
const DECADES = 1e4;

export type CellClass = { kind: 'missing' } | { kind: 'unchanged' } | { kind: 'changed'; t: number };

export interface HeatDomain {
  floor: number;
  /** Where the colour ramp starts (the floor, or max/10⁴ when that is higher). */
  low: number;
  max: number;
  classify(value: number | null | undefined): CellClass;
}

export function heatDomain(result: VariantResult): HeatDomain {
  let max = 0;
  let smallestPositive = Infinity;
  for (const layer of result.layers) {
    for (const value of layer.maxAbsDiff) {
      if (value === null || !Number.isFinite(value)) continue;
      if (value > max) max = value;
      if (value > 0 && value < smallestPositive) smallestPositive = value;
    }
  }
  const floor = result.evidence.noiseFloor;
  // With an exact floor of 0, the scale starts just under the smallest change so it still shows.
  const start = floor > 0 ? floor : Number.isFinite(smallestPositive) ? smallestPositive / 2 : 1e-12;
  const low = Math.max(start, max / DECADES);
  const span = Math.log(max / low);
  return {
    floor,
    low,
    max,
    classify(value) {
      if (value === null || value === undefined) return { kind: 'missing' };
      if (Number.isNaN(value)) return { kind: 'changed', t: 1 };
      if (value <= floor) return { kind: 'unchanged' };
      if (!(span > 0)) return { kind: 'changed', t: 1 };
      return { kind: 'changed', t: Math.min(1, Math.max(0, Math.log(value / low) / span)) };
    },
  };
}
