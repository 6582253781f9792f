/**
 * A Hugging Face Hub on 127.0.0.1 for tests (no network): repos at the Hub's URLs with the headers clients
 * read, and a second loopback server standing in for the CDN that the real Hub redirects LFS files to.
 *
 * - `GET /api/models/{repo}/revision/{rev}[?blobs=true]`: `{ id, sha, siblings[{ rfilename, size, blobId, lfs }] }`
 * - `HEAD|GET /{repo}/resolve/{rev}/{path}`: small files 200 with `ETag` (git blob sha1, quoted),
 *   `X-Repo-Commit`, `Range`; LFS files (`*.safetensors`, `*.bin`) 302 to the CDN with `X-Linked-Etag` (sha256)
 *   and `X-Linked-Size`.
 * - errors as the Hub sends them: 401/403/404 with `X-Error-Code` (`RepoNotFound`, `GatedRepo`,
 *   `RevisionNotFound`, `EntryNotFound`) and `X-Error-Message`.
 * - switches: drop the connection after N bytes of a file, hold a file after N bytes until released, serve a
 *   file with one byte changed, leave sizes and blob ids out of the listing. Every request is logged.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export interface ServedCommit {
  sha: string;
  files: Map<string, Buffer>;
}

export interface ServedRepo {
  id: string;
  commits: ServedCommit[];
  /** Branches and tags → commit sha. */
  refs: Record<string, string>;
  gated?: boolean;
  private?: boolean;
}

export interface LoggedRequest {
  server: 'hub' | 'cdn';
  method: string;
  path: string;
  range?: string;
  authorization?: string;
}

export function gitBlobSha1(content: Buffer): string {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}

export function sha256(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

export const isLfs = (path: string) => /\.(safetensors|bin)$/.test(path);

/** A commit of the given files; its sha is derived from their content, as a real commit's would be. */
export function makeCommit(files: Record<string, Buffer> | Map<string, Buffer>, salt = ''): ServedCommit {
  const map = files instanceof Map ? files : new Map(Object.entries(files));
  const h = createHash('sha1').update(salt);
  for (const [p, c] of [...map].sort(([a], [b]) => a.localeCompare(b))) h.update(`${p}\0${gitBlobSha1(c)}\n`);
  return { sha: h.digest('hex'), files: map };
}

/** The files of a folder (not recursive), without the fixtures' `reference.json` unless asked. */
export function folderFiles(folder: string, keepReference = false): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const name of readdirSync(folder).sort())
    if (keepReference || name !== 'reference.json') files.set(name, readFileSync(join(folder, name)));
  return files;
}

export function repoOf(
  id: string,
  files: Record<string, Buffer> | Map<string, Buffer>,
  extra: Partial<ServedRepo> = {},
): ServedRepo {
  const commit = makeCommit(files, id);
  return { id, commits: [commit], refs: { main: commit.sha }, ...extra };
}

interface Hold {
  bytes: number;
  onReached: () => void;
  released: Promise<void>;
  release: () => void;
}

export class HubServer {
  readonly requests: LoggedRequest[] = [];
  readonly repos = new Map<string, ServedRepo>();
  /** Tokens the Hub accepts; gated repos also need the token in `granted`. */
  readonly validTokens = new Set<string>();
  readonly granted = new Set<string>();
  omitBlobMetadata = false;
  private readonly drops = new Map<string, { bytes: number; times: number }>();
  private readonly holds = new Map<string, Hold>();
  private readonly allHolds: Hold[] = [];
  /** Paths served with their first byte changed (see `corrupt`). */
  readonly corrupted = new Set<string>();
  private hub!: Server;
  private cdn!: Server;
  endpoint = '';
  cdnOrigin = '';

  static async start(repos: ServedRepo[] = []): Promise<HubServer> {
    const s = new HubServer();
    for (const r of repos) s.repos.set(r.id, r);
    s.hub = createServer((req, res) => s.handleHub(req, res));
    s.cdn = createServer((req, res) => s.handleCdn(req, res));
    await Promise.all([listen(s.hub), listen(s.cdn)]);
    s.endpoint = `http://127.0.0.1:${(s.hub.address() as AddressInfo).port}`;
    s.cdnOrigin = `http://127.0.0.1:${(s.cdn.address() as AddressInfo).port}`;
    return s;
  }

  add(repo: ServedRepo): void {
    this.repos.set(repo.id, repo);
  }

  /** Drop the connection after `bytes` bytes of `path`'s body, the next `times` times it is served. */
  dropAfter(path: string, bytes: number, times = 1): void {
    this.drops.set(path, { bytes, times });
  }

  /** Stop after `bytes` bytes of `path` (once) until `release()`; `reached` resolves when they are sent. */
  hold(path: string, bytes: number): { reached: Promise<void>; release: () => void } {
    let onReached!: () => void;
    let release!: () => void;
    const reached = new Promise<void>((r) => (onReached = r));
    const released = new Promise<void>((r) => (release = r));
    const h: Hold = { bytes, onReached, released, release };
    this.holds.set(path, h);
    this.allHolds.push(h);
    return { reached, release };
  }

  /** Serve `path` with its first byte changed (its etag and size still announced as the real file's). */
  corrupt(path: string): void {
    this.corrupted.add(path);
  }

  count(filter: (r: LoggedRequest) => boolean = () => true): number {
    return this.requests.filter(filter).length;
  }

  async close(): Promise<void> {
    for (const h of this.allHolds) h.release();
    await Promise.all([closeServer(this.hub), closeServer(this.cdn)]);
  }

  private log(server: 'hub' | 'cdn', req: IncomingMessage, path: string): void {
    this.requests.push({
      server,
      method: req.method ?? '',
      path,
      range: req.headers.range,
      authorization: req.headers.authorization,
    });
  }

  private fail(res: ServerResponse, status: number, code: string | undefined, message: string, commit?: string): void {
    const headers: Record<string, string> = { 'x-error-message': message, 'content-type': 'application/json' };
    if (code) headers['x-error-code'] = code;
    if (commit) headers['x-repo-commit'] = commit;
    res.writeHead(status, headers);
    res.end(JSON.stringify({ error: message }));
  }

  /** Access rules as the real Hub applies them; returns false after answering when access is refused. */
  private access(req: IncomingMessage, res: ServerResponse, id: string): ServedRepo | undefined {
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ') ? auth.slice(7) : undefined;
    if (token !== undefined && !this.validTokens.has(token)) {
      this.fail(res, 401, undefined, 'Invalid credentials in Authorization header');
      return undefined;
    }
    const repo = this.repos.get(id);
    if (!repo || (repo.private && !token)) {
      // Without a token the Hub does not say whether a repo exists.
      this.fail(res, token ? 404 : 401, 'RepoNotFound', 'Repository not found');
      return undefined;
    }
    if (repo.gated && !(token && this.granted.has(token))) {
      const msg = `Access to model ${id} is restricted. You must have access to it and be authenticated to access it. Please log in.`;
      this.fail(res, token ? 403 : 401, 'GatedRepo', msg);
      return undefined;
    }
    return repo;
  }

  private commitOf(repo: ServedRepo, rev: string): ServedCommit | undefined {
    const sha = repo.refs[rev] ?? rev;
    return repo.commits.find(
      (c) => c.sha === sha || (sha.length >= 7 && /^[0-9a-f]+$/.test(sha) && c.sha.startsWith(sha)),
    );
  }

  private handleHub(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    this.log('hub', req, url.pathname);
    const api = /^\/api\/models\/(.+)\/revision\/([^/]+)$/.exec(url.pathname);
    if (api)
      return this.listing(
        req,
        res,
        decodeURIComponent(api[1]),
        decodeURIComponent(api[2]),
        url.searchParams.has('blobs'),
      );
    const resolve = /^\/(.+?)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    if (resolve)
      return this.resolve(
        req,
        res,
        resolve[1],
        decodeURIComponent(resolve[2]),
        resolve[3].split('/').map(decodeURIComponent).join('/'),
      );
    this.fail(res, 404, undefined, 'Not found');
  }

  private listing(req: IncomingMessage, res: ServerResponse, id: string, rev: string, blobs: boolean): void {
    const repo = this.access(req, res, id);
    if (!repo) return;
    const commit = this.commitOf(repo, rev);
    if (!commit) return this.fail(res, 404, 'RevisionNotFound', `Invalid rev id: ${rev}`);
    const siblings = [...commit.files].map(([rfilename, content]) => {
      if (!blobs || this.omitBlobMetadata) return { rfilename };
      if (!isLfs(rfilename)) return { rfilename, size: content.length, blobId: gitBlobSha1(content) };
      const pointer = Buffer.from(
        `version https://git-lfs.github.com/spec/v1\noid sha256:${sha256(content)}\nsize ${content.length}\n`,
      );
      return {
        rfilename,
        size: content.length,
        blobId: gitBlobSha1(pointer),
        lfs: { sha256: sha256(content), size: content.length, pointerSize: pointer.length },
      };
    });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        id,
        modelId: id,
        sha: commit.sha,
        private: Boolean(repo.private),
        gated: repo.gated ? 'auto' : false,
        siblings,
      }),
    );
  }

  private resolve(req: IncomingMessage, res: ServerResponse, id: string, rev: string, path: string): void {
    const repo = this.access(req, res, id);
    if (!repo) return;
    const commit = this.commitOf(repo, rev);
    if (!commit) return this.fail(res, 404, 'RevisionNotFound', `Invalid rev id: ${rev}`);
    const content = commit.files.get(path);
    if (!content) return this.fail(res, 404, 'EntryNotFound', `${path} does not exist on "${rev}"`, commit.sha);
    if (isLfs(path)) {
      const hash = sha256(content);
      res.writeHead(302, {
        location: `${this.cdnOrigin}/repos/${hash}?path=${encodeURIComponent(path)}&repo=${encodeURIComponent(id)}&commit=${commit.sha}`,
        'x-repo-commit': commit.sha,
        'x-linked-etag': `"${hash}"`,
        'x-linked-size': String(content.length),
        etag: `"${hash}"`,
        'content-length': '0',
      });
      return void res.end();
    }
    this.serve(req, res, path, content, { etag: `"${gitBlobSha1(content)}"`, 'x-repo-commit': commit.sha });
  }

  private handleCdn(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    this.log('cdn', req, url.pathname);
    const repo = this.repos.get(url.searchParams.get('repo') ?? '');
    const path = url.searchParams.get('path') ?? '';
    const content = repo?.commits.find((c) => c.sha === url.searchParams.get('commit'))?.files.get(path);
    if (!content) return this.fail(res, 404, undefined, 'NoSuchKey');
    this.serve(req, res, path, content, { etag: `"${sha256(content)}"` });
  }

  /** Sends a file with `Range` support and the drop / hold / corrupt switches. */
  private serve(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    full: Buffer,
    headers: Record<string, string>,
  ): void {
    let content = full;
    if (this.corrupted.has(path)) {
      content = Buffer.from(full);
      content[0] ^= 0xff;
    }
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    if (start > content.length || (range && start === content.length)) {
      res.writeHead(416, { 'content-range': `bytes */${content.length}` });
      return void res.end();
    }
    const body = content.subarray(start);
    res.writeHead(range ? 206 : 200, {
      ...headers,
      'accept-ranges': 'bytes',
      'content-length': String(body.length),
      ...(range ? { 'content-range': `bytes ${start}-${content.length - 1}/${content.length}` } : {}),
    });
    if (req.method === 'HEAD') return void res.end();
    const drop = this.drops.get(path);
    if (drop && drop.times > 0 && drop.bytes < body.length) {
      drop.times--;
      res.write(body.subarray(0, drop.bytes), () => res.socket?.destroy());
      return;
    }
    const hold = this.holds.get(path);
    if (hold && hold.bytes < body.length) {
      this.holds.delete(path);
      res.write(body.subarray(0, hold.bytes), () => hold.onReached());
      // Released: send the rest if the client is still there.
      void hold.released.then(() => {
        if (!res.destroyed) res.end(body.subarray(hold.bytes));
      });
      return;
    }
    res.end(body);
  }
}

function listen(server: Server): Promise<void> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
