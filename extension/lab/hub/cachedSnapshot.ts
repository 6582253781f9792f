/**
 * What the cache alone knows about a model at a revision: the commit (`refs/<revision>`, or the revision if it
 * is a full commit hash) and which of the model's files its snapshot holds — whether Python or the lab put them
 * there, as symlinks or as plain copies (Windows). Used offline, and online to skip the Hub entirely when the
 * snapshot is complete.
 */
import { readdirSync } from 'node:fs';
import { type RepoCache, regularFileSize } from './cacheLayout';
import { describe, HubError, type HubPlace } from './errors';
import {
  CONFIG_CAP,
  CONFIG_FILE,
  type FileRole,
  INDEX_CAP,
  parseConfig,
  pickleFiles,
  pickleOnlyError,
  shardsOfIndex,
  SINGLE_WEIGHTS,
  TOKENIZER_FILES,
  WEIGHTS_INDEX,
} from './modelFiles';
import { COMMIT_HASH } from './names';
import { readSmallRegularFile, SmallFileError } from './safeRead';

export interface CachedFile {
  path: string;
  role: FileRole;
  size: number;
}

export interface CacheView {
  /** `undefined`: the cache has no ref for this revision. */
  commit: string | undefined;
  config: Record<string, unknown> | undefined;
  present: CachedFile[];
  /** Files the model needs that the snapshot lacks (config, index, weights or shards). */
  missing: string[];
  /** Tokenizer files marked absent in `.no_exist`. */
  absent: string[];
  /** Tokenizer files the cache knows nothing about (neither present nor marked absent). */
  unknown: string[];
  /** Set when the snapshot's only weights are pickle: the error to raise. */
  pickleOnly?: HubError;
}

function readCached(cache: RepoCache, commit: string, path: string, cap: number, place: HubPlace): Buffer | undefined {
  try {
    return readSmallRegularFile(cache.snapshotFile(commit, path), cap);
  } catch (e) {
    if (e instanceof SmallFileError)
      throw new HubError('cache-error', `${describe({ ...place, file: path })} in the cache: ${e.problem} (${e.path})`);
    throw e;
  }
}

function snapshotEntries(cache: RepoCache, commit: string): string[] {
  try {
    return readdirSync(cache.snapshotDir(commit));
  } catch {
    return [];
  }
}

export function viewCache(cache: RepoCache, revision: string): CacheView {
  const commit = COMMIT_HASH.test(revision) ? revision : cache.readRef(revision);
  const view: CacheView = { commit, config: undefined, present: [], missing: [], absent: [], unknown: [] };
  if (!commit) return view;
  const place = { repoId: cache.repoId, revision };
  const add = (path: string, role: FileRole): boolean => {
    const size = regularFileSize(cache.snapshotFile(commit, path));
    if (size === undefined) return false;
    view.present.push({ path, role, size });
    return true;
  };

  if (add(CONFIG_FILE, 'config'))
    view.config = parseConfig(readCached(cache, commit, CONFIG_FILE, CONFIG_CAP, place)!, place);
  else view.missing.push(CONFIG_FILE);

  // transformers tries the single file first, then the index.
  if (add(SINGLE_WEIGHTS, 'weights')) {
    // one file holds every weight
  } else if (add(WEIGHTS_INDEX, 'weights-index')) {
    for (const shard of shardsOfIndex(readCached(cache, commit, WEIGHTS_INDEX, INDEX_CAP, place)!, place))
      if (!add(shard, 'weights')) view.missing.push(shard);
  } else {
    const pickles = pickleFiles(snapshotEntries(cache, commit));
    const safetensorsKnownAbsent =
      cache.isMarkedAbsent(commit, SINGLE_WEIGHTS) && cache.isMarkedAbsent(commit, WEIGHTS_INDEX);
    // Only when the Hub said there is no safetensors (Python's markers): otherwise it may just not be fetched yet.
    if (pickles.length > 0 && safetensorsKnownAbsent) view.pickleOnly = pickleOnlyError(place, pickles);
    view.missing.push(SINGLE_WEIGHTS);
  }

  for (const file of TOKENIZER_FILES) {
    if (add(file, 'tokenizer')) continue;
    if (cache.isMarkedAbsent(commit, file)) view.absent.push(file);
    else view.unknown.push(file);
  }
  return view;
}
