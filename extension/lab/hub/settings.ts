/**
 * Where the Hub is, where its cache is, whether to go online and which token to send — read from the
 * environment exactly as Python's `huggingface_hub` reads it, with one override per field for the extension
 * host (its settings and the token it keeps in VS Code's secret storage) and the CLI.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { HubError } from './errors';
import { readSmallRegularFile, SmallFileError } from './safeRead';

/** What a front end may set; every field left out comes from the environment. */
export interface HubOptions {
  /** The Hub's base URL (`HF_ENDPOINT`). */
  endpoint?: string;
  /**
   * `true`: no request at all, only the cache (`HF_HUB_OFFLINE=1`). `'restricted-mode'`: the same, because the
   * workspace is untrusted (messages say so). `false`: online even if the environment says offline.
   */
  offline?: boolean | 'restricted-mode';
  /** An access token (`HF_TOKEN`); the host passes the one from its secret storage here. Never logged. */
  token?: string;
  /** The cache folder (`HF_HUB_CACHE`). */
  cacheDir?: string;
  /** Milliseconds without a byte before a request counts as failed (`HF_HUB_DOWNLOAD_TIMEOUT`, seconds). */
  timeoutMs?: number;
}

export type OfflineReason = 'HF_HUB_OFFLINE' | 'TRANSFORMERS_OFFLINE' | 'option' | 'restricted-mode';
export type TokenSource = 'option' | 'HF_TOKEN' | 'HUGGING_FACE_HUB_TOKEN' | 'token file';

export interface HubSettings {
  endpoint: string;
  cacheDir: string;
  /** Why no request may be made, or `null` when online. */
  offline: OfflineReason | null;
  token: string | undefined;
  /** Where the token came from, for messages (the token itself is never shown). */
  tokenSource: TokenSource | undefined;
  timeoutMs: number;
}

export const DEFAULT_ENDPOINT = 'https://huggingface.co';
const TOKEN_FILE_CAP = 4096;

/** `huggingface_hub`'s truth test for environment flags. */
function isTrue(value: string | undefined): boolean {
  return value !== undefined && ['1', 'ON', 'YES', 'TRUE'].includes(value.toUpperCase());
}

function expandHome(p: string, env: NodeJS.ProcessEnv): string {
  if (p === '~' || p.startsWith('~/') || p.startsWith('~\\')) return join(env.HOME || homedir(), p.slice(1));
  return p;
}

/** `HF_HOME`, else `$XDG_CACHE_HOME/huggingface`, else `~/.cache/huggingface`. */
export function hfHome(env: NodeJS.ProcessEnv = process.env): string {
  const home = env.HF_HOME || join(env.XDG_CACHE_HOME || '~/.cache', 'huggingface');
  return resolve(expandHome(home, env));
}

/** `HF_HUB_CACHE`, else the legacy `HUGGINGFACE_HUB_CACHE`, else `$HF_HOME/hub`. */
export function hubCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.HF_HUB_CACHE || env.HUGGINGFACE_HUB_CACHE || join(hfHome(env), 'hub');
  return resolve(expandHome(dir, env));
}

/** `HF_TOKEN_PATH`, else `$HF_HOME/token` (where `hf auth login` writes it). */
export function tokenFilePath(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(expandHome(env.HF_TOKEN_PATH || join(hfHome(env), 'token'), env));
}

function cleanToken(raw: string | undefined): string | undefined {
  const t = raw?.replace(/\r?\n/g, '').trim();
  return t ? t : undefined;
}

function tokenFromEnvironment(env: NodeJS.ProcessEnv): { token: string; source: TokenSource } | undefined {
  const fromEnv = cleanToken(env.HF_TOKEN);
  if (fromEnv) return { token: fromEnv, source: 'HF_TOKEN' };
  const legacy = cleanToken(env.HUGGING_FACE_HUB_TOKEN);
  if (legacy) return { token: legacy, source: 'HUGGING_FACE_HUB_TOKEN' };
  const path = tokenFilePath(env);
  let bytes: Buffer | undefined;
  try {
    bytes = readSmallRegularFile(path, TOKEN_FILE_CAP);
  } catch (e) {
    // The message names the file and the problem, never its content.
    if (e instanceof SmallFileError) throw new HubError('bad-setting', `the token file ${e.message}`);
    throw e;
  }
  const fromFile = cleanToken(bytes?.toString('utf8'));
  return fromFile ? { token: fromFile, source: 'token file' } : undefined;
}

function offlineReason(options: HubOptions, env: NodeJS.ProcessEnv): OfflineReason | null {
  if (options.offline === 'restricted-mode') return 'restricted-mode';
  if (options.offline === true) return 'option';
  if (options.offline === false) return null;
  // As Python: the first of the two that is set decides (HF_HUB_OFFLINE=0 wins over TRANSFORMERS_OFFLINE=1).
  if (env.HF_HUB_OFFLINE) return isTrue(env.HF_HUB_OFFLINE) ? 'HF_HUB_OFFLINE' : null;
  return isTrue(env.TRANSFORMERS_OFFLINE) ? 'TRANSFORMERS_OFFLINE' : null;
}

function endpointOf(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new HubError('bad-setting', `the Hub endpoint "${raw.slice(0, 200)}" is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new HubError('bad-setting', `the Hub endpoint ${url.origin} is not an http(s) URL`);
  if (url.username || url.password)
    throw new HubError('bad-setting', 'the Hub endpoint must not hold credentials: set HF_TOKEN instead');
  return raw.replace(/\/+$/, '');
}

/** The settings in force: the options first, then the environment, then `huggingface_hub`'s defaults. */
export function hubSettings(options: HubOptions = {}, env: NodeJS.ProcessEnv = process.env): HubSettings {
  const offline = offlineReason(options, env);
  let token: string | undefined;
  let tokenSource: TokenSource | undefined;
  const explicit = cleanToken(options.token);
  if (explicit) {
    token = explicit;
    tokenSource = 'option';
  } else if (!isTrue(env.HF_HUB_DISABLE_IMPLICIT_TOKEN) && offline === null) {
    const found = tokenFromEnvironment(env);
    token = found?.token;
    tokenSource = found?.source;
  }
  const seconds = Number(env.HF_HUB_DOWNLOAD_TIMEOUT);
  return {
    endpoint: endpointOf(options.endpoint || env.HF_ENDPOINT || DEFAULT_ENDPOINT),
    cacheDir: options.cacheDir ? resolve(expandHome(options.cacheDir, env)) : hubCacheDir(env),
    offline,
    token,
    tokenSource,
    timeoutMs: options.timeoutMs ?? (seconds > 0 ? seconds * 1000 : 10_000),
  };
}

/** How a message says the token came from, e.g. "the token from HF_TOKEN". */
export function tokenPhrase(settings: HubSettings): string {
  switch (settings.tokenSource) {
    case undefined:
      return 'no token';
    case 'option':
      return 'the token set in Perturbation Lab';
    case 'HF_TOKEN':
    case 'HUGGING_FACE_HUB_TOKEN':
      return `the token from ${settings.tokenSource}`;
    case 'token file':
      return 'the token from the token file (`hf auth login`)';
  }
}
