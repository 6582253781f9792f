/**
 * Where a model's parameters come from when they are not random (randomWeights.ts): a user's
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
import type { ParameterSpec } from './blocks/parameters';
import { initialValues } from './randomWeights';
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

interface Found {
  file: string;
  entry: TensorEntry;
  /** Stored under our own name (not a tied alias or a base-model name without `model.`). */
  exact: boolean;
}

/**
 * Reads a model's parameters from a checkpoint (a file, a folder, a sharded folder) by Hugging Face name:
 * every tensor's name is mapped to ours by the architecture's `canonicalName` (prefixes, tied aliases,
 * skipped buffers), shapes are checked against the config, F16/BF16/F64 are widened to float32 on read. A
 * tensor stored under its own name wins over an alias of it (a tied copy). An optional parameter the
 * checkpoint lacks (BERT's pooler, BART's `final_logits_bias`) starts from its init rule, as Hugging Face
 * starts it.
 */
export function checkpointInit(
  path: string,
  table: readonly ParameterSpec[],
  canonicalName: (name: string) => string | null,
  label: string,
): Produce {
  const found = new Map<string, Found>();
  for (const file of checkpointFiles(path)) {
    let header;
    try {
      header = readSafetensorsHeader(file);
    } catch (e) {
      throw asCheckpointError(e);
    }
    for (const entry of header.tensors.values()) {
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
    if (f && f.entry.shape.join('x') !== p.shape.join('x')) {
      throw new CheckpointError(
        `${path}: tensor ${f.entry.name} has shape [${f.entry.shape}] but the config implies [${p.shape}]`,
      );
    }
  }
  return (p) => {
    const f = found.get(p.name);
    if (!f) return initialValues(p, 0);
    try {
      return readTensorAsFloat32(f.file, f.entry);
    } catch (e) {
      throw asCheckpointError(e);
    }
  };
}
