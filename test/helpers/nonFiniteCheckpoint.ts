/**
 * Real checkpoints with NaN or Inf inside, for the tests that run them through `weights:`: a tiny random
 * GPT-2 (full GPT-2 vocabulary, so real text tokenizes) exported as a Hugging Face folder, then one
 * tensor's float32 bytes overwritten in place in its model.safetensors.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { exportModelFolder } from '../../extension/lab/models/exportFolder';
import { readSafetensorsHeader } from '../../extension/lab/models/safetensors';
import { tinySpec } from './specs';

export const NAN_TENSOR = 'transformer.h.0.attn.c_attn.weight';

/** Exports a tiny random GPT-2 into `dir` and sets `count` values of `tensor` to `value` (NaN, ±Infinity). */
export async function writeNonFiniteGpt2(
  dir: string,
  cacheDir: string,
  value: number,
  tensor = NAN_TENSOR,
  count = 7,
): Promise<string> {
  const spec = tinySpec('gpt2', { mode: 'eval' }, { vocab_size: 50257, n_positions: 64 });
  const { weightsPath } = await exportModelFolder(spec, cacheDir, dir);
  const entry = readSafetensorsHeader(weightsPath).tensors.get(tensor);
  if (!entry || entry.dtype !== 'F32') throw new Error(`${tensor} is not an F32 tensor of ${weightsPath}`);
  const bytes = Buffer.alloc(4 * count);
  for (let k = 0; k < count; k++) bytes.writeFloatLE(value, 4 * k);
  const fd = openSync(weightsPath, 'r+');
  try {
    writeSync(fd, bytes, 0, bytes.length, entry.begin);
  } finally {
    closeSync(fd);
  }
  return join(dir);
}
