/**
 * The compare command's lines for an activation-patching grid (`patch:`): what was patched and measured, and
 * the cells with the largest effect above float32 rounding, each with its block, position (and token) or head, the
 * effect and, with an LM head, the fraction of the variant's logit change it restores. The whole grid is in `--json`.
 */
import type { MeasuredResult, PatchingResult } from '../protocol/report';
import { formatNumber, formatPair } from '../protocol/numbers';
import { terminalText } from './terminalText';

/** How many cells the table lists. */
const TOP_CELLS = 5;

export function patchingLines(r: MeasuredResult, patching: PatchingResult): string[] {
  const token = (p: number) => terminalText(JSON.stringify(r.baseTokens[p]?.text ?? ''));
  const what =
    patching.kind === 'residual'
      ? `the stream entering each ${patching.stack === 'model' ? '' : `${patching.stack} `}block, one position at a time`
      : patching.kind === 'cross_heads'
        ? "each decoder cross-attention head's output"
        : `each ${patching.stack === 'model' ? "head's" : `${patching.stack} self-attention head's`} output`;
  const lines = [
    `patching (${patching.kind}: ${what}), measured at ${patching.stack === 'encoder' ? "the decoder's " : ''}position ${patching.target} ${terminalText(JSON.stringify(patching.targetText))}:`,
  ];
  const logits = patching.logit ? formatPair(patching.logit.base, patching.logit.variant) : null;
  if (patching.logit && logits)
    lines.push(
      `  logit of the variant's top next token ${terminalText(JSON.stringify(patching.logit.text))}: base ${logits[0]}, variant ${logits[1]} (change ${formatNumber(patching.logit.variant - patching.logit.base)})`,
    );
  const cells = patching.rows.flatMap((row) =>
    row.effect.flatMap((effect, column) =>
      effect === null ? [] : [{ layer: row.layer, column, effect, fraction: row.fraction?.[column] }],
    ),
  );
  cells.sort((a, b) => b.effect - a.effect);
  // At or below the rounding floor a cell moves nothing two runs of one input would not (its fraction is noise).
  const moving = cells.filter((c) => c.effect > patching.roundingFloor);
  for (const cell of moving.slice(0, TOP_CELLS)) {
    const where =
      patching.kind === 'residual' ? `position ${cell.column} ${token(cell.column)}` : `head ${cell.column}`;
    const restored =
      cell.fraction === undefined || cell.fraction === null
        ? ''
        : `, restores ${formatNumber(cell.fraction)} of the logit change`;
    lines.push(`  block ${cell.layer}, ${where}: effect ${formatNumber(cell.effect)}${restored}`);
  }
  if (cells.every((c) => c.effect === 0)) lines.push('  no patch moves the output at the target');
  else if (moving.length === 0)
    lines.push(
      `  no patch moves the output at the target beyond float32 rounding (≤ ${formatNumber(patching.roundingFloor)})`,
    );
  else if (moving.length < cells.length)
    lines.push(
      `  ${cells.length - moving.length} more cells move it within float32 rounding (≤ ${formatNumber(patching.roundingFloor)}): no effect`,
    );
  if (patching.nonFinite > 0)
    lines.push(`  ${patching.nonFinite} cells give NaN or ±Inf at the target: no number (see --json, null)`);
  return lines;
}
