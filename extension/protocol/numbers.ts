/**
 * How a number of a report reads, wherever it is shown (the report's own prose, the CLI table, the
 * panel): one rule, so the same value never reads two ways.
 */

/** Compact: two significant digits, plain between 1e-3 and 1e5 (0.0028, 0.41, 1500), else 2.4e-5. */
export function formatNumber(x: number): string {
  if (x === 0) return '0';
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'NaN' : x > 0 ? '∞' : '−∞';
  const magnitude = Math.abs(x);
  if (magnitude >= 1e-3 && magnitude < 1e5) return String(Number(x.toPrecision(2)));
  return x.toExponential(1).replace('.0e', 'e').replace('e+', 'e');
}
