/** `compare --lens K` and `--heads LAYER`: the `lens:` and `heads:` keys for every model of the file. */
import { LENS_MAX_K } from '../protocol/headsAndLens';
import type { ModelSpec } from '../lab/types';
import { takeOption, UsageError, type ParsedArgs } from './args';

export function takeReadOuts(args: ParsedArgs): Pick<ModelSpec, 'lens' | 'heads'> {
  const lens = takeOption(args, 'lens');
  const heads = takeOption(args, 'heads');
  const whole = (text: string, min: number, max: number) => {
    const n = Number(text);
    return /^\d+$/.test(text) && n >= min && n <= max ? n : null;
  };
  const out: Pick<ModelSpec, 'lens' | 'heads'> = {};
  if (lens !== undefined) {
    const k = whole(lens, 1, LENS_MAX_K);
    if (k === null)
      throw new UsageError(`--lens takes the top k, a whole number from 1 to ${LENS_MAX_K} (got "${lens}")`);
    out.lens = k;
  }
  if (heads !== undefined) {
    const layer = whole(heads, 0, Number.MAX_SAFE_INTEGER);
    if (layer === null) throw new UsageError(`--heads takes a layer, a whole number from 0 (got "${heads}")`);
    out.heads = layer;
  }
  return out;
}
