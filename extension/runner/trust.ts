/**
 * Workspace trust: in an untrusted workspace the runner loads nothing from a file path — no
 * `config:` file, no `weights:` — because a workspace's files are not the user's to vouch for.
 * Presets with seeded random weights are safe and still run. The check looks at the paths the parser
 * recorded, before any of them is opened (not even `stat`-ed): the parser itself opens nothing.
 */
import type { FileRef } from '../lab/config';

export function untrustedPaths(files: readonly FileRef[]): string[] {
  return files.map(
    (f) =>
      `${f.model ?? 'a model'}: ${f.key} ${f.path}${f.presetMeant ? ` (did you mean the preset \`${f.presetMeant}\`?)` : ''}`,
  );
}
