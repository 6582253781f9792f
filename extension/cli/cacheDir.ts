/** Where the CLI keeps built models and converted tokenizers: --cache, $PERTURBATION_LAB_CACHE, or the user's cache folder. */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export function resolveCacheDir(option: string | undefined): string {
  if (option) return resolve(option);
  if (process.env.PERTURBATION_LAB_CACHE) return resolve(process.env.PERTURBATION_LAB_CACHE);
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'perturbation-lab');
}
