/**
 * The verdict in one or two plain sentences with the numbers that decide it, written for someone
 * who does not know the answer yet (names the rule, where change starts, and what it was judged against).
 */
import type { Verdict } from '../../protocol/report';
import type { EarlierMaximum } from './evidence';
import { exceedsFloor } from '../compare/frontier';
import { describeEdit, formatNumber, plural, positionsBefore } from './format';
import type { DiagnoseInput } from './types';

export function explainVerdict(input: DiagnoseInput, verdict: Verdict, earlier: EarlierMaximum | null): string {
  switch (verdict) {
    case 'nondeterministic':
      return explainNondeterministic(input);
    case 'undetermined':
      return explainUndetermined(input);
    case 'bidirectional':
      return explainBidirectional(input, earlier);
    case 'causal':
      return explainCausal(input, earlier);
  }
}

function explainNondeterministic(input: DiagnoseInput): string {
  const { model } = input;
  const dropoutOn = model.mode === 'train' && Object.values(model.dropoutRates).some((rate) => rate > 0);
  const cause = dropoutOn
    ? 'Dropout is on because the model is in training mode; set `mode: eval` to judge it.'
    : 'Dropout is off, so the randomness comes from somewhere else.';
  return (
    `Nondeterministic: the same input run twice already differs (control max |Δ| ${formatNumber(input.control.maxAbsDiff)}), ` +
    `so the difference between the two prompts cannot show which positions the edit reached. ${cause}`
  );
}

function explainUndetermined(input: DiagnoseInput): string {
  if (input.alignment.firstPerturbed === null) {
    return `Undetermined: both prompts give the same ${plural(input.baseTokens.length, 'token')}, so nothing was perturbed and there is nothing to follow.`;
  }
  const edit = describeEdit(input.alignment, input.baseTokens, input.variantTokens);
  return (
    `Undetermined: the prompts differ already at position 0 (${edit}), so no earlier position exists to show ` +
    'whether the model looks ahead; perturb a later token.'
  );
}

function explainCausal(input: DiagnoseInput, earlier: EarlierMaximum | null): string {
  const firstPerturbed = input.alignment.firstPerturbed ?? 0;
  const edit = describeEdit(input.alignment, input.baseTokens, input.variantTokens);
  const kept =
    earlier === null || earlier.maxAbsDiff === 0
      ? 'kept their hidden states exactly in every layer (max |Δ| 0)'
      : `kept their hidden states in every layer up to float32 rounding (max |Δ| ${formatNumber(earlier.maxAbsDiff)}, ` +
        `noise floor ${formatNumber(input.noise.value)})`;
  const firstChanged = input.frontier.firstChanged;
  const after =
    firstChanged === null
      ? 'no position changed at all, not even the perturbed one'
      : firstChanged === firstPerturbed
        ? `only positions from ${firstPerturbed} on changed`
        : `change starts at position ${firstChanged}`;
  return `Causal: ${positionsBefore(firstPerturbed)}, before the edit at position ${firstPerturbed} (${edit}), ${kept}; ${after}.`;
}

function explainBidirectional(input: DiagnoseInput, earlier: EarlierMaximum | null): string {
  const firstPerturbed = input.alignment.firstPerturbed ?? 0;
  const edit = describeEdit(input.alignment, input.baseTokens, input.variantTokens);
  const leak = earlier?.maxAbsDiff ?? NaN;
  const where = earlier === null ? '' : ` at layer ${earlier.layer}, position ${earlier.position}`;
  const control = input.control.identical
    ? 'the same input run twice gave identical states'
    : `the control run differs by at most ${formatNumber(input.control.maxAbsDiff)}`;
  const margin = input.noise.value > 0 ? `, ${formatNumber(leak / input.noise.value)}× the noise floor` : '';
  const why = input.causalMask
    ? 'even though the attention mask is causal'
    : 'because without a causal mask every position attends to every other';
  let text =
    `Bidirectional: the edit at position ${firstPerturbed} (${edit}) also changed ${changedEarlier(input)} ` +
    `(max |Δ| ${formatNumber(leak)}${where}${margin}, while ${control}), ${why}.`;
  const { atol } = input.model;
  if (leak <= atol) {
    text += ` That change is below your atol ${formatNumber(atol)}, so torch.allclose alone would have missed it.`;
  }
  return text;
}

/** "all 5 earlier positions" or "3 of the 5 earlier positions": how far back the edit reached. */
function changedEarlier(input: DiagnoseInput): string {
  const firstPerturbed = input.alignment.firstPerturbed ?? 0;
  let changed = 0;
  input.alignment.pairs.forEach((pair, index) => {
    if (pair.base === null || pair.variant === null || pair.base >= firstPerturbed) return;
    if (input.layers.some((layer) => exceedsFloor(layer.maxAbsDiff[index], input.noise.value))) changed++;
  });
  if (firstPerturbed === 1) return 'position 0 before it';
  return changed === firstPerturbed
    ? `all ${firstPerturbed} earlier positions`
    : `${changed} of the ${firstPerturbed} earlier positions`;
}
