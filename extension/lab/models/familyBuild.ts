/**
 * Builds a family model into a folder: `model.safetensors` (Hugging Face names and layouts, float32,
 * from a checkpoint or seeded random init) and `model.onnx`, whose weights are external data in that file
 * (ORT reads them by path: no second copy of the weights in the .onnx, none in JavaScript memory).
 * Written in a temporary folder beside the target and renamed into place, so a crash never leaves a
 * half-written folder that looks complete.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parameterCount, type FamilyModule, type FamilyParameter } from './family';
import { familyCheckpointInit } from './familyCheckpoint';
import { writeFamilyRandomWeights } from './familyWeights';
import { planSafetensors, writeSafetensors } from './safetensors';

export type WeightsFrom = { seed: number } | { checkpoint: string };

export interface BuiltFamilyModel {
  dir: string;
  onnxPath: string;
  weightsPath: string;
  parameters: number;
}

export async function buildFamilyModel<Type extends string, Dims>(
  family: FamilyModule<Type, Dims>,
  dims: Dims,
  from: WeightsFrom,
  dir: string,
  label = 'model',
): Promise<BuiltFamilyModel> {
  const table: FamilyParameter[] = family.parameters(dims);
  const built = {
    dir,
    onnxPath: join(dir, 'model.onnx'),
    weightsPath: join(dir, 'model.safetensors'),
    parameters: parameterCount(table),
  };
  mkdirSync(dirname(dir), { recursive: true });
  const tmp = join(dirname(dir), `.tmp-${basename(dir)}-${process.pid}-${randomBytes(4).toString('hex')}`);
  mkdirSync(tmp);
  try {
    const layout = planSafetensors(table, { format: 'pt' });
    const weightsFile = join(tmp, 'model.safetensors');
    if ('checkpoint' in from) {
      const produce = familyCheckpointInit(from.checkpoint, table, (n) => family.canonicalName(dims, n), label);
      writeSafetensors(weightsFile, table, layout, produce);
    } else await writeFamilyRandomWeights(weightsFile, table, layout, from.seed);
    const shapes = new Map(table.map((p) => [p.name, p.shape]));
    const graph = family.graph(dims, (b, name) => {
      const spot = layout.offsets.get(name);
      const shape = shapes.get(name);
      if (!spot || !shape) throw new Error(`internal: graph asks for unknown parameter ${name}`);
      return b.external({ name, dims: shape, location: 'model.safetensors', offset: spot.begin, length: spot.length });
    });
    writeFileSync(join(tmp, 'model.onnx'), graph.encode(label, 'Perturbation Lab model'));
    if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  return built;
}
