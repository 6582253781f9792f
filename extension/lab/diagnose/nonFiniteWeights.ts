/**
 * Which tensors of a checkpoint hold NaN or ±Inf — read only when a run's states turned out non-finite,
 * so the finding can name the culprit (`transformer.h.0.attn.c_attn.weight holds NaN`) instead of
 * leaving the user to search. One tensor at a time; remembered per file content (path, size, mtime).
 */
import { statSync } from 'node:fs';
import type { NonFiniteTensor } from '../../protocol/report';
import { readSafetensorsHeader, readTensorAsFloat32 } from '../models/safetensors';
import { checkpointFiles } from '../models/weightSource';

const FLOAT_DTYPES = new Set(['F32', 'F16', 'BF16', 'F64']);
const scanned = new Map<string, NonFiniteTensor[]>();

/** The checkpoint's tensors that hold NaN or ±Inf, in file order; null when the files can't be read. */
export function nonFiniteTensorsOf(path: string): NonFiniteTensor[] | null {
  try {
    const files = checkpointFiles(path);
    const key = files.map((f) => `${f}:${statSync(f).size}:${statSync(f).mtimeMs}`).join('|');
    const known = scanned.get(key);
    if (known) return known;
    const found: NonFiniteTensor[] = [];
    for (const file of files) {
      for (const entry of readSafetensorsHeader(file).tensors.values()) {
        if (!FLOAT_DTYPES.has(entry.dtype)) continue;
        const counts = countNonFinite(readTensorAsFloat32(file, entry));
        if (counts.nan + counts.positiveInfinity + counts.negativeInfinity > 0)
          found.push({ name: entry.name, file, ...counts });
      }
    }
    scanned.set(key, found);
    return found;
  } catch {
    // Moved or damaged since it was loaded: the finding then says the tensors could not be checked.
    return null;
  }
}

function countNonFinite(values: Float32Array): Pick<NonFiniteTensor, 'nan' | 'positiveInfinity' | 'negativeInfinity'> {
  let nan = 0;
  let positiveInfinity = 0;
  let negativeInfinity = 0;
  for (let k = 0; k < values.length; k++) {
    const x = values[k];
    if (Math.abs(x) < Infinity) continue;
    if (x !== x) nan++;
    else if (x > 0) positiveInfinity++;
    else negativeInfinity++;
  }
  return { nan, positiveInfinity, negativeInfinity };
}
