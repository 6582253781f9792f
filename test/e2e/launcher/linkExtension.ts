/**
 * Serve mode (`npm run open`): the extension under development is installed into code-server's extensions
 * folder as a link to the checkout, so any URL of the server loads it — the bare `http://127.0.0.1:PORT/` too,
 * not only a workbench URL carrying the development path in its payload (code-server takes it nowhere else).
 * A link, not a copy: `node build.mjs` and a window reload pick up changes, as F5 does.
 *
 * VS Code lists a profile's extensions in `extensions.json` in that folder and ignores folders it does not
 * list (it scans them only when the file is missing): the entry is written as VS Code writes its own.
 */
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

interface ProfileEntry {
  identifier: { id: string };
  version: string;
  location: { $mid: 1; path: string; scheme: 'file' };
  relativeLocation: string;
}

/** Links `extensionPath` into `extensionsDir` and registers it; returns the extension's id. */
export function linkExtension(extensionsDir: string, extensionPath: string): string {
  const manifest = JSON.parse(readFileSync(join(extensionPath, 'package.json'), 'utf8')) as {
    publisher: string;
    name: string;
    version: string;
  };
  const id = `${manifest.publisher}.${manifest.name}`.toLowerCase();
  const folderName = `${id}-${manifest.version}`;
  mkdirSync(extensionsDir, { recursive: true });

  const listFile = join(extensionsDir, 'extensions.json');
  const listed: ProfileEntry[] = existsSync(listFile)
    ? (JSON.parse(readFileSync(listFile, 'utf8')) as ProfileEntry[])
    : [];
  // Earlier links of this extension (another version) go; anything else the profile holds stays.
  for (const entry of listed.filter((e) => e.identifier.id.toLowerCase() === id)) {
    const old = join(extensionsDir, entry.relativeLocation);
    if (lstatSync(old, { throwIfNoEntry: false })?.isSymbolicLink()) rmSync(old);
  }
  const link = join(extensionsDir, folderName);
  if (lstatSync(link, { throwIfNoEntry: false })) rmSync(link, { recursive: true, force: true });
  symlinkSync(extensionPath, link, 'dir');

  const entry: ProfileEntry = {
    identifier: { id },
    version: manifest.version,
    location: { $mid: 1, path: link, scheme: 'file' },
    relativeLocation: folderName,
  };
  const next = [...listed.filter((e) => e.identifier.id.toLowerCase() !== id), entry];
  writeFileSync(`${listFile}.tmp`, JSON.stringify(next));
  renameSync(`${listFile}.tmp`, listFile);
  return id;
}
