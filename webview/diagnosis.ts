/** The verdict in plain words: the badge, the explanation, the evidence behind it, and every finding with the setting it offers. */
import type { Finding, FindingFix, MeasuredResult } from '../extension/protocol/report';
import { el, prose } from './dom';
import { formatNumber, layerName, VERDICT_MEANING } from './format';
import { icon } from './icons';
import { frontierColumns } from './positions';

/** `applyFix`: what FIX does (the host writes the fix into the .prompt file and runs again); none, no button. */
export function diagnosisView(result: MeasuredResult, applyFix?: (finding: Finding) => void): HTMLElement {
  return el(
    'div',
    { class: 'diagnosis' },
    el(
      'div',
      { class: 'verdict-row' },
      el('span', { class: 'badge large', 'data-verdict': result.verdict }, result.verdict),
      el('span', { class: 'verdict-meaning' }, VERDICT_MEANING[result.verdict]),
    ),
    el('p', { class: 'explanation' }, prose(result.explanation)),
    result.findings.length
      ? el('ul', { class: 'findings' }, ...result.findings.map((f) => findingView(f, applyFix)))
      : null,
  );
}

function findingView(finding: Finding, applyFix?: (finding: Finding) => void): HTMLElement {
  return el(
    'li',
    { class: 'finding', 'data-severity': finding.severity, 'data-code': finding.code },
    el('span', { class: 'finding-icon' }, icon(finding.severity === 'warning' ? 'warning' : 'info', finding.severity)),
    el(
      'div',
      { class: 'finding-body' },
      el('p', { class: 'finding-message' }, prose(finding.message)),
      finding.fix ? fixView(finding.fix, applyFix && (() => applyFix(finding))) : null,
    ),
  );
}

/**
 * "FIX `mode: eval` turns dropout off" — or, for a choice rather than a mistake, "OPTION `is_decoder: true` makes
 * it causal"; with `apply`, a button that writes the setting into the .prompt file and runs the comparison again.
 */
function fixView(fix: FindingFix, apply?: () => void): HTMLElement {
  const setting = `${fix.key}: ${yamlScalar(fix.value)}`;
  const button = apply
    ? el(
        'button',
        {
          class: 'button secondary fix-apply',
          type: 'button',
          title: `Write ${setting} into the .prompt file and run the comparison again`,
        },
        'Apply & re-run',
      )
    : null;
  button?.addEventListener('click', () => apply?.());
  return el(
    'p',
    { class: 'finding-fix', 'data-kind': fix.kind },
    el('span', { class: 'fix-label' }, fix.kind === 'fix' ? 'Fix' : 'Option'),
    el('code', { class: 'fix-setting' }, setting),
    el('span', { class: 'fix-description' }, fix.description),
    button,
  );
}

/** A setting's value as it would be written in the front matter. */
function yamlScalar(value: unknown): string {
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'string') return /^[\w.-]+$/.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value);
}

/** The numbers the verdict rests on, each named the way the report names it. */
export function evidenceView(result: MeasuredResult): HTMLElement {
  const { evidence, frontier } = result;
  // "0 at embeddings, position 0" would name a place for a change that is nowhere.
  const at =
    evidence.earlierMaxAt && evidence.earlierMaxAbsDiff !== 0
      ? ` at ${layerName(evidence.earlierMaxAt.layer)}, position ${evidence.earlierMaxAt.position}`
      : evidence.earlierMaxAbsDiff === 0
        ? ' (bit-identical)'
        : '';
  const changedPair = result.alignment.pairs[frontierColumns(result).firstChanged];
  const firstChanged =
    frontier.firstChanged === null
      ? 'none: no state differs beyond float32 rounding'
      : `${frontier.firstChanged}${changedPair?.base === null ? ' (a new token)' : changedPair?.variant === null ? ' (a dropped token)' : ''}`;
  const rows: [string, string][] = [
    [
      'first perturbed position',
      frontier.firstPerturbed === null ? 'none (identical tokens)' : String(frontier.firstPerturbed),
    ],
    ['first changed position', firstChanged],
    [
      'max |Δ| before the edit',
      evidence.earlierNonFinite
        ? 'not measured: NaN or Inf there'
        : evidence.earlierMaxAbsDiff === null
          ? 'no earlier position'
          : `${formatNumber(evidence.earlierMaxAbsDiff)}${at}`,
    ],
  ];
  if (evidence.controlEarlierMaxAbsDiff !== null && result.control.identical === false)
    rows.push(['same input twice, before the edit', formatNumber(evidence.controlEarlierMaxAbsDiff)]);
  rows.push(
    ['noise floor', noiseFloorText(result)],
    ['margin over noise', evidence.marginOverNoise === null ? '—' : `×${formatNumber(evidence.marginOverNoise)}`],
    [
      'allclose at position 0 (last layer)',
      evidence.allcloseAtPosition0 === null
        ? '— (position 0 is perturbed)'
        : evidence.allcloseAtPosition0
          ? 'True'
          : 'False',
    ],
    ['tolerance', `atol ${formatNumber(evidence.atol)}, rtol ${formatNumber(evidence.rtol)}`],
  );
  return el(
    'dl',
    { class: 'evidence-list' },
    ...rows.flatMap(([name, value]) => [el('dt', {}, name), el('dd', {}, value)]),
  );
}

function noiseFloorText(result: MeasuredResult): string {
  const { evidence } = result;
  return evidence.noiseFloor > evidence.roundingFloor
    ? `${formatNumber(evidence.noiseFloor)} (the control run)`
    : `${formatNumber(evidence.noiseFloor)} (float32 rounding)`;
}
