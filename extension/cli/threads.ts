import { UsageError } from './args';

export function parseThreads(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--threads takes a whole number ≥ 1, not "${value}"`);
  return n;
}
