/**
 * Carrying out a plan: every file not yet in the snapshot is downloaded (one at a time: the Hub's CDN is
 * rarely the bottleneck for one file, and one stream keeps memory and the progress bar simple), linked into
 * `snapshots/<commit>/`, and the tokenizer files the repo lacks are marked in `.no_exist` as Python marks them.
 */
import { RepoCache } from './cacheLayout';
import { ensureBlob } from './download';
import { describe, formatBytes, HubError } from './errors';
import { planModel } from './plan';
import type { HubSettings } from './settings';
import type { HubCallbacks, HubPlan, HubSnapshot, ModelRequest } from './types';

/** Downloads above this need the user's yes (the panel asks; the CLI needs `--yes`). */
export const DEFAULT_CONFIRM_BYTES = 2e9;

function snapshotOf(plan: HubPlan, downloaded: number): HubSnapshot {
  return {
    repoId: plan.repoId,
    revision: plan.revision,
    commit: plan.commit,
    dir: plan.snapshotDir,
    config: plan.config,
    files: plan.files.map((f) => f.path),
    downloaded,
  };
}

/**
 * Downloads what a plan lacks, with the settings it was made with (the plan itself holds no token, so it
 * can be logged or sent to another process for confirmation).
 */
export async function fetchSnapshot(
  plan: HubPlan,
  settings: HubSettings,
  callbacks: HubCallbacks = {},
): Promise<HubSnapshot> {
  if (plan.source === 'cache') return snapshotOf(plan, 0);
  const place = { repoId: plan.repoId, revision: plan.revision };
  if (settings.offline !== null)
    throw new HubError('offline-missing', `${describe(place)} is not complete in the cache and no request may be made`);
  if (plan.freeBytes !== undefined && plan.bytesToFetch > plan.freeBytes) {
    throw new HubError(
      'no-space',
      `${describe(place)} needs ${formatBytes(plan.bytesToFetch)} more in the Hugging Face cache (${settings.cacheDir}), ` +
        `but only ${formatBytes(plan.freeBytes)} is free: free some space or set HF_HUB_CACHE to a larger disk`,
    );
  }
  const cache = new RepoCache(settings.cacheDir, plan.repoId);
  const total = plan.bytesToFetch;
  let bytes = 0;
  for (const file of plan.files) {
    if (file.state === 'cached') continue;
    const etag = file.etag!;
    if (callbacks.signal?.aborted) throw new HubError('cancelled', `download of ${describe(place)} cancelled`);
    const remote = { path: file.path, size: file.size, etag, lfs: file.lfs };
    await ensureBlob(settings, cache, plan, remote, {
      signal: callbacks.signal,
      onWait: () => callbacks.onProgress?.({ kind: 'waiting', file: file.path }),
      onBytes: (n, fileBytes) => {
        bytes += n;
        callbacks.onProgress?.({ kind: 'bytes', file: file.path, fileBytes, fileTotal: file.size, bytes, total });
      },
    });
    cache.linkSnapshot(plan.commit, file.path, etag);
    callbacks.onProgress?.({ kind: 'file-done', file: file.path, fileTotal: file.size, bytes, total });
  }
  for (const name of plan.absent) cache.markAbsent(plan.commit, name);
  return snapshotOf(plan, bytes);
}

export interface ResolveCallbacks extends HubCallbacks {
  /**
   * Called with the plan before anything large is fetched. Return `false` to stop with a `not-confirmed`
   * error (a resource plan that refuses, a user who says no); throw to stop with your own error.
   */
  approve?: (plan: HubPlan) => boolean | Promise<boolean>;
}

/** Plan, approve, fetch: the snapshot folder of a model, downloading only what the cache lacks. */
export async function resolveModel(
  request: ModelRequest,
  settings: HubSettings,
  callbacks: ResolveCallbacks = {},
): Promise<HubSnapshot> {
  const plan = await planModel(request, settings, callbacks);
  if (plan.bytesToFetch > 0 && callbacks.approve && !(await callbacks.approve(plan))) {
    throw new HubError(
      'not-confirmed',
      `downloading ${formatBytes(plan.bytesToFetch)} of ${describe(plan)} was not confirmed`,
    );
  }
  return fetchSnapshot(plan, settings, callbacks);
}
