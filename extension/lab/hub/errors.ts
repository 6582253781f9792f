/**
 * Every way getting a model from the Hub can fail, as one typed error. The caller turns a `HubError` into an
 * input error at the model entry's place (exit 2 in the CLI), except `cancelled`, which is the user's choice.
 * Messages name the repo, the revision and the file; they never contain a token or a foreign file's content.
 */

export type HubErrorCode =
  /** The id or revision is not something the Hub or the cache can name. */
  | 'bad-repo-id'
  | 'bad-revision'
  /** An endpoint, token file or cache folder that cannot be used. */
  | 'bad-setting'
  /** The Hub's answers. */
  | 'repo-not-found'
  | 'gated'
  | 'bad-token'
  | 'forbidden'
  | 'revision-not-found'
  | 'entry-not-found'
  | 'hub-error'
  | 'bad-response'
  /** The repo exists but holds nothing the lab may load. */
  | 'no-config'
  | 'bad-config'
  | 'pickle-only'
  | 'no-weights'
  | 'bad-index'
  /** Offline (or Restricted Mode) and the cache lacks a file. */
  | 'offline-missing'
  /** The network. */
  | 'unreachable'
  /** A download that does not match what the Hub announced. */
  | 'integrity'
  | 'no-space'
  | 'cache-error'
  | 'not-confirmed'
  | 'cancelled';

export class HubError extends Error {
  constructor(
    readonly code: HubErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'HubError';
  }
}

export function isHubError(e: unknown): e is HubError {
  return e instanceof HubError;
}

/** What a message needs to say where the failure is: the repo and revision, and the file if any. */
export interface HubPlace {
  repoId: string;
  revision: string;
  file?: string;
}

export function describe(place: HubPlace): string {
  const at =
    place.revision === 'main' ? `\`${place.repoId}\`` : `\`${place.repoId}\` at revision \`${place.revision}\``;
  return place.file ? `\`${place.file}\` of ${at}` : at;
}

/** `1.23 GB`, `456 MB`, `12 kB`, `512 B`: decimal units, as the Hub's web pages show sizes. */
export function formatBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(n >= 1e8 ? 0 : 1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(0)} kB`;
  return `${n} B`;
}

/**
 * Names from a server or a file, quoted in messages: control characters (terminal escapes) are shown as
 * `\xNN` and the length is bounded, so a hostile repo cannot write to the user's terminal through us.
 */
export function quoteName(s: string, max = 200): string {
  const safe = s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return safe.length > max ? safe.slice(0, max) + '…' : safe;
}
