/**
 * The compare table's lines for a result's read-outs, compact: the logit lens at the last position (the
 * next-token prediction) as one line per layer with the top-1 of base and variant, the layer where the
 * variant's prediction is first top-1 marked; one line naming the heads that attend from earlier positions to
 * the perturbed one. Tokens are shown as quoted text with control characters escaped.
 */
import type { LensToken } from '../protocol/headsAndLens';
import type { MeasuredResult } from '../protocol/report';
import { formatNumber } from '../protocol/numbers';
import type { Style } from './style';
import { terminalText } from './terminalText';

const cell = (t: LensToken | undefined) =>
  t ? `${terminalText(JSON.stringify(t.token))} ${(t.probability * 100).toFixed(1)}%` : '—';

export function readOutLines(r: MeasuredResult, s: Style): string[] {
  const lines: string[] = [];
  const lens = r.logitLens;
  const last = lens?.positions.at(-1);
  if (lens && last) {
    const stack = lens.stack === 'decoder' ? 'decoder ' : '';
    lines.push(
      `    ${s.cyan('logit lens')} at ${stack}position ${last.variantPosition} (top 1 of ${lens.k} per layer; * = the variant's prediction first top 1):`,
    );
    const rows = last.variant.map((row, l) => [
      `${l === last.firstLayer ? '*' : ' '} ${l}`,
      cell(last.base[l]?.[0]),
      cell(row[0]),
    ]);
    const widths = [5, Math.max(4, ...rows.map((x) => x[1].length))];
    lines.push(`      ${'layer'.padEnd(widths[0])}  ${'base'.padEnd(widths[1])}  variant`);
    for (const [layer, base, variant] of rows)
      lines.push(`      ${layer.padEnd(widths[0])}  ${base.padEnd(widths[1])}  ${variant}`);
  }
  const heads = r.attentionHeads;
  if (heads) {
    const stack = heads.stack === 'model' ? '' : `${heads.stack} `;
    const dropout = heads.afterDropout ? ' (after dropout)' : '';
    const leaks = heads.leaks.filter((l) => l.weight > 0).slice(0, 3);
    const said =
      heads.leaks.length === 0
        ? 'no earlier position to attend from'
        : leaks.length === 0
          ? 'no head attends from an earlier position to the perturbed one'
          : 'heads attending from earlier positions to the perturbed one: ' +
            leaks.map((l) => `${l.head} (${formatNumber(l.weight)}, ${l.query}→${l.key})`).join(', ');
    lines.push(`    ${s.cyan('heads')} of ${stack}layer ${heads.layer}${dropout}: ${said}`);
  }
  return lines;
}
