/**
 * The second phase of resolving a model entry: open what `config:` and `weights:` name. Runs only after
 * the runner's trust check (the parser never calls it), through a ModelFileReader, so the language
 * server can do it off its request loop and tests can use a temp folder or memory. Every problem comes
 * back as a SourceProblem for the caller to place on the entry's `config:` or `weights:` value.
 */
import { basename, join } from 'node:path';
import {
  UserFileError,
  WHAT_IS_CAPPED,
  kindOfPath,
  parseJsonFile,
  readRegularFile,
  type PathKind,
  type SizeLimitName,
} from '../io';
import { CheckpointError, inspectCheckpointFiles } from '../models/weightSource';
import {
  PICKLE_MESSAGE,
  configFromJson,
  missingConfigProblem,
  type LoadedConfig,
  type SourceProblem,
  type Sourced,
} from './sources';

export interface ModelFileReader {
  /** What is at a path: a regular file, a folder or nothing; throws UserFileError for a FIFO, a device, a loop … */
  kindOf(path: string): Promise<PathKind>;
  /** A regular file's JSON, within the size cap; throws UserFileError (never quoting the file). */
  readJson(path: string, limit: SizeLimitName): Promise<unknown>;
  /** The safetensors files of a checkpoint, their headers checked; throws CheckpointError. */
  checkpointFiles(path: string, kind: 'file' | 'folder'): Promise<string[]>;
}

export const nodeModelFileReader: ModelFileReader = {
  kindOf: kindOfPath,
  readJson: async (path, limit) =>
    parseJsonFile(await readRegularFile(path, { limit, what: WHAT_IS_CAPPED[limit] }), path),
  checkpointFiles: inspectCheckpointFiles,
};

function problemOf(error: unknown): SourceProblem {
  if (error instanceof UserFileError) return { code: error.problem, message: error.message };
  if (error instanceof CheckpointError) return { code: 'bad-weights', message: error.message };
  throw error;
}

/** Runs a read; a user's file problem becomes a SourceProblem, a bug stays a throw. */
async function attempt<T>(work: () => Promise<Sourced<T>>): Promise<Sourced<T>> {
  try {
    return await work();
  } catch (error) {
    return { problem: problemOf(error) };
  }
}

/** `config:` naming a path: a config.json, or a folder that holds one. */
export function loadConfigPath(path: string, written: string, reader: ModelFileReader): Promise<Sourced<LoadedConfig>> {
  return attempt(async () => {
    const kind = await reader.kindOf(path);
    if (kind === 'missing') return { problem: missingConfigProblem(written, path) };
    const file = kind === 'folder' ? join(path, 'config.json') : path;
    if (file !== path && (await reader.kindOf(file)) !== 'file') {
      return { problem: { code: 'file-not-found', message: `the folder ${path} has no config.json` } };
    }
    return readConfigFile(file, reader);
  });
}

/** Read and parse a config.json; its keys are checked later, against its architecture. */
export function readConfigFile(path: string, reader: ModelFileReader): Promise<Sourced<LoadedConfig>> {
  return attempt(async () => {
    try {
      return configFromJson(await reader.readJson(path, 'configJson'), path);
    } catch (error) {
      // Not JSON at all: the same code as a JSON that is not a config (the file is wrong, not its path).
      if (error instanceof UserFileError && error.problem === 'not-json')
        return { problem: { code: 'bad-config-file', message: error.message } };
      throw error;
    }
  });
}

export interface InspectedWeights {
  /** Absolute path of the safetensors file or of the folder. */
  path: string;
  /** The folder's config.json, when `weights:` is a folder that has one. */
  folderConfig?: string;
  /**
   * The folder, when it holds a tokenizer transformers.js reads (`tokenizer.json` + `tokenizer_config.json`, as
   * `save_pretrained` writes a fast tokenizer): the model then tokenizes with its own tokenizer, as
   * `AutoTokenizer.from_pretrained(folder)` would.
   */
  tokenizerFolder?: string;
}

/** `weights:` — a safetensors file, or a Hugging Face folder with model.safetensors (or shards and their index). */
export function inspectWeights(path: string, reader: ModelFileReader): Promise<Sourced<InspectedWeights>> {
  return attempt<InspectedWeights>(async () => {
    const kind = await reader.kindOf(path);
    if (kind === 'missing') {
      return {
        problem: {
          code: 'file-not-found',
          message: `no weights at ${path} (\`weights:\` paths are relative to this file's folder)`,
        },
      };
    }
    if (kind === 'file') {
      if (!path.toLowerCase().endsWith('.safetensors')) {
        return {
          problem: {
            code: 'bad-weights',
            message: `\`weights:\` must be a .safetensors file or a Hugging Face folder, not ${basename(path)}`,
          },
        };
      }
      await reader.checkpointFiles(path, 'file');
      return { ok: { path } };
    }
    const has = async (name: string) => (await reader.kindOf(join(path, name))) === 'file';
    if (!(await has('model.safetensors')) && !(await has('model.safetensors.index.json'))) {
      if ((await has('pytorch_model.bin')) || (await has('pytorch_model.bin.index.json')))
        return {
          problem: { code: 'pickle-weights', message: `${PICKLE_MESSAGE} (${path} has only pytorch_model.bin)` },
        };
      return { problem: { code: 'file-not-found', message: `the folder ${path} has no model.safetensors` } };
    }
    await reader.checkpointFiles(path, 'folder');
    const tokenizer = (await has('tokenizer.json')) && (await has('tokenizer_config.json'));
    return {
      ok: {
        path,
        folderConfig: (await has('config.json')) ? join(path, 'config.json') : undefined,
        ...(tokenizer ? { tokenizerFolder: path } : {}),
      },
    };
  });
}
