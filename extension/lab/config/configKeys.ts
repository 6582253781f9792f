/**
 * The config keys of each architecture: the keys every Hugging Face config carries (keyInfo.ts) joined with
 * the architecture's own (its module's `keys`, which win where both name a key).
 */
import type { Architecture } from '../types';
import { ARCHITECTURES, moduleOf } from '../models/registry';
import { COMMON_KEYS, keyTable, type ConfigKeyInfo } from './keyInfo';

export type { ConfigKeyInfo } from './keyInfo';

const tables = new Map<Architecture, ReadonlyMap<string, ConfigKeyInfo>>();

/** Every key of an architecture, common ones included. */
export function configKeyTable(architecture: Architecture): ReadonlyMap<string, ConfigKeyInfo> {
  let table = tables.get(architecture);
  if (!table) tables.set(architecture, (table = keyTable(COMMON_KEYS, [...moduleOf(architecture).keys.values()])));
  return table;
}

/** Every key of an architecture with its doc, for completion and hover. */
export function configKeysOf(architecture: Architecture): ConfigKeyInfo[] {
  return [...configKeyTable(architecture).values()];
}

/** How people name each architecture (`BERT`, `GPT-2`, `MarianMT`). */
export const ARCHITECTURE_LABEL: Readonly<Record<Architecture, string>> = Object.fromEntries(
  ARCHITECTURES.map((a) => [a, moduleOf(a).label]),
) as Record<Architecture, string>;
