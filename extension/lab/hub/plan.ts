/**
 * Size first: the plan of a model from the Hub — its commit, `config.json` and every file with its size —
 * made before a byte of weights is fetched, so a caller's resource plan can refuse a model that cannot fit
 * and a large download can be confirmed. From the cache alone when it is complete (or offline); otherwise
 * from one listing request plus the config (and the shard index), which are small and land in the cache.
 */
import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { RepoCache, regularFileSize } from './cacheLayout';
import { type CacheView, viewCache } from './cachedSnapshot';
import { ensureBlob } from './download';
import { describe, HubError, type HubPlace } from './errors';
import { fetchListing, headFile, type RemoteFile, type RepoListing } from './listing';
import {
  CONFIG_CAP,
  CONFIG_FILE,
  type FileRole,
  INDEX_CAP,
  parseConfig,
  shardsOfIndex,
  SINGLE_WEIGHTS,
  TOKENIZER_FILES,
  WEIGHTS_INDEX,
  weightsChoice,
} from './modelFiles';
import { checkRepoId, checkRevision } from './names';
import { readSmallRegularFile } from './safeRead';
import type { HubSettings } from './settings';
import type { HubCallbacks, HubPlan, ModelRequest, PlannedFile } from './types';

/** Free bytes on the file system that holds (or will hold) `dir`. */
export function freeBytesAt(dir: string): number | undefined {
  for (let d = dir; ; d = dirname(d)) {
    try {
      const s = statfsSync(d);
      return s.bavail * s.bsize;
    } catch {
      if (dirname(d) === d) return undefined;
    }
  }
}

function totals(files: PlannedFile[]) {
  const sum = (fs: PlannedFile[], f: (p: PlannedFile) => number) => fs.reduce((n, p) => n + f(p), 0);
  return {
    weightBytes: sum(
      files.filter((f) => f.role === 'weights'),
      (f) => f.size,
    ),
    totalBytes: sum(files, (f) => f.size),
    bytesToFetch: sum(files, (f) => f.bytesToFetch),
  };
}

function planFromView(cache: RepoCache, request: Required<Omit<ModelRequest, 'refresh'>>, view: CacheView): HubPlan {
  const files: PlannedFile[] = view.present.map((f) => ({
    ...f,
    etag: undefined,
    lfs: false,
    state: 'cached',
    bytesToFetch: 0,
  }));
  return {
    repoId: request.repoId,
    revision: request.revision,
    commit: view.commit!,
    snapshotDir: cache.snapshotDir(view.commit!),
    source: 'cache',
    config: view.config!,
    files,
    absent: [...view.absent, ...view.unknown],
    ...totals(files),
    freeBytes: freeBytesAt(cache.root),
  };
}

function offlineMissing(cache: RepoCache, place: HubPlace, view: CacheView, settings: HubSettings): HubError {
  const why =
    settings.offline === 'restricted-mode'
      ? 'this workspace is in Restricted Mode, so models come only from the cache'
      : settings.offline === 'option'
        ? 'offline mode is on'
        : `${settings.offline}=1 is set`;
  const todo =
    settings.offline === 'restricted-mode'
      ? 'trust the workspace to download it, or run the file once from a trusted workspace (or download it with Python: `huggingface_hub.snapshot_download`)'
      : settings.offline === 'option'
        ? 'turn offline mode off (`perturbationLab.hub.offline`) and run once to download it'
        : `run once without ${settings.offline} to download it (or with Python: \`huggingface_hub.snapshot_download\`)`;
  if (!view.commit) {
    return new HubError(
      'offline-missing',
      `${describe(place)} is not in the Hugging Face cache (${cache.root} has no \`refs/${place.revision}\`) and ${why}: ${todo}.`,
    );
  }
  const files = view.missing.map((f) => `\`${f}\``).join(', ');
  return new HubError(
    'offline-missing',
    `${describe(place)} lacks ${files} in the Hugging Face cache (${cache.snapshotDir(view.commit)}) and ${why}: ${todo}.`,
  );
}

/** The plan of a model: from the cache when that is enough (or must be), else from the Hub. */
export async function planModel(
  request: ModelRequest,
  settings: HubSettings,
  callbacks: HubCallbacks = {},
): Promise<HubPlan> {
  const repoId = checkRepoId(request.repoId);
  const revision = checkRevision(request.revision ?? 'main');
  const cache = new RepoCache(settings.cacheDir, repoId);
  const place = { repoId, revision };
  const view = viewCache(cache, revision);
  const usable = view.commit !== undefined && view.missing.length === 0;
  if (settings.offline !== null) {
    if (view.pickleOnly) throw view.pickleOnly;
    if (!usable) throw offlineMissing(cache, place, view, settings);
    return planFromView(cache, { repoId, revision }, view);
  }
  if (usable && view.unknown.length === 0 && !request.refresh) return planFromView(cache, { repoId, revision }, view);
  try {
    return await planFromHub(cache, { repoId, revision }, settings, callbacks);
  } catch (e) {
    if (e instanceof HubError && e.code === 'unreachable' && usable) {
      throw new HubError(
        'unreachable',
        `${e.message}. The cache has ${describe(place)} (commit ${view.commit!.slice(0, 12)}): set HF_HUB_OFFLINE=1 to use it without asking the Hub.`,
      );
    }
    throw e;
  }
}

/** Size and etag of a file, from the listing or, where it has none, from a HEAD request. */
async function remoteFile(
  settings: HubSettings,
  cache: RepoCache,
  listing: RepoListing,
  revision: string,
  path: string,
  signal: AbortSignal | undefined,
): Promise<RemoteFile> {
  return (
    listing.known.get(path) ??
    (await headFile(settings, cache.repoId, { commit: listing.commit, revision }, path, signal))
  );
}

function stateOf(cache: RepoCache, commit: string, file: RemoteFile, role: FileRole): PlannedFile {
  const base = { path: file.path, role, size: file.size, etag: file.etag, lfs: file.lfs };
  if (regularFileSize(cache.snapshotFile(commit, file.path)) === file.size)
    return { ...base, state: 'cached', bytesToFetch: 0 };
  if (regularFileSize(cache.blobPath(file.etag)) === file.size) return { ...base, state: 'blob', bytesToFetch: 0 };
  const partial = regularFileSize(cache.incompletePath(file.etag)) ?? 0;
  if (partial > 0 && partial < file.size) return { ...base, state: 'partial', bytesToFetch: file.size - partial };
  return { ...base, state: 'missing', bytesToFetch: file.size };
}

/** Downloads a small file of the plan itself (config, index) and reads it back from the snapshot. */
async function fetchSmall(
  settings: HubSettings,
  cache: RepoCache,
  commit: string,
  file: RemoteFile,
  cap: number,
  callbacks: HubCallbacks,
  place: HubPlace,
): Promise<Buffer> {
  if (file.size > cap)
    throw new HubError(
      'bad-response',
      `${describe({ ...place, file: file.path })} is ${file.size} bytes, more than ${cap}`,
    );
  await ensureBlob(settings, cache, { commit, revision: place.revision }, file, {
    signal: callbacks.signal,
    onWait: () => callbacks.onProgress?.({ kind: 'waiting', file: file.path }),
  });
  cache.linkSnapshot(commit, file.path, file.etag);
  return readSmallRegularFile(cache.blobPath(file.etag), cap)!;
}

async function planFromHub(
  cache: RepoCache,
  request: { repoId: string; revision: string },
  settings: HubSettings,
  callbacks: HubCallbacks,
): Promise<HubPlan> {
  const { signal } = callbacks;
  const place = { repoId: request.repoId, revision: request.revision };
  callbacks.onProgress?.({ kind: 'checking', ...place });
  const listing = await fetchListing(settings, request.repoId, request.revision, signal);
  const commit = listing.commit;
  cache.writeRef(request.revision, commit);
  if (!listing.paths.has(CONFIG_FILE))
    throw new HubError('no-config', `${describe(place)} has no \`config.json\`: it is not a transformers model repo`);
  const weights = weightsChoice(place, listing.paths);

  const configFile = await remoteFile(settings, cache, listing, place.revision, CONFIG_FILE, signal);
  const config = parseConfig(
    await fetchSmall(settings, cache, commit, configFile, CONFIG_CAP, callbacks, place),
    place,
  );
  const wanted: { file: RemoteFile; role: FileRole }[] = [{ file: configFile, role: 'config' }];

  if (weights === 'index') {
    const indexFile = await remoteFile(settings, cache, listing, place.revision, WEIGHTS_INDEX, signal);
    const shards = shardsOfIndex(
      await fetchSmall(settings, cache, commit, indexFile, INDEX_CAP, callbacks, place),
      place,
    );
    wanted.push({ file: indexFile, role: 'weights-index' });
    for (const shard of shards) {
      if (!listing.paths.has(shard))
        throw new HubError(
          'bad-index',
          `${describe({ ...place, file: WEIGHTS_INDEX })} names the shard \`${shard}\`, which the repo does not have`,
        );
      wanted.push({ file: await remoteFile(settings, cache, listing, place.revision, shard, signal), role: 'weights' });
    }
  } else {
    wanted.push({
      file: await remoteFile(settings, cache, listing, place.revision, SINGLE_WEIGHTS, signal),
      role: 'weights',
    });
  }
  const absent: string[] = [];
  for (const name of TOKENIZER_FILES) {
    if (listing.paths.has(name))
      wanted.push({
        file: await remoteFile(settings, cache, listing, place.revision, name, signal),
        role: 'tokenizer',
      });
    else absent.push(name);
  }
  const files = wanted.map(({ file, role }) => stateOf(cache, commit, file, role));
  return {
    ...place,
    commit,
    snapshotDir: cache.snapshotDir(commit),
    source: 'hub',
    config,
    files,
    absent,
    ...totals(files),
    freeBytes: freeBytesAt(cache.root),
  };
}
