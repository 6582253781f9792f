/**
 * The verdict, in the order the questions must be asked: are the numbers finite at all; is the model
 * even reproducible; is there an earlier position to judge; did the edit change anything at all; did
 * any earlier position change above the noise floor.
 */
import type { MeasuredVerdict as Verdict } from '../../protocol/report';
import { exceedsFloor, pairChanged } from '../compare/frontier';
import { isNondeterministic } from '../compare/noiseFloor';
import type { EarlierMaximum } from './evidence';
import type { DiagnoseInput } from './types';

export function judgeVerdict(input: DiagnoseInput, earlier: EarlierMaximum | null): Verdict {
  // NaN == NaN is no evidence of "unchanged": nothing can be judged on such states.
  if (input.nonFinite !== null) return 'non-finite';
  if (isNondeterministic(input.noise)) return 'nondeterministic';
  const firstPerturbed = input.alignment.firstPerturbed;
  if (firstPerturbed === null || firstPerturbed === 0 || earlier === null) return 'undetermined';
  if (editChangedNothing(input)) return 'undetermined';
  // Judged against the noise floor, not the user's atol: a 0.003 leak under atol 0.01 is still a leak.
  return exceedsFloor(earlier.maxAbsDiff, input.noise.value) ? 'bidirectional' : 'causal';
}

/**
 * No compared position changed at all — and that means something: either a compared position exists at
 * or after the edit (so the edit did not even change its own state), or the base's states are the same
 * at every position (the model ignores its input). An appended token alone is new, not evidence.
 */
export function editChangedNothing(input: DiagnoseInput): boolean {
  const { pairs, firstPerturbed } = input.alignment;
  if (firstPerturbed === null) return false;
  const compared = pairs
    .map((pair, index) => ({ pair, index }))
    .filter(({ pair }) => pair.base !== null && pair.variant !== null);
  if (compared.some(({ pair, index }) => pairChanged(input.layers, pair, index, input.noise.rounding))) return false;
  return input.baseStatesConstant || compared.some(({ pair }) => pair.base! >= firstPerturbed);
}
