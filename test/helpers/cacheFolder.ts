/** What a test sees in a model cache folder: its entries and leftovers, without the cache's bookkeeping. */
import { readdirSync } from 'node:fs';
import { BOOKKEEPING_FOLDERS } from '../../extension/lab/models/cacheEviction';

/** The names in `<cache>/models`, leases and last-use records left out. */
export function cacheFolderNames(modelsDir: string): string[] {
  return readdirSync(modelsDir).filter((name) => !BOOKKEEPING_FOLDERS.includes(name));
}
