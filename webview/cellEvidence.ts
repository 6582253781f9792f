/**
 * The two short lines of evidence under a verdict in the summary — the numbers that decide it, in the
 * words of that verdict (a nondeterministic model's evidence is its control run; a non-finite one's
 * is where the NaN starts). Every number is its own unbreakable span, so it never wraps inside.
 */
import { shortNonFinite } from '../extension/protocol/nonFiniteWords';
import type { MeasuredResult } from '../extension/protocol/report';
import { el, type Child } from './dom';
import { formatNumber } from './format';
import { frontierColumns, positionsBefore } from './positions';

export const num = (x: number | null | undefined): HTMLElement => el('span', { class: 'num' }, formatNumber(x));
const mono = (text: string): HTMLElement => el('span', { class: 'num' }, text);

export function cellEvidence(result: MeasuredResult): Child[][] {
  const { evidence, frontier, verdict } = result;
  const first = frontier.firstPerturbed;
  const before = first === null || first === 0 ? null : positionsBefore(first);
  const allclose = evidence.allcloseAtPosition0 === null ? null : evidence.allcloseAtPosition0 ? 'True' : 'False';
  switch (verdict) {
    case 'causal':
    case 'bidirectional':
      return [
        [
          `${before}: max |Δ| `,
          num(evidence.earlierMaxAbsDiff),
          verdict === 'bidirectional' && evidence.marginOverNoise !== null
            ? [' (', mono(`×${formatNumber(evidence.marginOverNoise)}`), ' noise)']
            : evidence.earlierMaxAbsDiff === 0
              ? ' (exact)'
              : [' ≤ rounding ', num(evidence.roundingFloor)],
        ].flat(),
        [allclose === null ? null : ['allclose @0 ', mono(allclose), ' · '], changeStarts(result)]
          .flat()
          .filter((c) => c !== null),
      ];
    case 'nondeterministic':
      return evidence.controlEarlierMaxAbsDiff === null || before === null
        ? [['same input twice: max |Δ| ', num(evidence.controlMaxAbsDiff)], ['structure can’t be judged']]
        : [
            ['same input twice: ', num(evidence.controlEarlierMaxAbsDiff), ` at ${before}`],
            ['the edit: ', num(evidence.earlierMaxAbsDiff), ' — no more than noise shows'],
          ];
    case 'non-finite': {
      const weights = result.nonFinite?.weights;
      const tensor = weights?.kind === 'checked' ? weights.tensors[0]?.name : undefined;
      return [
        [result.nonFinite ? shortNonFinite(result.nonFinite) : 'NaN or Inf in the states'],
        [tensor ? [mono(tensor), ' in the checkpoint'] : 'no rule can be judged'].flat(),
      ];
    }
    case 'undetermined':
      return [[undeterminedReason(result)]];
  }
}

function changeStarts(result: MeasuredResult): Child[] {
  const { firstChanged } = result.frontier;
  if (firstChanged === null) return ['nothing changed'];
  const columns = frontierColumns(result);
  const pair = result.alignment.pairs[columns.firstChanged];
  const what = pair?.base === null ? ' (new token)' : pair?.variant === null ? ' (dropped token)' : '';
  return [`changes from ${firstChanged}${what}`];
}

function undeterminedReason(result: MeasuredResult): string {
  const codes = result.findings.map((f) => f.code);
  if (codes.includes('nothing-changed')) return 'no state changed, not even at the edit';
  if (result.frontier.firstPerturbed === 0) return 'edit at position 0: nothing before it';
  return 'same tokens: nothing was perturbed';
}
