/**
 * The architecture registry: one record per architecture, keyed by the architecture union the report
 * defines (`protocol/report.ts`). `satisfies Record<Architecture, …>` makes the compiler list every
 * architecture a new union member lacks, and each record's type (`ArchitectureModule`) lists everything a
 * module must fill. Everything outside the module folders asks this file, never `architecture === 'bert'`.
 *
 * Adding a family: a folder beside `bert/` with its module, one line here, its tests (CONTRIBUTING.md).
 */
import type { Architecture } from '../../protocol/report';
import type { DropoutRates, HfConfig, Mode } from '../types';
import type { ArchitectureDims, ArchitectureModule, ModelShape } from './architecture';
import { bertModule } from './bert';
import { gpt2Module } from './gpt2';
import { llamaModule, mistralModule, qwen2Module } from './llama';
import { bartModule, marianModule } from './bart';

export const REGISTRY = {
  bert: bertModule,
  gpt2: gpt2Module,
  llama: llamaModule,
  mistral: mistralModule,
  qwen2: qwen2Module,
  bart: bartModule,
  marian: marianModule,
} satisfies Record<Architecture, ArchitectureModule<ArchitectureDims>>;

export type AnyModule = ArchitectureModule<ArchitectureDims>;

/** Every architecture, in the registry's order (for messages and completion). */
export const ARCHITECTURES = Object.keys(REGISTRY) as Architecture[];

export function isArchitecture(value: unknown): value is Architecture {
  return typeof value === 'string' && Object.hasOwn(REGISTRY, value);
}

export function moduleOf(architecture: Architecture): AnyModule {
  return REGISTRY[architecture];
}

/** Every preset of every architecture, by name (a Hub id, or `gpt2` and `bert-base-uncased`). */
export const PRESETS: Readonly<Record<string, Readonly<HfConfig>>> = Object.fromEntries(
  ARCHITECTURES.flatMap((a) => Object.entries(moduleOf(a).presets)),
);

export const PRESET_NAMES: readonly string[] = Object.keys(PRESETS);

/** A deep copy, so a resolved spec never shares (and never mutates) a preset's objects. */
export function copyConfig(config: Readonly<HfConfig>): HfConfig {
  return structuredClone(config) as HfConfig;
}

/** A config with the class defaults filled in for every key it leaves out (what `from_pretrained` holds). */
export function withClassDefaults(config: Readonly<HfConfig>): HfConfig {
  return { ...copyConfig(moduleOf(config.model_type).defaults), ...copyConfig(config) };
}

/** The module of a config and its dimensions. */
export function describeConfig(config: HfConfig): { module: AnyModule; dims: ArchitectureDims; shape: ModelShape } {
  const module = moduleOf(config.model_type);
  const dims = module.dims(config);
  return { module, dims, shape: module.shape(dims) };
}

export function dimsOf(config: HfConfig): ArchitectureDims {
  return moduleOf(config.model_type).dims(config);
}

export function shapeOf(config: HfConfig): ModelShape {
  return describeConfig(config).shape;
}

/** The dropout rates in force, by config key: the config's in train mode, all 0 in eval mode. */
export function dropoutRates(config: HfConfig, mode: Mode): DropoutRates {
  return Object.fromEntries(
    moduleOf(config.model_type).dropoutKeys.map((key) => [key, mode === 'eval' ? 0 : (config[key] as number)]),
  );
}
