/**
 * The compare command's terminal output: one row per model × variant (verdict, where change starts,
 * the largest change before the perturbed token against the noise floor, allclose at position 0),
 * then each result's explanation and findings with their fixes, in plain words.
 */
import type { ComparisonReport, VariantResult, Verdict } from '../protocol/report';
import { formatNumber } from '../lab/diagnose/format';
import type { Style } from './style';
import { terminalText } from './terminalText';

export function renderReport(report: ComparisonReport, s: Style): string {
  const lines: string[] = [];
  const byCase = new Map<number, VariantResult[]>();
  for (const r of report.results) byCase.set(r.caseIndex, [...(byCase.get(r.caseIndex) ?? []), r]);
  for (const [caseIndex, results] of byCase) {
    const first = results[0];
    lines.push(s.bold(`Case ${caseIndex + 1}: ${terminalText(JSON.stringify(first.baseText))}`));
    const variants = [...new Set(results.map((r) => r.variantIndex))];
    for (const variantIndex of variants) {
      const rows = results.filter((r) => r.variantIndex === variantIndex);
      lines.push(`  variant ${variantIndex + 1}: ${terminalText(JSON.stringify(rows[0].variantText))}`, '');
      lines.push(...table(rows, report, s).map((l) => '  ' + l), '');
      for (const r of rows) {
        lines.push(`  ${s.bold(terminalText(r.model))}: ${terminalText(r.explanation)}`);
        for (const f of r.findings) {
          if (f.code === 'causal-as-expected') continue;
          const mark = f.severity === 'warning' ? s.yellow('!') : s.dim('·');
          lines.push(`    ${mark} ${terminalText(f.message)}`);
          if (f.fix)
            lines.push(
              `      ${s.cyan('fix:')} ${terminalText(`${f.fix.description} (${f.fix.key}: ${JSON.stringify(f.fix.value)})`)}`,
            );
        }
      }
      lines.push('');
    }
  }
  return lines.join('\n');
}

function table(rows: VariantResult[], report: ComparisonReport, s: Style): string[] {
  const header = [
    'model',
    'mode',
    'attention',
    'verdict',
    'perturbed at',
    'first changed',
    'max |Δ| before',
    'noise floor',
    'allclose @0',
  ];
  const cells = rows.map((r) => {
    const m = report.models.find((x) => x.name === r.model);
    const e = r.evidence;
    return [
      r.model,
      m?.mode ?? '?',
      r.attentionMask.rule,
      r.verdict,
      r.frontier.firstPerturbed === null ? '—' : String(r.frontier.firstPerturbed),
      r.frontier.firstChanged === null ? '—' : String(r.frontier.firstChanged),
      e.earlierMaxAbsDiff === null ? '—' : formatNumber(e.earlierMaxAbsDiff),
      formatNumber(e.noiseFloor),
      e.allcloseAtPosition0 === null ? '—' : e.allcloseAtPosition0 ? 'True' : 'False',
    ].map((cell) => terminalText(cell));
  });
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const pad = (c: string[]) => c.map((x, i) => x.padEnd(widths[i])).join('  ');
  const verdictColumn = 3;
  return [
    s.dim(pad(header)),
    ...cells.map((c, row) => {
      const text = pad(c);
      const start = c.slice(0, verdictColumn).reduce((n, x, i) => n + widths[i] + 2, 0);
      const end = start + widths[verdictColumn];
      return text.slice(0, start) + colourVerdict(rows[row].verdict, text.slice(start, end), s) + text.slice(end);
    }),
  ];
}

function colourVerdict(v: Verdict, text: string, s: Style): string {
  switch (v) {
    case 'causal':
      return s.green(text);
    case 'bidirectional':
      return s.cyan(text);
    case 'nondeterministic':
      return s.red(text);
    case 'undetermined':
      return s.yellow(text);
    default: {
      const never: never = v;
      return never;
    }
  }
}
