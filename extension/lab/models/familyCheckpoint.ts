/**
 * Reading a family model's parameters from a safetensors checkpoint (a file, a folder, a sharded folder)
 * by Hugging Face name: every tensor's name is mapped to ours by the family's `canonicalName` (prefixes,
 * tied aliases, skipped buffers), shapes are checked against the config, F16/BF16/F64 are converted to
 * float32 on read. A tensor stored under its own name wins over an alias of it (a tied copy).
 */
import type { FamilyParameter } from './family';
import { chunkValues } from './familyWeights';
import { readSafetensorsHeader, readTensorAsFloat32, SafetensorsFormatError, type TensorEntry } from './safetensors';
import { checkpointFiles, CheckpointError } from './weightSource';

interface Found {
  file: string;
  entry: TensorEntry;
  exact: boolean;
}

function headerOf(file: string) {
  try {
    return readSafetensorsHeader(file);
  } catch (e) {
    if (e instanceof SafetensorsFormatError) throw new CheckpointError(e.message);
    throw e;
  }
}

export function familyCheckpointInit(
  path: string,
  table: FamilyParameter[],
  canonicalName: (name: string) => string | null,
  label: string,
): (p: FamilyParameter) => Float32Array {
  const found = new Map<string, Found>();
  for (const file of checkpointFiles(path)) {
    for (const entry of headerOf(file).tensors.values()) {
      const name = canonicalName(entry.name);
      if (!name) continue;
      // Base-model checkpoints (LlamaModel, BartModel) store the same names without `model.`.
      const exact = name === entry.name || name === `model.${entry.name}`;
      if (!found.get(name)?.exact) found.set(name, { file, entry, exact });
    }
  }
  const missing = table.filter((p) => !found.has(p.name) && !p.optional).map((p) => p.name);
  if (missing.length > 0) {
    throw new CheckpointError(
      `${path} lacks ${missing.length} tensor(s) this ${label} config needs: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`,
    );
  }
  for (const p of table) {
    const f = found.get(p.name);
    if (f && f.entry.shape.join('x') !== p.shape.join('x'))
      throw new CheckpointError(
        `${path}: tensor ${f.entry.name} has shape [${f.entry.shape}] but the config implies [${p.shape}]`,
      );
  }
  return (p) => {
    const f = found.get(p.name);
    // An optional tensor the checkpoint lacks starts from its init rule, as Hugging Face does.
    if (!f) {
      const rows = p.shape.length > 1 ? p.shape[0] : 1;
      const width = p.shape.reduce((a, b) => a * b, 1) / rows;
      return chunkValues({ name: p.name, init: p.init, width, rowStart: 0, rowEnd: rows, offset: 0 }, 0);
    }
    try {
      return readTensorAsFloat32(f.file, f.entry);
    } catch (e) {
      if (e instanceof SafetensorsFormatError) throw new CheckpointError(e.message);
      throw e;
    }
  };
}
