/** `--threads N`: onnxruntime's intra-op threads, at most one per core. */
import { clampThreads, cores } from '../lab/resources';
import { UsageError } from './args';

export function parseThreads(value: string | undefined, warn: (line: string) => void = () => {}): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--threads takes a whole number ≥ 1, not "${value}"`);
  const available = cores();
  const threads = clampThreads(n, available);
  if (threads !== n) warn(`--threads ${n} is more than this machine's ${available} cores; using ${threads}`);
  return threads;
}
