/**
 * Where a model's parameters come from: seeded random init (Hugging Face's rules) or a user's
 * safetensors checkpoint (a file, a folder, or a sharded folder with `model.safetensors.index.json`).
 * Pickle checkpoints are never opened: they can run code. Every file is opened through `../io`: regular
 * files only, size caps, a truncated file is an error.
 */
import { extname, isAbsolute, join } from 'node:path';
import {
  UserFileError,
  foreignName,
  kindOfPath,
  kindOfPathSync,
  parseJsonFile,
  readRegularFile,
  readRegularFileSync,
} from '../io';
import type { ModelDims } from '../config';
import { canonicalParameterName, type ParameterSpec } from './architectures/parameters';
import { fillNormal, streamSeed, Xoshiro128 } from './random';
import {
  readSafetensorsHeader,
  readSafetensorsHeaderAsync,
  readTensorAsFloat32,
  SafetensorsFormatError,
  type TensorEntry,
} from './safetensors';

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

const INDEX = 'model.safetensors.index.json';
const SINGLE = 'model.safetensors';
const NO_SAFETENSORS = (path: string) =>
  `${path} holds no model.safetensors (pickle files such as pytorch_model.bin are never loaded: they can run code)`;

/**
 * The shard files an index names, checked: each a plain file name beside the index ending in
 * `.safetensors` — never a path (`../x`, `/etc/passwd`, `sub/x`), so an index cannot point outside its folder.
 */
export function shardFilesOf(index: unknown, folder: string, indexPath: string): string[] {
  const map = typeof index === 'object' && index !== null ? (index as { weight_map?: unknown }).weight_map : undefined;
  const names = typeof map === 'object' && map !== null && !Array.isArray(map) ? Object.values(map) : [];
  if (names.length === 0)
    throw new CheckpointError(`${indexPath} has no usable \`weight_map\` (tensor names → shard file names)`);
  for (const name of names) {
    const plain =
      typeof name === 'string' &&
      name !== '' &&
      !/[\\/\u0000]/.test(name) &&
      name !== '.' &&
      name !== '..' &&
      !isAbsolute(name) &&
      extname(name).toLowerCase() === '.safetensors';
    if (!plain)
      throw new CheckpointError(
        `${indexPath}: \`weight_map\` names ${typeof name === 'string' ? foreignName(name) : 'something that is not a file name'}; every shard must be a .safetensors file beside the index (a plain file name, no folder)`,
      );
  }
  return [...new Set(names as string[])].sort().map((f) => join(folder, f));
}

/** Reads an index (regular file, size cap, JSON with its place on error). */
function readIndexSync(indexPath: string): unknown {
  return parseJsonFile(readRegularFileSync(indexPath, { limit: 'indexJson', what: 'safetensors index' }), indexPath);
}

/** UserFileError (a FIFO, a loop, a truncated file …) and format errors become CheckpointError: the user's input. */
function asCheckpointError(e: unknown): unknown {
  if (e instanceof UserFileError || e instanceof SafetensorsFormatError) return new CheckpointError(e.message);
  return e;
}

/** The safetensors files of a checkpoint path (file or folder), in a stable order; each a regular file. */
export function checkpointFiles(path: string): string[] {
  try {
    const kind = kindOfPathSync(path);
    if (kind === 'missing') throw new CheckpointError(`weights not found: ${path}`);
    if (kind === 'file') return [path];
    const index = join(path, INDEX);
    const single = join(path, SINGLE);
    if (kindOfPathSync(single) === 'file') return [single];
    if (kindOfPathSync(index) === 'file') {
      const files = shardFilesOf(readIndexSync(index), path, index);
      for (const f of files)
        if (kindOfPathSync(f) !== 'file') throw new CheckpointError(`${index} names a shard that is missing: ${f}`);
      return files;
    }
    throw new CheckpointError(NO_SAFETENSORS(path));
  } catch (e) {
    throw asCheckpointError(e);
  }
}

/**
 * The same check, without blocking (the language server and the runner's file phase): the files exist,
 * are regular, and every header is a valid safetensors header. Shapes are checked against the config
 * when the model is built.
 */
export async function inspectCheckpointFiles(path: string, kind: 'file' | 'folder'): Promise<string[]> {
  try {
    let files: string[];
    if (kind === 'file') files = [path];
    else {
      const single = join(path, SINGLE);
      const index = join(path, INDEX);
      if ((await kindOfPath(single)) === 'file') files = [single];
      else if ((await kindOfPath(index)) === 'file') {
        const json = parseJsonFile(
          await readRegularFile(index, { limit: 'indexJson', what: 'safetensors index' }),
          index,
        );
        files = shardFilesOf(json, path, index);
        for (const f of files)
          if ((await kindOfPath(f)) !== 'file')
            throw new CheckpointError(`${index} names a shard that is missing: ${f}`);
      } else throw new CheckpointError(NO_SAFETENSORS(path));
    }
    for (const f of files) await readSafetensorsHeaderAsync(f);
    return files;
  } catch (e) {
    throw asCheckpointError(e);
  }
}

/** Reads parameters from a checkpoint by Hugging Face name, checking every shape against the config. */
export function checkpointInit(path: string, dims: ModelDims, table: ParameterSpec[]): Produce {
  const found = new Map<string, { file: string; entry: TensorEntry }>();
  for (const file of checkpointFiles(path)) {
    let header;
    try {
      header = readSafetensorsHeader(file);
    } catch (e) {
      throw asCheckpointError(e);
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
      throw asCheckpointError(e);
    }
  };
}
