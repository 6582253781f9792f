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

/**
 * Two values whose difference is the point (a logit in the base and the variant run), with as many decimals as
 * it takes to read that difference to two significant digits: 0.2955 and 0.2912, not 0.3 and 0.29 beside a
 * change of −0.0043; each value keeps its own two significant digits too. Values too large, too small or too
 * close for plain decimals read as `formatNumber` has them.
 */
export function formatPair(a: number, b: number): [string, string] {
  const d = Math.abs(a - b);
  if (!Number.isFinite(d) || d === 0 || Math.max(Math.abs(a), Math.abs(b)) >= 1e5)
    return [formatNumber(a), formatNumber(b)];
  // Two significant digits of the difference, and of each value (-0.0084 stays -0.0084 beside 0.5).
  const significant = (x: number) => (x === 0 ? 0 : 1 - Math.floor(Math.log10(Math.abs(x))));
  const decimals = Math.max(0, Math.ceil(-Math.log10(d)) + 1, significant(a), significant(b));
  if (decimals > 9) return [formatNumber(a), formatNumber(b)];
  return [a.toFixed(decimals), b.toFixed(decimals)];
}
