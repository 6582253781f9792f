/**
 * Downloading one blob into the cache, as `huggingface_hub` does and a little safer:
 * - under a lock, into `blobs/<etag>.incomplete`, resumed with `Range: bytes=<size>-` after an interruption
 *   (ours or Python's: the name is the same);
 * - verified before it becomes `blobs/<etag>`: the size the Hub announced, and the content hash the etag is —
 *   the sha256 for LFS files (`X-Linked-Etag`), the git blob sha1 for the others. A mismatch removes the
 *   partial file and fails: nothing that looks complete is ever left;
 * - cancellable through an AbortSignal (the `.incomplete` stays, to be resumed), with progress per chunk.
 */
import { createHash, type Hash } from 'node:crypto';
import { closeSync, createReadStream, ftruncateSync, mkdirSync, openSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { type RepoCache, regularFileSize } from './cacheLayout';
import { describe, HubError, type HubPlace } from './errors';
import { chunksOf, hubErrorOf, hubRequest, IdleDeadline } from './http';
import type { RemoteFile } from './listing';
import { acquireLock } from './lock';
import { normalizeEtag, resolveUrl } from './names';
import type { HubSettings } from './settings';
import { writeAll } from '../models/safetensors';

export interface BlobEvents {
  /** `bytes` new bytes arrived; `fileBytes` of the file are on disk now (resumed bytes included). */
  onBytes?: (bytes: number, fileBytes: number) => void;
  /** Another process (or request) is downloading this blob; we wait for it. */
  onWait?: () => void;
  signal?: AbortSignal;
}

/** The hash a file's etag is, if it is one we can check: sha256 (64 hex) or git's blob sha1 (40 hex). */
function hasherFor(file: RemoteFile): Hash | undefined {
  if (/^[0-9a-f]{64}$/.test(file.etag)) return createHash('sha256');
  if (!file.lfs && /^[0-9a-f]{40}$/.test(file.etag)) return createHash('sha1').update(`blob ${file.size}\0`);
  return undefined;
}

async function hashExisting(path: string, hash: Hash, length: number): Promise<void> {
  if (length === 0) return;
  for await (const chunk of createReadStream(path, { start: 0, end: length - 1 })) hash.update(chunk as Buffer);
}

/**
 * Makes `blobs/<etag>` exist with the announced content, downloading what is missing. Returns the number of
 * bytes fetched over the network.
 */
export async function ensureBlob(
  settings: HubSettings,
  cache: RepoCache,
  at: { commit: string; revision: string },
  file: RemoteFile,
  events: BlobEvents = {},
): Promise<number> {
  const blob = cache.blobPath(file.etag);
  if (regularFileSize(blob) === file.size) return 0;
  const { commit } = at;
  // Messages name the revision the user asked for; requests use the commit it resolved to.
  const place: HubPlace = { repoId: cache.repoId, revision: at.revision, file: file.path };
  let lock;
  try {
    lock = await acquireLock(cache.lockPath(file.etag), { signal: events.signal, onWait: events.onWait });
  } catch (e) {
    if (events.signal?.aborted) throw new HubError('cancelled', `download of ${describe(place)} cancelled`);
    throw e;
  }
  try {
    // Whoever held the lock may have finished it.
    if (regularFileSize(blob) === file.size) return 0;
    return await downloadLocked(settings, cache, commit, file, place, events);
  } finally {
    lock.release();
  }
}

/** The state of one `.incomplete` file across attempts. */
interface Partial {
  fd: number;
  have: number;
  hash: Hash | undefined;
}

/** Python resumes a dropped download a few times on its own; so do we, as long as each attempt brings bytes. */
const MAX_RESUMES = 5;

async function downloadLocked(
  settings: HubSettings,
  cache: RepoCache,
  commit: string,
  file: RemoteFile,
  place: HubPlace,
  events: BlobEvents,
): Promise<number> {
  const incomplete = cache.incompletePath(file.etag);
  mkdirSync(dirname(incomplete), { recursive: true });
  const part: Partial = { fd: openSync(incomplete, 'a+'), have: regularFileSize(incomplete) ?? 0, hash: undefined };
  let fetched = 0;
  try {
    if (part.have > file.size) {
      ftruncateSync(part.fd, 0);
      part.have = 0;
    }
    part.hash = hasherFor(file);
    if (part.hash) await hashExisting(incomplete, part.hash, part.have);
    for (let attempt = 0; part.have < file.size; attempt++) {
      const before = part.have;
      try {
        fetched += await fetchRemainder(settings, cache, commit, file, place, part, events);
      } catch (e) {
        const progressed = part.have > before;
        if (e instanceof HubError && e.code === 'unreachable' && progressed && attempt < MAX_RESUMES) continue;
        throw e;
      }
    }
    if (part.hash) {
      const digest = part.hash.digest('hex');
      if (digest !== file.etag) {
        throw new HubError(
          'integrity',
          `${describe(place)} does not match the ${file.lfs ? 'sha256' : 'git sha1'} the Hub announced (${file.etag}, got ${digest}); the partial download was removed`,
        );
      }
    }
  } catch (e) {
    closeSync(part.fd);
    // A partial file that cannot become the announced content is useless: never resume from it.
    if (e instanceof HubError && e.code === 'integrity') rmSync(incomplete, { force: true });
    throw e;
  }
  closeSync(part.fd);
  renameSync(incomplete, cache.blobPath(file.etag));
  return fetched;
}

/** One request for the bytes still missing, appended to the partial file. Returns the bytes received. */
async function fetchRemainder(
  settings: HubSettings,
  cache: RepoCache,
  commit: string,
  file: RemoteFile,
  place: HubPlace,
  part: Partial,
  events: BlobEvents,
): Promise<number> {
  const deadline = new IdleDeadline(settings.timeoutMs, events.signal);
  let host = new URL(settings.endpoint).host;
  let received = 0;
  try {
    const url = resolveUrl(settings.endpoint, cache.repoId, commit, file.path);
    const { response, hubHeaders } = await hubRequest(
      settings,
      url,
      { method: 'GET', from: part.have, deadline },
      place,
    );
    host = new URL(response.url || url).host;
    if (response.status >= 400) {
      await response.body?.cancel();
      // The server cannot serve our range: the partial file is not what it has. Start over next time.
      if (response.status === 416) ftruncateSync(part.fd, 0);
      throw hubErrorOf(response, settings, place, 'file');
    }
    const announced = normalizeEtag(hubHeaders.get('x-linked-etag') ?? hubHeaders.get('etag'));
    if (announced && /^([0-9a-f]{40}|[0-9a-f]{64})$/.test(announced) && announced !== file.etag) {
      await response.body?.cancel();
      throw new HubError(
        'integrity',
        `the Hub announced ${describe(place)} as ${announced} but its listing said ${file.etag}: run again`,
      );
    }
    if (response.status === 200 && part.have > 0) {
      // The server ignored the range and sends the whole file: start over.
      ftruncateSync(part.fd, 0);
      part.have = 0;
      part.hash = hasherFor(file);
    } else if (response.status === 206) {
      const start = /^bytes (\d+)-/.exec(response.headers.get('content-range') ?? '')?.[1];
      if (Number(start) !== part.have) {
        await response.body?.cancel();
        throw new HubError('bad-response', `the Hub resumed ${describe(place)} at byte ${start}, not ${part.have}`);
      }
    }
    for await (const chunk of chunksOf(response.body)) {
      deadline.touch();
      if (part.have + chunk.length > file.size)
        throw new HubError('integrity', `${describe(place)} is longer than the ${file.size} bytes the Hub announced`);
      writeAll(part.fd, chunk, part.have);
      part.hash?.update(chunk);
      part.have += chunk.length;
      received += chunk.length;
      events.onBytes?.(chunk.length, part.have);
    }
    if (part.have !== file.size) throw new Error('the connection ended early');
    return received;
  } catch (e) {
    if (e instanceof HubError) throw e;
    const failure = deadline.failure(e, settings, place, host);
    if (failure.code !== 'unreachable' || received === 0) throw failure;
    throw new HubError(
      'unreachable',
      `the connection to ${host} dropped after ${part.have} of ${file.size} bytes of ${describe(place)}; the partial download is kept: run again to resume`,
    );
  } finally {
    deadline.dispose();
  }
}
