/**
 * Built models on disk: `<cacheDir>/models/<key>/` holds `model.onnx`, whose weights live as external
 * data in `model.safetensors` (Hugging Face names and layouts, so the folder is also a Hugging Face
 * checkpoint), and `meta.json`, written last, with the size and sha256 of both. A model is built in a
 * temporary folder and renamed into place, so a crash never leaves a half-written entry that looks
 * complete; an entry whose files no longer match their record is moved aside and rebuilt (cacheEntry.ts).
 * The key covers the architecture's dimensions (everything its graph and parameter table are built from),
 * the weight source — a seed, or a checkpoint's content hash — and the builder version; not `is_decoder`,
 * `mode` or dropout rates, which are graph inputs. Every architecture is built here, through its module.
 * Every step takes an AbortSignal: a cancelled build stops its workers and removes its folder.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelSpec } from '../types';
import { throwIfCancelled } from '../cancel';
import { liveTempFolders, trackTempFolder } from '../tempFolders';
import type { ArchitectureDims } from './architecture';
import { parameterCount } from './blocks/parameters';
import { dimsOf, moduleOf } from './registry';
import { planSafetensors } from './safetensors';
import { checkpointInit } from './weightSource';
import { writeRandomWeights } from './randomWeights';
import { writeWeightsYielding } from './weightFile';
import { checkpointContent, checkUnchanged, type CheckpointContent } from './checkpointHash';
import {
  contentDamage,
  damageOf,
  ENTRY_FILES,
  markVerified,
  moveAside,
  structureDamage,
  sweepLeftovers,
  type EntryMeta,
} from './cacheEntry';
import { sha256OfFile } from './fileHash';

/** Bump when a graph or the weight layout changes: old cache entries are then never reused. */
export const BUILDER_VERSION = 10; // 7: patching and lens; 9: seq2seq heads and cross_heads patching; 10: the lens layer by layer

export interface BuiltModel {
  key: string;
  dir: string;
  onnxPath: string;
  weightsPath: string;
  dims: ArchitectureDims;
}

/**
 * The cache key of a spec. A checkpoint's identity is its content: pass what `checkpointContent` found
 * for `spec.weights` (`modelKey` does both).
 */
export function cacheKey(spec: ModelSpec, checkpoint: CheckpointContent | null = null): string {
  const d = dimsOf(spec.config);
  if (spec.weights && !checkpoint) throw new Error('internal: the cache key of a checkpoint needs its content');
  // The dimensions hold the init rules too (initializer range, padding row): a seed alone does not name the weights.
  const source = spec.weights ? { weights: checkpoint!.files.map((f) => [f.name, f.sha256]) } : { seed: spec.seed };
  const text = JSON.stringify({ builder: BUILDER_VERSION, dims: d, source });
  return `${d.architecture}-${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
}

/** The key of a spec, hashing its checkpoint's files first if they changed since they were last hashed. */
export async function modelKey(
  spec: ModelSpec,
  cacheDir: string,
  signal?: AbortSignal,
): Promise<{ key: string; checkpoint: CheckpointContent | null }> {
  const checkpoint = spec.weights ? await checkpointContent(spec.weights, cacheDir, signal) : null;
  return { key: cacheKey(spec, checkpoint), checkpoint };
}

export type BuildProgress = (message: string) => void;

/** Returns the cached model for a spec after checking it is intact, building (or rebuilding) it first if needed. */
export async function ensureModel(
  spec: ModelSpec,
  cacheDir: string,
  progress: BuildProgress = () => {},
  signal?: AbortSignal,
): Promise<BuiltModel> {
  const { built, contentCheck } = await prepareModel(spec, cacheDir, progress, signal);
  const damage = contentCheck && (await contentCheck);
  return damage ? rebuildDamaged(spec, built, damage, cacheDir, progress, signal) : built;
}

/**
 * The cached model for a spec, built first if it is missing or its structure is damaged (meta.json, file
 * sizes), with the check of its files' content still running (on a worker thread for the weights) when
 * there is one to run: the caller may open the model meanwhile, and must not use it unless the check finds
 * nothing (else `rebuildDamaged`). The check rejects with CancelledError if `signal` aborts.
 */
export async function prepareModel(
  spec: ModelSpec,
  cacheDir: string,
  progress: BuildProgress = () => {},
  signal?: AbortSignal,
): Promise<{ built: BuiltModel; contentCheck: Promise<string | null> | null }> {
  const { key, checkpoint } = await modelKey(spec, cacheDir, signal);
  const root = join(cacheDir, 'models');
  const dir = join(root, key);
  const built: BuiltModel = {
    key,
    dir,
    onnxPath: join(dir, 'model.onnx'),
    weightsPath: join(dir, 'model.safetensors'),
    dims: dimsOf(spec.config),
  };
  if (existsSync(dir)) {
    const structure = structureDamage(dir, key);
    if ('meta' in structure) return { built, contentCheck: contentDamage(dir, structure.meta, signal) };
    return {
      built: await rebuildDamaged(spec, built, structure.damage, cacheDir, progress, signal),
      contentCheck: null,
    };
  }
  await buildOrAdopt(spec, built, checkpoint, progress, signal);
  return { built, contentCheck: null };
}

/** Moves a damaged entry aside, says so, and builds it again. */
export async function rebuildDamaged(
  spec: ModelSpec,
  built: BuiltModel,
  damage: string,
  cacheDir: string,
  progress: BuildProgress,
  signal: AbortSignal | undefined,
): Promise<BuiltModel> {
  const root = join(cacheDir, 'models');
  const aside = moveAside(root, built.key);
  progress(
    `the cached model ${built.key} is damaged (${damage})` +
      (aside ? `; moved aside to ${join(root, aside)} (removed later) and rebuilt` : '; rebuilding it'),
  );
  const { checkpoint } = await modelKey(spec, cacheDir, signal);
  await buildOrAdopt(spec, built, checkpoint, progress, signal);
  return built;
}

/** Builds the entry; if another process renamed its build into place first, checks and uses theirs. */
async function buildOrAdopt(
  spec: ModelSpec,
  built: BuiltModel,
  checkpoint: CheckpointContent | null,
  progress: BuildProgress,
  signal: AbortSignal | undefined,
): Promise<void> {
  const ours = await build(spec, built.dims, built.key, checkpoint, join(built.dir, '..'), progress, signal);
  if (ours) return;
  const damage = await damageOf(built.dir, built.key, signal);
  if (damage !== null) throw new Error(`the cache entry ${built.dir} was replaced by a damaged one (${damage})`);
}

async function build(
  spec: ModelSpec,
  dims: ArchitectureDims,
  key: string,
  checkpoint: CheckpointContent | null,
  root: string,
  progress: BuildProgress,
  signal: AbortSignal | undefined,
): Promise<boolean> {
  mkdirSync(root, { recursive: true });
  sweepLeftovers(root, liveTempFolders());
  throwIfCancelled(signal);
  const tmp = join(root, `.tmp-${key}-${process.pid}-${randomBytes(4).toString('hex')}`);
  mkdirSync(tmp);
  const untrack = trackTempFolder(tmp);
  try {
    const module = moduleOf(dims.architecture);
    const table = module.parameters(dims);
    const count = parameterCount(table);
    progress(
      spec.weights
        ? `loading ${(count / 1e6).toFixed(1)}M parameters from ${spec.weights}`
        : `generating ${(count / 1e6).toFixed(1)}M random parameters (seed ${spec.seed})`,
    );
    const layout = planSafetensors(table, { format: 'pt' });
    const weightsFile = join(tmp, 'model.safetensors');
    if (spec.weights) {
      const produce = checkpointInit(spec.weights, table, (name) => module.canonicalName(dims, name), module.label);
      await writeWeightsYielding(weightsFile, table, layout, produce, signal);
      checkUnchanged(spec.weights, checkpoint!);
    } else await writeRandomWeights(weightsFile, table, layout, spec.seed, signal);
    throwIfCancelled(signal);
    progress('writing the ONNX graph');
    const shapes = new Map(table.map((p) => [p.name, p.shape]));
    const graph = module.graph(dims, (b, name) => {
      const spot = layout.offsets.get(name);
      const shape = shapes.get(name);
      if (!spot || !shape) throw new Error(`internal: graph asks for unknown parameter ${name}`);
      return b.external({
        name,
        dims: shape,
        location: 'model.safetensors',
        offset: spot.begin,
        length: spot.length,
      });
    });
    writeFileSync(join(tmp, 'model.onnx'), graph.encode(`${dims.architecture}-${key}`, 'Perturbation Lab model'));
    const files = {} as EntryMeta['files'];
    for (const name of ENTRY_FILES) files[name] = await sha256OfFile(join(tmp, name), signal);
    const meta: EntryMeta = {
      key,
      builder: BUILDER_VERSION,
      architecture: dims.architecture,
      parameters: count,
      weights: spec.weights ?? null,
      seed: spec.weights ? null : spec.seed,
      checkpoint: checkpoint?.files ?? null,
      files,
    };
    writeFileSync(join(tmp, 'meta.json'), JSON.stringify(meta, null, 2));
    throwIfCancelled(signal);
    const dir = join(root, key);
    try {
      renameSync(tmp, dir);
    } catch (e) {
      // Another process finished the same model first: keep theirs (the caller checks it).
      if (!existsSync(join(dir, 'meta.json'))) throw e;
      rmSync(tmp, { recursive: true, force: true });
      return false;
    }
    // What we just wrote and hashed needs no second hash in this process.
    for (const name of ENTRY_FILES) markVerified(join(dir, name), files[name]);
    return true;
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  } finally {
    untrack();
  }
}
