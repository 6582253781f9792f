/**
 * Which files of a repo make a model, as `from_pretrained` reads them: `config.json`, the safetensors weights
 * (one `model.safetensors`, or `model.safetensors.index.json` and exactly the shards it names) and the tokenizer
 * files that exist. Only these names are ever requested, so a pickle file can never be fetched; a repo whose
 * only weights are pickle is refused with the reason and the way out.
 */
import { describe, HubError, type HubPlace, quoteName } from './errors';
import { isSafeRepoPath } from './names';

export const CONFIG_FILE = 'config.json';
export const SINGLE_WEIGHTS = 'model.safetensors';
export const WEIGHTS_INDEX = 'model.safetensors.index.json';

/** Tokenizer and generation files fetched where the repo has them (none of them pickle). */
export const TOKENIZER_FILES = [
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'vocab.json',
  'merges.txt',
  'vocab.txt',
  'added_tokens.json',
  'generation_config.json',
] as const;

export type FileRole = 'config' | 'weights-index' | 'weights' | 'tokenizer';

export const CONFIG_CAP = 1024 * 1024;
export const INDEX_CAP = 16 * 1024 * 1024;

/** Checkpoint formats that unpickle (and so can run code) when loaded. */
const PICKLE = /(^|\/)([^/]*\.(bin|pt|pth|ckpt|pkl|pickle)|pytorch_model\.bin\.index\.json)$/i;
/** Other formats Hugging Face writes that the lab does not read. */
const OTHER_WEIGHTS = /^(tf_model\.h5|flax_model\.msgpack|model\.onnx|.*\.gguf)$/i;

/** The top-level pickle checkpoints among a repo's files. */
export function pickleFiles(paths: Iterable<string>): string[] {
  return [...paths].filter((p) => !p.includes('/') && PICKLE.test(p)).sort();
}

export function pickleOnlyError(place: HubPlace, pickles: string[]): HubError {
  const named = pickles
    .slice(0, 3)
    .map((p) => `\`${quoteName(p)}\``)
    .join(', ');
  return new HubError(
    'pickle-only',
    `${describe(place)} has only pickle weights (${named}${pickles.length > 3 ? ', …' : ''}): the lab never loads pickle, ` +
      'because unpickling a file can run any code in it. Use a revision or repo with `model.safetensors` ' +
      '(the Hub often has a safetensors conversion as a pull request: `revision: refs/pr/N`), or convert it in Python ' +
      '(`AutoModel.from_pretrained(id).save_pretrained(folder)` writes safetensors) and use `weights: folder`.',
  );
}

export function noWeightsError(place: HubPlace, paths: Iterable<string>): HubError {
  const other = [...paths].filter((p) => OTHER_WEIGHTS.test(p));
  return new HubError(
    'no-weights',
    `${describe(place)} has no \`${SINGLE_WEIGHTS}\` and no \`${WEIGHTS_INDEX}\`` +
      (other.length > 0
        ? ` (only ${other
            .slice(0, 3)
            .map((p) => `\`${quoteName(p)}\``)
            .join(', ')}, which the lab does not read)`
        : '') +
      ': a model from the Hub needs safetensors weights',
  );
}

/** The weights a repo's file list implies, or the error that says why there are none the lab may load. */
export function weightsChoice(place: HubPlace, paths: Set<string>): 'index' | 'single' {
  // transformers tries the single file first, then the index.
  if (paths.has(SINGLE_WEIGHTS)) return 'single';
  if (paths.has(WEIGHTS_INDEX)) return 'index';
  const pickles = pickleFiles(paths);
  if (pickles.length > 0) throw pickleOnlyError(place, pickles);
  throw noWeightsError(place, paths);
}

/**
 * The shard files a `model.safetensors.index.json` names: each a plain `.safetensors` file name beside the
 * index (no folder, no `..`, not absolute), in a stable order.
 */
export function shardsOfIndex(bytes: Buffer, place: HubPlace): string[] {
  const bad = (why: string) => new HubError('bad-index', `${describe({ ...place, file: WEIGHTS_INDEX })} ${why}`);
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw bad('is not JSON');
  }
  const map = typeof json === 'object' && json !== null ? (json as { weight_map?: unknown }).weight_map : undefined;
  if (typeof map !== 'object' || map === null || Array.isArray(map)) throw bad('has no `weight_map` object');
  const shards = new Set<string>();
  for (const value of Object.values(map)) {
    if (typeof value !== 'string') throw bad('maps a tensor to something that is not a file name');
    if (!isSafeRepoPath(value) || value.includes('/') || !value.endsWith('.safetensors'))
      throw bad(`names the shard "${quoteName(value, 100)}": shards must be \`.safetensors\` files beside the index`);
    shards.add(value);
  }
  if (shards.size === 0) throw bad('names no shard');
  return [...shards].sort();
}

/** Parses a `config.json`: a JSON object, or an input error naming the file. */
export function parseConfig(bytes: Buffer, place: HubPlace): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new HubError('bad-config', `${describe({ ...place, file: CONFIG_FILE })} is not JSON`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new HubError('bad-config', `${describe({ ...place, file: CONFIG_FILE })} is not a JSON object`);
  return json as Record<string, unknown>;
}
