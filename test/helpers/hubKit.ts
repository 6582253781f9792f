/** Shared pieces of the Hub tests: fixture repos, settings isolated from the user's own Hugging Face files. */
import { lstatSync, readdirSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { hubSettings, type HubOptions, type HubSettings } from '../../extension/lab/hub';
import { referenceFolder } from './hfReference';
import { folderFiles, type HubServer, repoOf, type ServedRepo } from './hubServer';
import { freshDir } from './paths';

/** A fixture folder of `../shared/fixtures/hf-reference/` served as the repo `hf-reference/<name>`. */
export function referenceRepo(name: string, extra: Partial<ServedRepo> = {}): ServedRepo {
  return repoOf(`hf-reference/${name}`, folderFiles(referenceFolder(name), true), extra);
}

/** An endpoint for tests that must make no request: fetch refuses the port, so any request would fail. */
const UNUSED_ENDPOINT = 'http://127.0.0.1:1';

/**
 * Settings for a test: the loopback Hub, a fresh cache, and an environment of our own (so neither the
 * machine's `HF_TOKEN` nor `~/.cache/huggingface/token` can leak in).
 */
export function settingsFor(
  server: HubServer | string | undefined,
  options: HubOptions = {},
  env: NodeJS.ProcessEnv = {},
): HubSettings {
  const home = freshDir('plab-hfhome-');
  return hubSettings(
    {
      endpoint: typeof server === 'string' ? server : (server?.endpoint ?? UNUSED_ENDPOINT),
      cacheDir: freshDir('plab-hub-'),
      timeoutMs: 5_000,
      ...options,
    },
    { HF_HOME: home, ...env },
  );
}

/** A loopback port nothing listens on (taken and released), for "the Hub is unreachable". */
export async function closedEndpoint(): Promise<string> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

export type TreeEntry = { kind: 'file'; size: number } | { kind: 'link'; target: string } | { kind: 'dir' };

/** Every entry under `dir`, by relative path with `/`, symlinks not followed. */
export function tree(dir: string, prefix = ''): Map<string, TreeEntry> {
  const out = new Map<string, TreeEntry>();
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    const rel = prefix + name;
    const s = lstatSync(path);
    if (s.isSymbolicLink()) out.set(rel, { kind: 'link', target: readlinkSync(path) });
    else if (s.isDirectory()) {
      out.set(rel, { kind: 'dir' });
      for (const [k, v] of tree(path, rel + '/')) out.set(k, v);
    } else out.set(rel, { kind: 'file', size: s.size });
  }
  return out;
}
