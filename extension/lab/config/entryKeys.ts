/** The keys of a model entry that are not Hugging Face config keys, with one-line docs. */
import { PRESET_NAMES } from '../models/registry';

export interface KeyDoc {
  key: string;
  doc: string;
  /** Completion choices, where the value is one of a few words. */
  values?: readonly string[];
}

export const MODEL_ENTRY_KEYS: readonly KeyDoc[] = [
  { key: 'name', doc: "The model's name in results (required, unique in the file)." },
  {
    key: 'config',
    doc: `A preset (${PRESET_NAMES.join(', ')}) or the path of a Hugging Face config.json, relative to this file. Not needed when \`weights:\` is a folder with a config.json.`,
    values: PRESET_NAMES,
  },
  {
    key: 'weights',
    doc: 'A .safetensors file or a Hugging Face folder (config.json + model.safetensors, and its tokenizer.json when it has one), relative to this file. Without it the weights are random, drawn from `seed`. Pickle files (.bin, .pt) are never loaded.',
  },
  {
    key: 'tokenizer',
    doc: "A folder with the model's tokenizer.json and tokenizer_config.json (what `save_pretrained` writes), or that tokenizer.json, relative to this file. Needed by a `config:` model whose tokenizer the lab does not ship (the Llama family, BART, MarianMT); a `weights:` folder's own tokenizer is used without it.",
  },
  {
    key: 'from',
    doc: "A model on the Hugging Face Hub (`gpt2`, `org/name`), taken as `from_pretrained` takes it: the repo's config.json, safetensors weights and tokenizer, eval mode unless `mode: train`; keys written beside it override its config. Read from the Hugging Face cache Python uses (`HF_HUB_CACHE`, `HF_HOME`), downloaded once when missing (never pickle). Excludes `config:` and `weights:`.",
  },
  {
    key: 'revision',
    doc: 'With `from:`: the branch, tag or commit of the repo to take (default `main`). A full commit hash needs no request once it is in the cache.',
  },
];

export const MODEL_ENTRY_KEY_NAMES: ReadonlySet<string> = new Set(MODEL_ENTRY_KEYS.map((k) => k.key));
