/**
 * Sizes in bytes as people write and read them: `18GB`, `500MB`, `1.5 GiB` or plain bytes in, `95.6 GB`
 * out. Here, not in the engine, because the extension host checks the memory and cache settings (and it
 * imports no engine code) while the CLI and the runner read the same forms.
 * Decimal units (kB, MB, GB, TB = 10³ⁿ) as disks and `df -H` count; binary ones (KiB, MiB, GiB, TiB) too.
 */

const UNITS: Record<string, number> = {
  b: 1,
  k: 1e3,
  kb: 1e3,
  m: 1e6,
  mb: 1e6,
  g: 1e9,
  gb: 1e9,
  t: 1e12,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

/** The byte count `text` names, or undefined when it is not a size (`18GB`, `500 MB`, `1.5GiB`, `1048576`). */
export function parseByteSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([a-z]*)\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = m[2].toLowerCase();
  const factor = unit === '' ? 1 : UNITS[unit];
  if (factor === undefined) return undefined;
  const bytes = Math.round(Number(m[1]) * factor);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/** What `parseByteSize` accepts, for error messages. */
export const BYTE_SIZE_FORMS = 'a size such as `18GB`, `500MB`, `1.5GiB` or a number of bytes';

/** Three significant digits at most, decimal units: 95.6 GB, 498 MB, 12.3 kB, 512 B. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return `${bytes} B`;
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];
  let value = bytes;
  let i = 0;
  while (Math.abs(value) >= 999.5 && i < units.length - 1) {
    value /= 1000;
    i++;
  }
  return `${i === 0 ? Math.round(value) : Number(value.toPrecision(3))} ${units[i]}`;
}

/** A count in words with three significant digits: 23.9 B, 124 M, 4.3 k, 512. */
export function formatCount(n: number): string {
  const steps: [number, string][] = [
    [1e12, 'T'],
    [1e9, 'B'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [size, suffix] of steps)
    if (Math.abs(n) >= size * 0.9995) return `${Number((n / size).toPrecision(3))} ${suffix}`;
  return String(Math.round(n));
}
