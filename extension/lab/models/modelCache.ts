/**
 * Built models on disk: `<cacheDir>/models/<key>/` holds `model.onnx`, whose weights live as external
 * data in `model.safetensors` (Hugging Face names and layouts, so the folder is also a Hugging Face
 * checkpoint), and `meta.json`, written last. A model is built in a temporary folder and renamed into
 * place, so a crash never leaves a half-written entry that looks complete.
 * The key covers the forward-relevant config, the weight source and the builder version — not
 * `is_decoder`, `mode` or dropout rates, which are graph inputs.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelSpec } from '../types';
import { dimsOf, type ModelDims } from '../config';
import { parameterTable } from './architectures/parameters';
import { buildGraph } from './architectures/graph';
import { planSafetensors, writeSafetensors } from './safetensors';
import { checkpointIdentity, checkpointInit } from './weightSource';
import { writeRandomWeights } from './randomWeightsParallel';

/** Bump when a graph or the weight layout changes: old cache entries are then never reused. */
export const BUILDER_VERSION = 4;

export interface BuiltModel {
  key: string;
  dir: string;
  onnxPath: string;
  weightsPath: string;
  dims: ModelDims;
}

export function cacheKey(spec: ModelSpec): string {
  const d = dimsOf(spec.config);
  const shape = {
    architecture: d.architecture,
    numLayers: d.numLayers,
    hiddenSize: d.hiddenSize,
    numHeads: d.numHeads,
    intermediateSize: d.intermediateSize,
    vocabSize: d.vocabSize,
    maxPositions: d.maxPositions,
    typeVocabSize: d.typeVocabSize,
    layerNormEps: d.layerNormEps,
  };
  const source = spec.weights
    ? { weights: checkpointIdentity(spec.weights) }
    : { seed: spec.seed, initializerRange: d.initializerRange, padTokenId: d.padTokenId };
  const text = JSON.stringify({ builder: BUILDER_VERSION, shape, source });
  return `${d.architecture}-${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
}

export type BuildProgress = (message: string) => void;

/** A build folder untouched for this long was left by a process that died mid-build. */
const STALE_BUILD_MS = 60 * 60 * 1000;

function sweepStaleBuilds(root: string): void {
  for (const name of readdirSync(root)) {
    if (!name.startsWith('.tmp-')) continue;
    const path = join(root, name);
    try {
      if (Date.now() - statSync(path).mtimeMs > STALE_BUILD_MS) rmSync(path, { recursive: true, force: true });
    } catch {
      // Another process removed or renamed it first.
    }
  }
}

/** Returns the cached model for a spec, building it first if needed. */
export async function ensureModel(
  spec: ModelSpec,
  cacheDir: string,
  progress: BuildProgress = () => {},
): Promise<BuiltModel> {
  const dims = dimsOf(spec.config);
  const key = cacheKey(spec);
  const root = join(cacheDir, 'models');
  const dir = join(root, key);
  const built: BuiltModel = {
    key,
    dir,
    onnxPath: join(dir, 'model.onnx'),
    weightsPath: join(dir, 'model.safetensors'),
    dims,
  };
  if (existsSync(join(dir, 'meta.json'))) return built;

  mkdirSync(root, { recursive: true });
  sweepStaleBuilds(root);
  const tmp = join(root, `.tmp-${key}-${process.pid}-${randomBytes(4).toString('hex')}`);
  mkdirSync(tmp);
  try {
    const table = parameterTable(dims);
    const count = table.reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
    progress(
      spec.weights
        ? `loading ${(count / 1e6).toFixed(1)}M parameters from ${spec.weights}`
        : `generating ${(count / 1e6).toFixed(1)}M random parameters (seed ${spec.seed})`,
    );
    const layout = planSafetensors(table, { format: 'pt' });
    const weightsFile = join(tmp, 'model.safetensors');
    if (spec.weights) writeSafetensors(weightsFile, table, layout, checkpointInit(spec.weights, dims, table));
    else await writeRandomWeights(weightsFile, table, layout, spec.seed);
    progress('writing the ONNX graph');
    const graph = buildGraph(dims, (b, name) => {
      const spot = layout.offsets.get(name);
      const p = table.find((t) => t.name === name);
      if (!spot || !p) throw new Error(`internal: graph asks for unknown parameter ${name}`);
      return b.external({
        name,
        dims: p.shape,
        location: 'model.safetensors',
        offset: spot.begin,
        length: spot.length,
      });
    });
    writeFileSync(join(tmp, 'model.onnx'), graph.encode(`${dims.architecture}-${key}`, 'Perturbation Lab model'));
    writeFileSync(
      join(tmp, 'meta.json'),
      JSON.stringify(
        {
          key,
          builder: BUILDER_VERSION,
          architecture: dims.architecture,
          parameters: count,
          weights: spec.weights ?? null,
          seed: spec.weights ? null : spec.seed,
        },
        null,
        2,
      ),
    );
    try {
      renameSync(tmp, dir);
    } catch (e) {
      // Another process finished the same model first: theirs is complete, use it.
      if (!existsSync(join(dir, 'meta.json'))) throw e;
      rmSync(tmp, { recursive: true, force: true });
    }
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  return built;
}
