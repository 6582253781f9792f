/**
 * The inputs of `states`: the main input (`--text` or `--ids`, the decoder's for an encoder-decoder), the
 * source of an encoder-decoder (`--encoder-text` or `--encoder-ids`), and Hugging Face's attention masks
 * (`--attention-mask 0,0,1,…`, `--encoder-attention-mask`). Checked against the model: ids inside its
 * vocabulary, no longer than its positions, masks as long as their ids.
 */
import type { LabTokenizer } from '../lab/tokenizers';
import { takeOption, UsageError, type ParsedArgs } from './args';

export interface StatesInputOptions {
  text?: string;
  ids?: string;
  attentionMask?: string;
  encoderText?: string;
  encoderIds?: string;
  encoderAttentionMask?: string;
}

export function takeStatesInputs(args: ParsedArgs): StatesInputOptions {
  return {
    text: takeOption(args, 'text'),
    ids: takeOption(args, 'ids'),
    attentionMask: takeOption(args, 'attention-mask'),
    encoderText: takeOption(args, 'encoder-text'),
    encoderIds: takeOption(args, 'encoder-ids'),
    encoderAttentionMask: takeOption(args, 'encoder-attention-mask'),
  };
}

/** Whole numbers separated by commas (`--ids 1,2,3`). */
export function parseIdList(option: string, value: string, allowed?: (n: number) => boolean): number[] {
  const pieces = value.split(',').map((x) => x.trim());
  const bad = pieces.find((x) => !/^\d+$/.test(x) || (allowed !== undefined && !allowed(Number(x))));
  if (bad !== undefined)
    throw new UsageError(
      allowed
        ? `--${option}: "${bad}" is not 0 or 1 (give one 0 or 1 per token, separated by commas)`
        : `--${option}: "${bad}" is not a token id (give whole numbers separated by commas)`,
    );
  return pieces.map(Number);
}

export interface SideInput {
  ids: number[];
  mask?: number[];
}

/**
 * One side's ids (from text or ids) and mask. `tokenizer` is null when the model has none; text then
 * cannot be tokenized and the message says what to add.
 */
export function sideInput(
  side: { text?: string; ids?: string; mask?: string; textOption: string; idsOption: string; maskOption: string },
  tokenizer: LabTokenizer | null,
  noTokenizer: string,
  addSpecialTokens: boolean,
): SideInput {
  let ids: number[];
  if (side.ids !== undefined) ids = parseIdList(side.idsOption, side.ids);
  else {
    if (!tokenizer)
      throw new UsageError(`--${side.textOption} needs a tokenizer: ${noTokenizer}; or give --${side.idsOption}`);
    ids = tokenizer.encode(side.text!, addSpecialTokens).ids;
  }
  if (ids.length === 0)
    throw new UsageError(`the --${side.text !== undefined ? side.textOption : side.idsOption} input has no tokens`);
  if (side.mask === undefined) return { ids };
  const mask = parseIdList(side.maskOption, side.mask, (n) => n === 0 || n === 1);
  if (mask.length !== ids.length)
    throw new UsageError(`--${side.maskOption} has ${mask.length} values for ${ids.length} tokens; give one per token`);
  if (!mask.includes(1)) throw new UsageError(`--${side.maskOption} masks every token: at least one must be 1`);
  return { ids, mask };
}

/** Every id below the vocabulary, no more tokens than positions. */
export function checkFits(input: SideInput, option: string, vocabSize: number, maxPositions: number): void {
  const outside = input.ids.find((id) => id >= vocabSize);
  if (outside !== undefined)
    throw new UsageError(
      `--${option}: token id ${outside} is outside this model's vocabulary (vocab_size ${vocabSize})`,
    );
  if (input.ids.length > maxPositions)
    throw new UsageError(
      `--${option}: the input is ${input.ids.length} tokens long; this model has ${maxPositions} positions`,
    );
}
