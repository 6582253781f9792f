/**
 * Where a model's config and weights come from: a preset name, a config.json, a safetensors
 * file or a Hugging Face folder. Everything goes through FileAccess, so the language server
 * can answer from open documents and tests can use temp folders.
 */
import { readFileSync, statSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import type { Architecture, Suggestion } from '../types';
import { listNames } from './diagnostics';
import { PRESET_NAMES, PRESETS, copyConfig } from './presets';
import { closestMatch } from './suggest';

export interface FileAccess {
  /** The file's text, or undefined when it cannot be read. */
  readFile(path: string): string | undefined;
  /** True for files and folders. */
  fileExists(path: string): boolean;
  isDirectory(path: string): boolean;
}

export const nodeFileAccess: FileAccess = {
  readFile(path) {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  },
  fileExists: (path) => statSync(path, { throwIfNoEntry: false }) !== undefined,
  isDirectory: (path) => statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false,
};

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

const SUPPORTED_MODEL_TYPES: readonly Architecture[] = ['bert', 'gpt2'];

/** Pickle checkpoints: loading one runs whatever code it holds. */
const PICKLE_EXTENSIONS = ['.bin', '.pt', '.pth', '.ckpt', '.pkl', '.pickle'];
const PICKLE_MESSAGE = 'pickle checkpoints are never loaded: they can run code; convert to safetensors';

export function isPreset(value: string): boolean {
  return Object.hasOwn(PRESETS, value);
}

/** `config:` — a preset name, a config.json, or a folder holding one. */
export function loadConfig(value: string, baseDir: string, files: FileAccess): Sourced<LoadedConfig> {
  if (isPreset(value)) {
    const config = copyConfig(PRESETS[value]);
    return { ok: { config, architecture: config.model_type, source: value, fromFile: false } };
  }
  const path = resolve(baseDir, value);
  if (!files.fileExists(path)) {
    const looksLikeName = !/[\\/]/.test(value) && extname(value) !== '.json';
    if (looksLikeName) {
      const guess = closestMatch(value, PRESET_NAMES);
      return {
        problem: {
          code: 'unknown-preset',
          message: `\`${value}\` is neither a preset nor a file${guess ? `; did you mean \`${guess}\`?` : '.'} Presets: ${listNames(PRESET_NAMES, 'and')}; or give the path of a config.json (relative to this file's folder).`,
          suggestion: {
            target: 'value',
            key: 'config',
            texts: guess ? [guess, ...PRESET_NAMES.filter((p) => p !== guess)] : PRESET_NAMES,
            closeMatch: guess !== undefined,
          },
        },
      };
    }
    return {
      problem: {
        code: 'file-not-found',
        message: `no config file at ${path} (\`config:\` paths are relative to this file's folder)`,
      },
    };
  }
  const file = files.isDirectory(path) ? join(path, 'config.json') : path;
  if (file !== path && !files.fileExists(file)) {
    return { problem: { code: 'file-not-found', message: `the folder ${path} has no config.json` } };
  }
  return readConfigFile(file, files);
}

/** Read and parse a config.json; its keys are checked later, against its architecture. */
export function readConfigFile(path: string, files: FileAccess): Sourced<LoadedConfig> {
  const text = files.readFile(path);
  if (text === undefined) return { problem: { code: 'file-not-found', message: `cannot read ${path}` } };
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch (err) {
    return { problem: { code: 'bad-config-file', message: `${path} is not valid JSON (${(err as Error).message})` } };
  }
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    return { problem: { code: 'bad-config-file', message: `${path} must hold a JSON object of config keys` } };
  }
  const record = config as Record<string, unknown>;
  const modelType = record.model_type;
  if (modelType === undefined) {
    return {
      problem: {
        code: 'bad-config-file',
        message: `${path} has no \`model_type\`; it must say ${listNames(SUPPORTED_MODEL_TYPES)}`,
      },
    };
  }
  if (!SUPPORTED_MODEL_TYPES.includes(modelType as Architecture)) {
    return {
      problem: {
        code: 'not-supported',
        message: `not supported yet: \`model_type: ${String(modelType)}\` in ${path}; the engine builds ${listNames(SUPPORTED_MODEL_TYPES, 'and')}`,
      },
    };
  }
  return { ok: { config: record, architecture: modelType as Architecture, source: path, fromFile: true } };
}

export interface InspectedWeights {
  /** Absolute path of the safetensors file or of the folder. */
  path: string;
  /** The folder's config.json, when `weights:` is a folder that has one. */
  folderConfig?: string;
}

/** `weights:` — a safetensors file, or a Hugging Face folder with model.safetensors. Never a pickle. */
export function inspectWeights(value: string, baseDir: string, files: FileAccess): Sourced<InspectedWeights> {
  const path = resolve(baseDir, value);
  if (PICKLE_EXTENSIONS.includes(extname(path).toLowerCase()))
    return { problem: { code: 'pickle-weights', message: PICKLE_MESSAGE } };
  if (!files.fileExists(path)) {
    return {
      problem: {
        code: 'file-not-found',
        message: `no weights at ${path} (\`weights:\` paths are relative to this file's folder)`,
      },
    };
  }
  if (!files.isDirectory(path)) {
    if (extname(path).toLowerCase() !== '.safetensors') {
      return {
        problem: {
          code: 'bad-weights',
          message: `\`weights:\` must be a .safetensors file or a Hugging Face folder, not ${basename(path)}`,
        },
      };
    }
    return { ok: { path } };
  }
  const has = (name: string) => files.fileExists(join(path, name));
  if (!has('model.safetensors')) {
    if (has('model.safetensors.index.json')) {
      return {
        problem: {
          code: 'not-supported',
          message: `not supported yet: sharded safetensors (${path} has model.safetensors.index.json); save the model as one model.safetensors`,
        },
      };
    }
    if (has('pytorch_model.bin') || has('pytorch_model.bin.index.json'))
      return { problem: { code: 'pickle-weights', message: `${PICKLE_MESSAGE} (${path} has only pytorch_model.bin)` } };
    return { problem: { code: 'file-not-found', message: `the folder ${path} has no model.safetensors` } };
  }
  return { ok: { path, folderConfig: has('config.json') ? join(path, 'config.json') : undefined } };
}
