/**
 * Every key a `.prompt` file may hold, with one-line docs: the parser's allow-lists and the
 * language server's completion and hover read the same tables.
 */
import { MODEL_ENTRY_KEYS, type KeyDoc } from '../config/entryKeys';
import { RUN_SETTINGS } from '../config/runSettings';
import { configKeysOf, type ConfigKeyInfo } from '../config/configKeys';
import type { Architecture } from '../types';
import { ARCHITECTURES } from '../models/registry';

export type { KeyDoc };

const runSettingDocs: KeyDoc[] = RUN_SETTINGS.map(({ key, doc, check }) => ({ key, doc, values: check.choices }));

/**
 * Keys at the top of the front matter: the model list, cases, and defaults for every model. Only what
 * works is listed (the parser names `perturb:` "not supported yet" on its own).
 */
export const TOP_LEVEL_KEYS: readonly KeyDoc[] = [
  { key: 'models', doc: 'The models to run, each with a `name` and a `config` (or `weights`). Required.' },
  {
    key: 'cases',
    doc: "Prompts that need YAML (line breaks, leading `~`): a list of `{ base: ..., variants: [...] }`; `|-` keeps line breaks without a final one. They come before the body's cases.",
  },
  ...runSettingDocs,
];

/** Keys of one entry of `cases:`. */
export const CASE_KEYS: readonly KeyDoc[] = [
  { key: 'base', doc: 'The original prompt (text; YAML block scalars such as `|-` allowed).' },
  {
    key: 'encoder',
    doc: "An encoder-decoder's source (BART, MarianMT), as an `encoder:` line above the base does; other models ignore it.",
  },
  {
    key: 'variants',
    doc: 'A list of perturbed prompts compared with `base`; `{ encoder: ... }` is a variant of the source instead.',
  },
];

/** Keys of a model entry besides Hugging Face config keys: name, config, weights, and the run settings. */
export const ENTRY_KEYS: readonly KeyDoc[] = [...MODEL_ENTRY_KEYS, ...runSettingDocs];

export interface KnownKeys {
  topLevel: readonly KeyDoc[];
  modelEntry: readonly KeyDoc[];
  case: readonly KeyDoc[];
  /** Hugging Face config keys a model entry of that architecture may override. */
  config: Readonly<Record<Architecture, readonly ConfigKeyInfo[]>>;
}

export const KNOWN_KEYS: KnownKeys = {
  topLevel: TOP_LEVEL_KEYS,
  modelEntry: ENTRY_KEYS,
  case: CASE_KEYS,
  config: Object.fromEntries(ARCHITECTURES.map((a) => [a, configKeysOf(a)])) as Record<Architecture, ConfigKeyInfo[]>,
};
