/** The verdict in plain words: the badge, the explanation, the evidence behind it, and every finding with its fix. */
import type { Finding, VariantResult } from '../extension/protocol/report';
import { el, prose } from './dom';
import { formatNumber, layerName, VERDICT_MEANING } from './format';

/** `applyFix`: what FIX does (the host writes the fix into the .prompt file and runs again); none, no button. */
export function diagnosisView(result: VariantResult, applyFix?: (finding: Finding) => void): HTMLElement {
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
    el(
      'span',
      { class: 'finding-icon', role: 'img', 'aria-label': finding.severity },
      finding.severity === 'warning' ? '!' : 'i',
    ),
    el(
      'div',
      { class: 'finding-body' },
      el('p', { class: 'finding-message' }, prose(finding.message)),
      finding.fix ? fixView(finding.fix, applyFix && (() => applyFix(finding))) : null,
    ),
  );
}

/** "Fix  set `mode: eval` (dropout off)": the setting as it is written in the front matter, inside the fix's own words when they name it. */
function fixView(fix: NonNullable<Finding['fix']>, apply?: () => void): HTMLElement {
  const setting = `${fix.key}: ${yamlScalar(fix.value)}`;
  const at = fix.description.indexOf(setting);
  const words =
    at >= 0
      ? [
          fix.description.slice(0, at),
          el('code', { class: 'fix-setting' }, setting),
          fix.description.slice(at + setting.length),
        ]
      : [el('code', { class: 'fix-setting' }, setting), ` — ${fix.description}`];
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
    { class: 'finding-fix' },
    el('span', { class: 'fix-label' }, 'Fix'),
    el('span', { class: 'fix-description' }, ...words),
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
export function evidenceView(result: VariantResult): HTMLElement {
  const { evidence, frontier } = result;
  const at = evidence.earlierMaxAt
    ? ` at ${layerName(evidence.earlierMaxAt.layer)}, position ${evidence.earlierMaxAt.position}`
    : '';
  const rows: [string, string][] = [
    [
      'first perturbed position',
      frontier.firstPerturbed === null ? 'none (identical tokens)' : String(frontier.firstPerturbed),
    ],
    ['first changed position', frontier.firstChanged === null ? 'none' : String(frontier.firstChanged)],
    [
      'max |Δ| before the edit',
      evidence.earlierMaxAbsDiff === null ? 'no earlier position' : `${formatNumber(evidence.earlierMaxAbsDiff)}${at}`,
    ],
    ['noise floor', formatNumber(evidence.noiseFloor)],
    ['margin over noise', evidence.marginOverNoise === null ? '—' : `×${formatNumber(evidence.marginOverNoise)}`],
    [
      'allclose at position 0 (last layer)',
      evidence.allcloseAtPosition0 === null ? '— (position 0 is perturbed)' : String(evidence.allcloseAtPosition0),
    ],
    ['tolerance', `atol ${formatNumber(evidence.atol)}, rtol ${formatNumber(evidence.rtol)}`],
  ];
  return el(
    'dl',
    { class: 'evidence-list' },
    ...rows.flatMap(([name, value]) => [el('dt', {}, name), el('dd', {}, value)]),
  );
}
