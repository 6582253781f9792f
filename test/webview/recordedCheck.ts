/**
 * Whether recorded panel messages are what the engine produces now: the same messages in the same order
 * (progress lines aside: they depend on what the cache already holds), the same strings, and numbers equal
 * to float32 noise (a relative 1e-3, so the tests stay true on another CPU's kernels; an exact 0 stays 0).
 */
import type { ToWebview } from '../../extension/protocol/webview';

const RELATIVE = 1e-3;
const ABSOLUTE = 1e-9;

/** The first difference between the two runs, as a path and the two values; null when they agree. */
export function runDifference(actual: readonly ToWebview[], recorded: readonly ToWebview[]): string | null {
  const keep = (m: ToWebview) => m.type !== 'progress';
  const a = actual.filter(keep).map(withoutTiming);
  const b = recorded.filter(keep).map(withoutTiming);
  return difference(a, b, '$');
}

function withoutTiming(m: ToWebview): unknown {
  return m.type === 'runFinished' ? { ...m, elapsedMs: 0 } : m;
}

function difference(a: unknown, b: unknown, path: string): string | null {
  if (typeof a === 'number' && typeof b === 'number') {
    return Math.abs(a - b) <= ABSOLUTE + RELATIVE * Math.max(Math.abs(a), Math.abs(b))
      ? null
      : `${path}: ${a} now, ${b} recorded`;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${path}: ${a.length} items now, ${b.length} recorded`;
    for (let i = 0; i < a.length; i++) {
      const d = difference(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) {
      const d = difference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${path}.${key}`);
      if (d) return d;
    }
    return null;
  }
  return a === b ? null : `${path}: ${JSON.stringify(a)} now, ${JSON.stringify(b)} recorded`;
}
