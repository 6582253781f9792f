/**
 * What the Hub says about a repo before anything is downloaded: the commit a revision points to and every
 * file with its size and etag, from one `GET /api/models/{repo}/revision/{rev}?blobs=true` — or, for a file
 * the listing gives no sizes for (a mirror without `blobs`), from `HEAD /{repo}/resolve/{commit}/{path}`,
 * whose `X-Linked-Size`/`X-Linked-Etag` (LFS) or `Content-Length`/`ETag` are what Python names blobs by.
 */
import { describe, HubError, type HubPlace } from './errors';
import { hubErrorOf, hubRequest, IdleDeadline, readBodyCapped } from './http';
import { COMMIT_HASH, listingUrl, normalizeEtag, resolveUrl } from './names';
import type { HubSettings } from './settings';

/** A file as the Hub announces it: the blob name Python would give it, its size, and whether it is LFS. */
export interface RemoteFile {
  path: string;
  size: number;
  etag: string;
  /** LFS files: the etag is the sha256 of the content. Others: the git blob sha1. */
  lfs: boolean;
}

export interface RepoListing {
  commit: string;
  /** Every path the repo has at that commit. */
  paths: Set<string>;
  /** The paths the listing gave a size and blob id for. */
  known: Map<string, RemoteFile>;
}

const LISTING_CAP = 32 * 1024 * 1024;

function isSize(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

function parseListing(json: unknown, place: HubPlace): RepoListing {
  const bad = (why: string) =>
    new HubError('bad-response', `the Hub's listing of ${describe(place)} is malformed: ${why}`);
  if (typeof json !== 'object' || json === null) throw bad('not an object');
  const { sha, siblings } = json as { sha?: unknown; siblings?: unknown };
  if (typeof sha !== 'string' || !COMMIT_HASH.test(sha)) throw bad('no commit hash (`sha`)');
  if (!Array.isArray(siblings)) throw bad('no file list (`siblings`)');
  const paths = new Set<string>();
  const known = new Map<string, RemoteFile>();
  for (const s of siblings as unknown[]) {
    if (typeof s !== 'object' || s === null) continue;
    const { rfilename, size, blobId, lfs } = s as {
      rfilename?: unknown;
      size?: unknown;
      blobId?: unknown;
      lfs?: unknown;
    };
    if (typeof rfilename !== 'string') continue;
    paths.add(rfilename);
    const l =
      typeof lfs === 'object' && lfs !== null
        ? (lfs as { sha256?: unknown; oid?: unknown; size?: unknown })
        : undefined;
    const lfsEtag =
      l && normalizeEtag(typeof l.sha256 === 'string' ? l.sha256 : typeof l.oid === 'string' ? l.oid : undefined);
    if (l && lfsEtag && isSize(l.size))
      known.set(rfilename, { path: rfilename, size: l.size, etag: lfsEtag, lfs: true });
    else if (!l && isSize(size) && typeof blobId === 'string' && normalizeEtag(blobId))
      known.set(rfilename, { path: rfilename, size, etag: normalizeEtag(blobId)!, lfs: false });
  }
  return { commit: sha, paths, known };
}

export async function fetchListing(
  settings: HubSettings,
  repoId: string,
  revision: string,
  signal?: AbortSignal,
): Promise<RepoListing> {
  const place = { repoId, revision };
  const deadline = new IdleDeadline(settings.timeoutMs, signal);
  try {
    const { response } = await hubRequest(
      settings,
      listingUrl(settings.endpoint, repoId, revision),
      { method: 'GET', deadline },
      place,
    );
    if (!response.ok) {
      await response.body?.cancel();
      throw hubErrorOf(response, settings, place, 'listing');
    }
    const body = await readBodyCapped(response, LISTING_CAP, deadline, settings, place);
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      throw new HubError('bad-response', `the Hub's listing of ${describe(place)} is not JSON`);
    }
    return parseListing(json, place);
  } finally {
    deadline.dispose();
  }
}

/** A file's size and etag from a HEAD on its resolve URL (the Hub's own headers, before any CDN redirect). */
export async function headFile(
  settings: HubSettings,
  repoId: string,
  at: { commit: string; revision: string },
  path: string,
  signal?: AbortSignal,
): Promise<RemoteFile> {
  const place = { repoId, revision: at.revision, file: path };
  const deadline = new IdleDeadline(settings.timeoutMs, signal);
  try {
    const url = resolveUrl(settings.endpoint, repoId, at.commit, path);
    const { response, hubHeaders } = await hubRequest(
      settings,
      url,
      { method: 'HEAD', deadline, stayOnHub: true },
      place,
    );
    await response.body?.cancel();
    if (response.status >= 400) throw hubErrorOf(response, settings, place, 'file');
    const linkedEtag = normalizeEtag(hubHeaders.get('x-linked-etag'));
    const etag = linkedEtag ?? normalizeEtag(hubHeaders.get('etag'));
    const size = Number(hubHeaders.get('x-linked-size') ?? hubHeaders.get('content-length'));
    if (!etag || !isSize(size))
      throw new HubError('bad-response', `the Hub gave no usable ETag and size for ${describe(place)}`);
    return { path, size, etag, lfs: linkedEtag !== undefined };
  } finally {
    deadline.dispose();
  }
}
