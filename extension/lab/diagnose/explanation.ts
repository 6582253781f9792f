/**
 * The verdict in one or two plain sentences with the numbers that decide it, written for someone
 * who does not know the answer yet (names the rule, where change starts, and what it was judged against).
 */
import type { MeasuredVerdict as Verdict, NonFiniteStates, StackName } from '../../protocol/report';
import type { EarlierMaximum } from './evidence';
import { controlEarlierMaximum } from './evidence';
import { exceedsFloor } from '../compare/frontier';
import { describeEdit, editAtEnd, formatNumber, plural, positionsBefore } from './format';
import { describeNonFinite } from '../../protocol/nonFiniteWords';
import type { DiagnoseInput } from './types';
import { editChangedNothing } from './verdict';

const STACK_WORD: Record<StackName, string> = { model: '', encoder: 'Encoder', decoder: 'Decoder' };

/** The verdict's sentence, named by its stack for an encoder-decoder ("Decoder — Causal: …"). */
export function explainVerdict(input: DiagnoseInput, verdict: Verdict, earlier: EarlierMaximum | null): string {
  const text = explainStack(input, verdict, earlier);
  return input.stack === 'model' ? text : `${STACK_WORD[input.stack]} — ${text}`;
}

function explainStack(input: DiagnoseInput, verdict: Verdict, earlier: EarlierMaximum | null): string {
  switch (verdict) {
    case 'non-finite':
      return explainNonFinite(input.nonFinite!);
    case 'nondeterministic':
      return explainNondeterministic(input, earlier);
    case 'undetermined':
      return explainUndetermined(input);
    case 'bidirectional':
      return explainBidirectional(input, earlier);
    case 'causal':
      return explainCausal(input, earlier);
  }
}

function explainNonFinite(nonFinite: NonFiniteStates): string {
  const { states, weights } = describeNonFinite(nonFinite);
  return `Not finite: ${states}, so no difference can be measured there and no rule can be judged. ${weights}`;
}

function explainNondeterministic(input: DiagnoseInput, earlier: EarlierMaximum | null): string {
  const { model } = input;
  const dropoutOn = model.mode === 'train' && model.dropoutRates.some((r) => r.rate > 0);
  const cause = dropoutOn
    ? 'Dropout is on because the model is in training mode; set `mode: eval` to judge it.'
    : 'Dropout is off, so the randomness comes from somewhere else.';
  const controlEarlier = controlEarlierMaximum(input);
  const evidence =
    earlier !== null && controlEarlier !== null
      ? `before the edit, the same input run twice already changes ${positionsBefore(input.alignment.firstPerturbed ?? 0)} ` +
        `by up to ${formatNumber(controlEarlier)} (the control run), and the edit changed them by up to ${formatNumber(earlier.maxAbsDiff)}`
      : `the same input run twice already differs (control max |Δ| ${formatNumber(input.control.maxAbsDiff)})`;
  return (
    `Nondeterministic: ${evidence}, so the difference between the two prompts cannot show which positions ` +
    `the edit reached. ${cause}`
  );
}

function explainUndetermined(input: DiagnoseInput): string {
  if (input.alignment.firstPerturbed === null) {
    return `Undetermined: both prompts give the same ${plural(input.baseTokens.length, 'token')}, so nothing was perturbed and there is nothing to follow.`;
  }
  const edit = describeEdit(input.alignment, input.baseTokens, input.variantTokens);
  if (input.alignment.firstPerturbed === 0) {
    return (
      `Undetermined: the prompts differ already at position 0 (${edit}), so no earlier position exists to show ` +
      'whether the model looks ahead; perturb a later token.'
    );
  }
  if (!editChangedNothing(input)) return 'Undetermined: there is no earlier position to judge.';
  const why = input.baseStatesConstant
    ? 'every position of the base has the same hidden state in every layer, so this model does not read its input'
    : `no position changed at all, not even the edited one at position ${input.alignment.firstPerturbed} (${edit})`;
  return (
    `Undetermined: ${why}, and an unchanged earlier position then says nothing about a causal mask ` +
    '(all-zero weights, as `initializer_range: 0` makes them, do this).'
  );
}

function explainCausal(input: DiagnoseInput, earlier: EarlierMaximum | null): string {
  const firstPerturbed = input.alignment.firstPerturbed ?? 0;
  const edit = describeEdit(input.alignment, input.baseTokens, input.variantTokens);
  const their = firstPerturbed === 1 ? 'its hidden state' : 'their hidden states';
  const kept =
    earlier === null || earlier.maxAbsDiff === 0
      ? `kept ${their} exactly in every layer (max |Δ| 0)`
      : `kept ${their} in every layer up to float32 rounding (max |Δ| ${formatNumber(earlier.maxAbsDiff)}, ` +
        `noise floor ${formatNumber(input.noise.value)})`;
  const atEnd = editAtEnd(input.alignment);
  const before = `${positionsBefore(firstPerturbed)} before it`;
  if (atEnd === 'appended') {
    return (
      `Causal: the variant appends ${edit.replace(/^inserted /, '')} at position ${firstPerturbed} — a new position, ` +
      `with no state in the base to compare — and ${before} ${kept}.`
    );
  }
  if (atEnd === 'dropped') {
    return `Causal: the variant drops ${edit.replace(/^deleted /, '')} from position ${firstPerturbed} on, and ${before} ${kept}.`;
  }
  const firstChanged = input.frontier.firstChanged;
  const after =
    firstChanged === firstPerturbed ? 'change starts at the edit' : `change starts at position ${firstChanged}`;
  return `Causal: ${positionsBefore(firstPerturbed)}, before the edit at position ${firstPerturbed} (${edit}), ${kept}; ${after}.`;
}

function explainBidirectional(input: DiagnoseInput, earlier: EarlierMaximum | null): string {
  const firstPerturbed = input.alignment.firstPerturbed ?? 0;
  const edit = describeEdit(input.alignment, input.baseTokens, input.variantTokens);
  const leak = earlier?.maxAbsDiff ?? 0;
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
