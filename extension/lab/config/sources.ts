/**
 * Where a model's config and weights come from: a preset name, a config.json, a safetensors file or a
 * Hugging Face folder. Everything here is pure: a path is only recorded (resolved against the prompt
 * file's folder). Opening it is `modelFiles.ts`'s job, done after the runner's trust check.
 */
import { extname, resolve } from 'node:path';
import { isPlainWord } from '../io';
import type { Architecture, Suggestion } from '../types';
import { listNames } from './diagnostics';
import { ARCHITECTURES, PRESET_NAMES, PRESETS, copyConfig, isArchitecture } from '../models/registry';
import { closestMatch } from './suggest';

/** A problem found while following a path; the caller places it on the key's value. */
export interface SourceProblem {
  code: string;
  message: string;
  /** For a misspelt preset: the presets, the closest first. */
  suggestion?: Suggestion;
}

export type Sourced<T> = { ok: T } | { problem: SourceProblem };

export interface LoadedConfig {
  /** The raw JSON object (a copy for presets); not validated yet. */
  config: Record<string, unknown>;
  architecture: Architecture;
  /** The preset name or the absolute path of the config.json. */
  source: string;
  /** True when it came from a file a user wrote, so its keys need checking. */
  fromFile: boolean;
}

/** What `config:` names: a preset (complete at once) or a path, opened later. */
export type ConfigRef = { kind: 'preset'; loaded: LoadedConfig } | { kind: 'path'; path: string; written: string };

export const SUPPORTED_MODEL_TYPES: readonly Architecture[] = ARCHITECTURES;

/** Pickle checkpoints: loading one runs whatever code it holds. */
const PICKLE_EXTENSIONS = ['.bin', '.pt', '.pth', '.ckpt', '.pkl', '.pickle'];
export const PICKLE_MESSAGE = 'pickle checkpoints are never loaded: they can run code; convert to safetensors';

export function isPreset(value: string): boolean {
  return Object.hasOwn(PRESETS, value);
}

/** `config:` — a preset name, or the path of a config.json (or of a folder holding one). */
export function configRefOf(value: string, baseDir: string): ConfigRef {
  if (isPreset(value)) {
    const config = copyConfig(PRESETS[value]);
    return { kind: 'preset', loaded: { config, architecture: config.model_type, source: value, fromFile: false } };
  }
  return { kind: 'path', path: resolve(baseDir, value), written: value };
}

const looksLikeName = (written: string) => !/[\\/]/.test(written) && extname(written) !== '.json';

/** The preset a `config:` value that is not one was probably meant to be (`gtp2` → `gpt2`), judged from the text alone. */
export function presetMeant(written: string): string | undefined {
  return looksLikeName(written) ? closestMatch(written, PRESET_NAMES) : undefined;
}

/** The message for a `config:` path where nothing is: a misspelt preset, or a missing file. */
export function missingConfigProblem(written: string, path: string): SourceProblem {
  if (looksLikeName(written)) {
    const guess = presetMeant(written);
    return {
      code: 'unknown-preset',
      message: `\`${written}\` is neither a preset nor a file${guess ? `; did you mean \`${guess}\`?` : '.'} Presets: ${listNames(PRESET_NAMES, 'and')}; or give the path of a config.json (relative to this file's folder).`,
      suggestion: {
        target: 'value',
        key: 'config',
        texts: guess ? [guess, ...PRESET_NAMES.filter((p) => p !== guess)] : PRESET_NAMES,
        closeMatch: guess !== undefined,
      },
    };
  }
  return {
    code: 'file-not-found',
    message: `no config file at ${path} (\`config:\` paths are relative to this file's folder)`,
  };
}

/** `weights:` — the absolute path, unless the name alone says it is a pickle (never opened, not even stat-ed). */
export function weightsPathOf(value: string, baseDir: string): Sourced<string> {
  const path = resolve(baseDir, value);
  if (PICKLE_EXTENSIONS.includes(extname(path).toLowerCase()))
    return { problem: { code: 'pickle-weights', message: PICKLE_MESSAGE } };
  return { ok: path };
}

/** A parsed config.json: a JSON object with a `model_type` the engine builds. Its other keys are checked later. */
export function configFromJson(json: unknown, path: string): Sourced<LoadedConfig> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { problem: { code: 'bad-config-file', message: `${path} must hold a JSON object of config keys` } };
  }
  const record = json as Record<string, unknown>;
  const modelType = Object.hasOwn(record, 'model_type') ? record.model_type : undefined;
  if (modelType === undefined) {
    return {
      problem: {
        code: 'bad-config-file',
        message: `${path} has no \`model_type\`; it must say ${listNames(SUPPORTED_MODEL_TYPES)}`,
      },
    };
  }
  if (!isArchitecture(modelType)) {
    // The value is the file's text: named only when it is a plain word such as `llama`.
    const named =
      typeof modelType === 'string' && isPlainWord(modelType) ? `\`model_type: ${modelType}\`` : '`model_type`';
    return {
      problem: {
        code: 'not-supported',
        message: `not supported yet: ${named} in ${path}; the engine builds ${listNames(SUPPORTED_MODEL_TYPES, 'and')}`,
      },
    };
  }
  return { ok: { config: record, architecture: modelType, source: path, fromFile: true } };
}
