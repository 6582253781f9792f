/** Tiny family models for engine tests: a fixture's config with overrides, random seeded weights or a checkpoint. */
import { join } from 'node:path';
import { buildFamilyModel, type WeightsFrom } from '../../extension/lab/models/familyBuild';
import { withDefaults, type FamilyConfig } from '../../extension/lab/models/familyKeys';
import { DecoderSession, llamaFamily, type LlamaDims, type LlamaType } from '../../extension/lab/models/llama';
import { Seq2SeqSession, seq2seqFamily, type Seq2SeqDims, type Seq2SeqType } from '../../extension/lab/models/bart';
import { fixtureConfig } from './familyReference';
import { freshDir } from './paths';

export function llamaConfig(fixture: 'llama' | 'qwen2', overrides: FamilyConfig = {}): FamilyConfig {
  const raw = { ...fixtureConfig(fixture), ...overrides };
  return withDefaults(raw, llamaFamily.defaults[raw.model_type as LlamaType]);
}

export async function openDecoder(
  config: FamilyConfig,
  from: WeightsFrom = { seed: 7 },
): Promise<{ session: DecoderSession; dims: LlamaDims; weightsPath: string }> {
  const dims = llamaFamily.dims(config);
  const built = await buildFamilyModel(llamaFamily, dims, from, join(freshDir(), 'model'));
  return { session: await DecoderSession.open(built.onnxPath, dims), dims, weightsPath: built.weightsPath };
}

export function seq2seqConfig(fixture: 'bart' | 'marian', overrides: FamilyConfig = {}): FamilyConfig {
  const raw = { ...fixtureConfig(fixture), ...overrides };
  return withDefaults(raw, seq2seqFamily.defaults[raw.model_type as Seq2SeqType]);
}

export async function openSeq2Seq(
  config: FamilyConfig,
  from: WeightsFrom = { seed: 7 },
): Promise<{ session: Seq2SeqSession; dims: Seq2SeqDims }> {
  const dims = seq2seqFamily.dims(config);
  const built = await buildFamilyModel(seq2seqFamily, dims, from, join(freshDir(), 'model'));
  return { session: await Seq2SeqSession.open(built.onnxPath, dims), dims };
}

/** Row `position` of a [T, width] state. */
export function row(state: Float32Array, position: number, width: number): Float32Array {
  return state.subarray(position * width, (position + 1) * width);
}

export function identical(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}
