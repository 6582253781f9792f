/**
 * Where a model's parameters come from: seeded random init (Hugging Face's rules) or a user's
 * safetensors checkpoint (a file, a folder, or a sharded folder with `model.safetensors.index.json`).
 * Pickle checkpoints are never opened: they can run code.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelDims } from '../config';
import { canonicalParameterName, type ParameterSpec } from './architectures/parameters';
import { fillNormal, streamSeed, Xoshiro128 } from './random';
import { readSafetensorsHeader, readTensorAsFloat32, SafetensorsFormatError, type TensorEntry } from './safetensors';

export type Produce = (p: ParameterSpec) => Float32Array;

/** Thrown when a checkpoint doesn't fit the config; callers attach the place in the prompt file. */
export class CheckpointError extends Error {}

export function randomInit(seed: number): Produce {
  return (p) => {
    const count = p.shape.reduce((a, b) => a * b, 1);
    const out = new Float32Array(count);
    switch (p.init.kind) {
      case 'ones':
        out.fill(1);
        break;
      case 'zeros':
        break;
      case 'normal': {
        fillNormal(out, p.init.std, new Xoshiro128(streamSeed('weights', seed, p.name)));
        if (p.init.zeroRow !== undefined && p.init.zeroRow < p.shape[0]) {
          const width = p.shape[1];
          out.fill(0, p.init.zeroRow * width, (p.init.zeroRow + 1) * width);
        }
        break;
      }
    }
    return out;
  };
}

/** The safetensors files of a checkpoint path (file or folder), in a stable order. */
export function checkpointFiles(path: string): string[] {
  if (!existsSync(path)) throw new CheckpointError(`weights not found: ${path}`);
  if (statSync(path).isFile()) return [path];
  const index = join(path, 'model.safetensors.index.json');
  if (existsSync(index)) {
    let map: unknown;
    try {
      map = (JSON.parse(readFileSync(index, 'utf8')) as { weight_map?: unknown }).weight_map;
    } catch (e) {
      throw new CheckpointError(`${index} is not valid JSON: ${(e as Error).message}`);
    }
    const files = typeof map === 'object' && map !== null ? Object.values(map) : [];
    if (files.length === 0 || !files.every((f) => typeof f === 'string' && !f.includes('/') && !f.includes('\\'))) {
      throw new CheckpointError(`${index} has no usable weight_map (file names beside the index)`);
    }
    return [...new Set(files as string[])].sort().map((f) => join(path, f));
  }
  const single = join(path, 'model.safetensors');
  if (existsSync(single)) return [single];
  throw new CheckpointError(
    `${path} holds no model.safetensors (pickle files such as pytorch_model.bin are never loaded: they can run code)`,
  );
}

/** Reads parameters from a checkpoint by Hugging Face name, checking every shape against the config. */
export function checkpointInit(path: string, dims: ModelDims, table: ParameterSpec[]): Produce {
  const found = new Map<string, { file: string; entry: TensorEntry }>();
  for (const file of checkpointFiles(path)) {
    let header;
    try {
      header = readSafetensorsHeader(file);
    } catch (e) {
      if (e instanceof SafetensorsFormatError) throw new CheckpointError(e.message);
      throw e;
    }
    for (const entry of header.tensors.values()) {
      const name = canonicalParameterName(dims, entry.name);
      if (name) found.set(name, { file, entry });
    }
  }
  const missing = table.filter((p) => !found.has(p.name) && !p.unusedByGraph).map((p) => p.name);
  if (missing.length > 0) {
    throw new CheckpointError(
      `${path} lacks ${missing.length} tensor(s) this ${dims.architecture} config needs: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`,
    );
  }
  for (const p of table) {
    const f = found.get(p.name);
    if (f && f.entry.shape.join('x') !== p.shape.join('x')) {
      throw new CheckpointError(
        `${path}: tensor ${f.entry.name} has shape [${f.entry.shape}] but the config implies [${p.shape}]`,
      );
    }
  }
  const fallback = randomInit(0);
  return (p) => {
    const f = found.get(p.name);
    // A BertModel folder without a pooler is still usable; the pooler is not part of the forward pass here.
    if (!f) return fallback(p);
    try {
      return readTensorAsFloat32(f.file, f.entry);
    } catch (e) {
      if (e instanceof SafetensorsFormatError) throw new CheckpointError(e.message);
      throw e;
    }
  };
}

/** What identifies a checkpoint's content for the cache key: each file's path, size and mtime. */
export function checkpointIdentity(path: string): { file: string; size: number; mtimeMs: number }[] {
  return checkpointFiles(path).map((file) => {
    const s = statSync(file);
    return { file, size: s.size, mtimeMs: s.mtimeMs };
  });
}
