/**
 * How many tokens each model's tokenizer makes of a prompt, for the CodeLens and hover. Models that share a
 * tokenizer and call it alike on the input (`inputReading.ts`: an encoder-decoder's decoder input is tokenized as
 * written, its source and every other model's text with special tokens when `add_special_tokens`) give the same
 * tokens, so they are counted once, as a group.
 */
import { addsSpecialTokens, hasEncoder, readsInput } from '../lab/experiment/inputReading';
import { loadTokenizer, tokenizerKey, tokenizerLabel, type LabTokenizer } from '../lab/tokenizers';
import type { EditedInput, ModelSpec, TokenizerRef } from '../lab/types';
import { describeError, type Logger } from './guard';

export interface TokenizerGroup {
  tokenizer: TokenizerRef;
  /** The tokenizer's identity (models with the same key share it). */
  key: string;
  /** Which tokenizer, for tooltips: the shipped one's name (`bert-uncased`) or the folder. */
  description: string;
  addSpecialTokens: boolean;
  /** Short, as the lens shows it: `gpt2`, `bert`, `bert +special`, a model folder's name. */
  label: string;
  /** Names of the models in the group, in file order. */
  models: string[];
  /** The group's models are encoder-decoders (the input is their source or their decoder input). */
  encoderDecoder: boolean;
}

const MEMO_LIMIT = 5000;

/**
 * Groups of models that tokenize `input` alike (the base line and its variants: `text`; an `encoder:` line and
 * its variants: `encoder`); a model that does not read the input (no encoder) or has no tokenizer (its entry
 * says so) is left out.
 */
export function tokenizerGroups(models: readonly ModelSpec[], input: EditedInput = 'text'): TokenizerGroup[] {
  const groups = new Map<string, TokenizerGroup>();
  for (const model of models) {
    if (model.tokenizer.kind === 'none' || !readsInput(model, input)) continue;
    const tokenizer = tokenizerKey(model.tokenizer);
    const special = addsSpecialTokens(model, input);
    const encoderDecoder = hasEncoder(model);
    const key = `${tokenizer}|${special}|${encoderDecoder}`;
    const group = groups.get(key) ?? {
      tokenizer: model.tokenizer,
      key: tokenizer,
      description: model.tokenizer.kind === 'bundled' ? model.tokenizer.name : model.tokenizer.folder,
      addSpecialTokens: special,
      encoderDecoder,
      // A `from:` model's own tokenizer is named by its repo, not by the snapshot's commit folder.
      label: model.hub && model.tokenizer.kind === 'folder' ? model.hub.repoId : tokenizerLabel(model.tokenizer),
      models: [],
    };
    group.models.push(model.name);
    groups.set(key, group);
  }
  const all = [...groups.values()];
  // Only when one family appears both ways does the label need to say which is which.
  for (const group of all) {
    const twice = all.filter((g) => g.key === group.key).length > 1;
    if (twice && group.addSpecialTokens) group.label += ' +special';
  }
  return all;
}

export interface GroupCount {
  group: TokenizerGroup;
  count: number;
}

/**
 * Loads tokenizers on demand. A tokenizer that fails to load (unwritable cache, missing package)
 * is not retried on every keystroke's CodeLens request: it is logged once and skipped until
 * `reset()` (a settings change).
 */
export class TokenCounter {
  /** Tokenizers (by key) that failed to load, until `reset()`. */
  private readonly failed = new Set<string>();
  /** Counts already made: VS Code asks for lenses after every edit, and most prompts did not change. */
  private readonly memo = new Map<string, number>();

  constructor(
    private readonly cacheDir: string | undefined,
    private readonly log: Logger,
  ) {
    if (!cacheDir) log.info('no cacheDir in initializationOptions: token counts are left out of the CodeLens');
  }

  reset(): void {
    this.failed.clear();
  }

  /** One count per group, or undefined when any tokenizer is unavailable (a partial line would mislead). */
  async count(groups: readonly TokenizerGroup[], text: string): Promise<GroupCount[] | undefined> {
    const tokenizers = await this.tokenizersFor(groups);
    if (!tokenizers) return undefined;
    return groups.map((group, i) => {
      const key = `${group.key}|${group.addSpecialTokens}|${text}`;
      let count = this.memo.get(key);
      if (count === undefined) {
        count = tokenizers[i].encode(text, group.addSpecialTokens).ids.length;
        if (this.memo.size >= MEMO_LIMIT) this.memo.clear(); // crude, but bounded
        this.memo.set(key, count);
      }
      return { group, count };
    });
  }

  /** The tokenizer of each group, or undefined when one cannot be had. */
  async tokenizersFor(groups: readonly TokenizerGroup[]): Promise<LabTokenizer[] | undefined> {
    const cacheDir = this.cacheDir;
    if (!cacheDir || groups.some((g) => this.failed.has(g.key))) return undefined;
    const loaded = await Promise.allSettled(groups.map((g) => loadTokenizer(g.tokenizer, cacheDir)));
    const tokenizers: LabTokenizer[] = [];
    loaded.forEach((result, i) => {
      if (result.status === 'fulfilled') tokenizers.push(result.value);
      else if (!this.failed.has(groups[i].key)) {
        this.failed.add(groups[i].key);
        this.log.warn(
          `the ${groups[i].description} tokenizer could not be loaded (cache ${cacheDir}), token counts are left out: ${describeError(result.reason)}`,
        );
      }
    });
    return tokenizers.length === groups.length ? tokenizers : undefined;
  }
}

export function formatCounts(counts: readonly GroupCount[]): string {
  return counts.map(({ group, count }) => `${group.label}: ${count} ${count === 1 ? 'token' : 'tokens'}`).join(' · ');
}
