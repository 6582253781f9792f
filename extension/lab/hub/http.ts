/**
 * One request to the Hub, on Node's own `fetch`: redirects are followed by hand so the `Authorization` header
 * goes only to the endpoint's own origin (the real Hub sends LFS files to a CDN on another host, which must
 * never see the token), a request with no byte for `timeoutMs` fails instead of hanging, and every failure
 * becomes a `HubError` that says what to do.
 */
import { describe, HubError, type HubPlace, quoteName } from './errors';
import { type HubSettings, tokenPhrase } from './settings';

const MAX_REDIRECTS = 5;
const USER_AGENT = 'perturbation-lab (huggingface_hub-compatible cache)';

/** An AbortSignal that fires when the caller's does, or when `ms` pass without `touch()`. */
export class IdleDeadline {
  readonly signal: AbortSignal;
  timedOut = false;
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private readonly onAbort = () => this.controller.abort();

  constructor(
    private readonly ms: number,
    private readonly outer?: AbortSignal,
  ) {
    this.signal = this.controller.signal;
    if (outer?.aborted) this.controller.abort();
    outer?.addEventListener('abort', this.onAbort, { once: true });
    this.touch();
  }

  touch(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort();
    }, this.ms);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.outer?.removeEventListener('abort', this.onAbort);
  }

  /** The error to throw for a failure seen while this deadline was armed. */
  failure(e: unknown, settings: HubSettings, place: HubPlace, host: string): HubError {
    if (e instanceof HubError) return e;
    if (this.outer?.aborted) return new HubError('cancelled', `download of ${describe(place)} cancelled`);
    if (this.timedOut)
      return new HubError(
        'unreachable',
        `${host} sent nothing for ${this.ms / 1000} s while fetching ${describe(place)}`,
      );
    return unreachable(e, settings, place, host);
  }
}

export function unreachable(e: unknown, settings: HubSettings, place: HubPlace, host: string): HubError {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  const why = cause?.code ?? cause?.message ?? (e as Error).message;
  const isHub = host === new URL(settings.endpoint).host;
  return new HubError(
    'unreachable',
    `cannot reach ${isHub ? `the Hub at ${settings.endpoint}` : host} for ${describe(place)} (${quoteName(String(why), 120)})`,
  );
}

export interface HubResponse {
  /** The last response, after redirects: its body is the content. */
  response: Response;
  /** Headers of the first response (the Hub's own): `X-Repo-Commit`, `X-Linked-Etag`, `X-Linked-Size` live there. */
  hubHeaders: Headers;
}

export interface RequestInit {
  method: 'GET' | 'HEAD';
  /** Ask for the bytes from this offset on (`Range: bytes=N-`). */
  from?: number;
  deadline: IdleDeadline;
  /** Return a redirect to another origin instead of following it (a HEAD reads the Hub's own headers). */
  stayOnHub?: boolean;
}

/** Sends a request, following redirects by hand; the token goes only to the endpoint's origin. */
export async function hubRequest(
  settings: HubSettings,
  url: string,
  init: RequestInit,
  place: HubPlace,
): Promise<HubResponse> {
  const hubOrigin = new URL(settings.endpoint).origin;
  let current = new URL(url);
  let hubHeaders: Headers | undefined;
  for (let hop = 0; ; hop++) {
    // identity: sizes and ranges are of the stored bytes, never of a compressed stream.
    const headers: Record<string, string> = { 'accept-encoding': 'identity', 'user-agent': USER_AGENT };
    if (settings.token && current.origin === hubOrigin) headers.authorization = `Bearer ${settings.token}`;
    if (init.from) headers.range = `bytes=${init.from}-`;
    let response: Response;
    try {
      response = await fetch(current, {
        method: init.method,
        headers,
        redirect: 'manual',
        signal: init.deadline.signal,
      });
    } catch (e) {
      throw init.deadline.failure(e, settings, place, current.host);
    }
    init.deadline.touch();
    hubHeaders ??= response.headers;
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      const next = new URL(location, current);
      if (init.stayOnHub && next.origin !== hubOrigin) return { response, hubHeaders };
      await response.body?.cancel();
      if (hop >= MAX_REDIRECTS) throw new HubError('bad-response', `too many redirects for ${describe(place)}`);
      current = next;
      if (current.protocol !== 'https:' && current.protocol !== 'http:')
        throw new HubError('bad-response', `the Hub redirected ${describe(place)} to a non-http URL`);
      continue;
    }
    return { response, hubHeaders };
  }
}

/** The chunks of a response body (none for a body-less response). */
export async function* chunksOf(body: ReadableStream<Uint8Array> | null): AsyncGenerator<Uint8Array> {
  if (!body) return;
  const reader = body.getReader();
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        finished = true;
        return;
      }
      yield value;
    }
  } finally {
    // Leaving early (an error, too many bytes): close the stream so the connection does not linger.
    if (!finished) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

/** Reads a whole (small) body, refusing one over `cap` bytes before it is all in memory. */
export async function readBodyCapped(
  response: Response,
  cap: number,
  deadline: IdleDeadline,
  settings: HubSettings,
  place: HubPlace,
): Promise<Buffer> {
  const announced = Number(response.headers.get('content-length'));
  if (announced > cap)
    throw new HubError(
      'bad-response',
      `the Hub's answer for ${describe(place)} is ${announced} bytes, more than ${cap}`,
    );
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of chunksOf(response.body)) {
      deadline.touch();
      total += chunk.length;
      if (total > cap) {
        throw new HubError('bad-response', `the Hub's answer for ${describe(place)} is more than ${cap} bytes`);
      }
      chunks.push(Buffer.from(chunk));
    }
  } catch (e) {
    throw deadline.failure(e, settings, place, new URL(response.url || settings.endpoint).host);
  }
  return Buffer.concat(chunks);
}

/** What a request was for, so a 404 can say "repo" or "file". */
export type RequestKind = 'listing' | 'file';

/** Turns a Hub error response into the message a user can act on (Python's `hf_raise_for_status` rules). */
export function hubErrorOf(response: Response, settings: HubSettings, place: HubPlace, kind: RequestKind): HubError {
  const code = response.headers.get('x-error-code');
  const serverMessage = response.headers.get('x-error-message') ?? '';
  const status = response.status;
  const page = `${settings.endpoint}/${place.repoId}`;
  const repo = `\`${place.repoId}\``;
  const token = tokenPhrase(settings);
  if (code === 'GatedRepo') {
    return new HubError(
      'gated',
      settings.token
        ? `${repo} is a gated model and ${token} has no access yet: accept its terms on ${page} with that account (some repos also need the authors' approval)`
        : `${repo} is a gated model: accept its terms on ${page} while logged in, then set HF_TOKEN to an access token of that account (or run \`hf auth login\`)`,
    );
  }
  if (status === 401 && /invalid (credentials|username or password)/i.test(serverMessage) && settings.token) {
    return new HubError(
      'bad-token',
      `${token} was refused as invalid by ${settings.endpoint}: create a new one at ${settings.endpoint}/settings/tokens`,
    );
  }
  if (code === 'RepoNotFound' || (status === 401 && code !== 'RevisionNotFound' && code !== 'EntryNotFound')) {
    return new HubError(
      'repo-not-found',
      `${repo} was not found on the Hub (${settings.endpoint}): check the id. ` +
        (settings.token
          ? `If it is private, ${token} has no access to it.`
          : 'If it is private, set HF_TOKEN to an access token that can read it (or run `hf auth login`).'),
    );
  }
  if (code === 'RevisionNotFound' || (status === 404 && kind === 'listing' && place.revision !== 'main')) {
    return new HubError(
      'revision-not-found',
      `revision \`${quoteName(place.revision)}\` of ${repo} was not found on the Hub: name a branch, tag or commit it has`,
    );
  }
  if (code === 'EntryNotFound' || (status === 404 && kind === 'file')) {
    return new HubError('entry-not-found', `${describe(place)} was not found on the Hub`);
  }
  if (status === 404)
    return new HubError('repo-not-found', `${repo} was not found on the Hub (${settings.endpoint}): check the id`);
  if (status === 403) {
    return new HubError(
      'forbidden',
      `${settings.endpoint} refused ${describe(place)} (403) with ${token}${settings.token ? ': it lacks read access to this repo' : ''}`,
    );
  }
  const detail = serverMessage ? `: ${quoteName(serverMessage, 200)}` : '';
  return new HubError('hub-error', `the Hub answered ${status} for ${describe(place)}${detail}`);
}
