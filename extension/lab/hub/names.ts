/**
 * The names that become URLs and paths in the cache: a repo id, a revision, a file in a repo, an etag. Each
 * is checked before it touches the file system, so nothing from a prompt file or a server can point outside
 * the cache folder.
 */
import { HubError, quoteName } from './errors';

/** A full commit hash: used as-is, with no `refs/` lookup (as Python's `REGEX_COMMIT_HASH`). */
export const COMMIT_HASH = /^[0-9a-f]{40}$/;

const REPO_PART = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;

/** `org/name` or a canonical `name` (`gpt2`), as `huggingface_hub.validate_repo_id` allows them. */
export function checkRepoId(repoId: string): string {
  const parts = repoId.split('/');
  const ok =
    repoId.length > 0 &&
    repoId.length <= 96 &&
    parts.length <= 2 &&
    parts.every((p) => REPO_PART.test(p)) &&
    !repoId.includes('--') &&
    !repoId.includes('..');
  if (!ok)
    throw new HubError(
      'bad-repo-id',
      `"${quoteName(repoId, 100)}" is not a Hub model id: expected \`org/name\` or \`name\` (letters, digits, \`-\`, \`_\`, \`.\`; no \`--\` or \`..\`; at most 96 characters)`,
    );
  return repoId;
}

/** A branch, tag or commit: safe as a path under `refs/` (branches may hold `/`, as `refs/pr/1`). */
export function checkRevision(revision: string): string {
  const segments = revision.split('/');
  const ok =
    revision.length > 0 &&
    revision.length <= 255 &&
    !/[\u0000-\u001f\u007f\\:*?"<>|]/.test(revision) &&
    segments.every((s) => s.length > 0 && s !== '.' && s !== '..');
  if (!ok)
    throw new HubError('bad-revision', `"${quoteName(revision, 100)}" is not a revision (a branch, tag or commit)`);
  return revision;
}

/** The repo's folder in the cache: `models--org--name`, as Python names it. */
export function repoFolderName(repoId: string): string {
  return ['models', ...repoId.split('/')].join('--');
}

/** A file name inside a repo that is safe as a relative path: no `..`, not absolute, no backslash. */
export function isSafeRepoPath(path: string): boolean {
  return (
    path.length > 0 &&
    path.length <= 1024 &&
    !path.startsWith('/') &&
    !/[\u0000-\u001f\u007f\\]/.test(path) &&
    !/^[A-Za-z]:/.test(path) &&
    path.split('/').every((s) => s.length > 0 && s !== '.' && s !== '..')
  );
}

/**
 * An etag from the Hub names a blob file: `"abc…"` or `W/"abc…"` is normalized as Python does, and anything
 * that is not a plain name (a path, a dot name) is refused.
 */
export function normalizeEtag(raw: string | null | undefined): string | undefined {
  if (!raw) return undefined;
  const etag = raw.replace(/^W\//, '').replace(/^"|"$/g, '');
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(etag) ? etag : undefined;
}

/** The URL of a file at a revision: `{endpoint}/{repo}/resolve/{revision}/{path}`, each part quoted as Python does. */
export function resolveUrl(endpoint: string, repoId: string, revision: string, path: string): string {
  return `${endpoint}/${repoId}/resolve/${encodeURIComponent(revision)}/${path.split('/').map(encodeURIComponent).join('/')}`;
}

/** The repo listing at a revision, with each file's size and blob id (`?blobs=true`, as `model_info(files_metadata=True)`). */
export function listingUrl(endpoint: string, repoId: string, revision: string): string {
  return `${endpoint}/api/models/${repoId}/revision/${encodeURIComponent(revision)}?blobs=true`;
}
