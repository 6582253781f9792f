/**
 * How a max |Δ| becomes a colour position. At or below float32 rounding a cell is "unchanged" (drawn
 * apart from the scale, grey) — rounding, not the control run's noise: a cell the edit moved by more
 * than rounding is coloured even when the same input twice moves it as much (the control heatmap and
 * the tooltip say so), so a grey cell always means "the same state". Above rounding, log-scaled up to
 * the largest |Δ| over at most four decades, so a 0.003 leak and a 3.0 change both stay visible and still
 * look different (everything between rounding and max/10⁴ gets the faintest colour, never the grey).
 * NaN or ±Inf is its own class: it is not a difference, so it is never on the scale and never grey.
 */
import type { HeatSource } from './heatSource';

/** The widest range the colours spread over: 1e-7 … 1e-3 must not eat the contrast between 0.05 and 3. */
const DECADES = 1e4;

export type CellClass =
  { kind: 'missing' } | { kind: 'non-finite' } | { kind: 'unchanged' } | { kind: 'changed'; t: number };

export interface HeatDomain {
  /** Float32 rounding: at or below it a cell is unchanged. */
  floor: number;
  /** Where the colour ramp starts (the floor, or max/10⁴ when that is higher). */
  low: number;
  max: number;
  classify(value: number | null | undefined, nonFinite?: boolean): CellClass;
}

/** One scale for every grid given (the variant's and the control's share it, so their colours compare). */
export function heatDomain(floor: number, sources: readonly HeatSource[]): HeatDomain {
  let max = 0;
  let smallestPositive = Infinity;
  for (const source of sources)
    for (const row of source.values)
      for (const value of row) {
        if (value === null || !Number.isFinite(value)) continue;
        if (value > max) max = value;
        if (value > 0 && value < smallestPositive) smallestPositive = value;
      }
  // With an exact floor of 0, the scale starts just under the smallest change so it still shows.
  const start = floor > 0 ? floor : Number.isFinite(smallestPositive) ? smallestPositive / 2 : 1e-12;
  const low = Math.max(start, max / DECADES);
  const span = Math.log(max / low);
  return {
    floor,
    low,
    max,
    classify(value, nonFinite = false) {
      if (nonFinite) return { kind: 'non-finite' };
      if (value === null || value === undefined) return { kind: 'missing' };
      if (value <= floor) return { kind: 'unchanged' };
      if (!(span > 0)) return { kind: 'changed', t: 1 };
      return { kind: 'changed', t: Math.min(1, Math.max(0, Math.log(value / low) / span)) };
    },
  };
}
