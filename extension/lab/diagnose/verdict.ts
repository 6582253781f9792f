/**
 * The verdict, in the order the questions must be asked: is the model even reproducible; is
 * there an earlier position to judge; did any earlier position change above the noise floor.
 */
import type { Verdict } from '../../protocol/report';
import { exceedsFloor } from '../compare/frontier';
import { isNondeterministic } from '../compare/noiseFloor';
import type { EarlierMaximum } from './evidence';
import type { DiagnoseInput } from './types';

export function judgeVerdict(input: DiagnoseInput, earlier: EarlierMaximum | null): Verdict {
  if (isNondeterministic(input.noise)) return 'nondeterministic';
  const firstPerturbed = input.alignment.firstPerturbed;
  if (firstPerturbed === null || firstPerturbed === 0 || earlier === null) return 'undetermined';
  // Judged against the noise floor, not the user's atol: a 0.003 leak under atol 0.01 is still a leak.
  return exceedsFloor(earlier.maxAbsDiff, input.noise.value) ? 'bidirectional' : 'causal';
}
