/**
 * What one heatmap cell means, in the words of its tooltip: layer, position, tokens (as code, never in
 * backticks), max |Δ| and what it is judged against (float32 rounding; for a nondeterministic model
 * the same input twice at this very cell), cosine distance and allclose.
 */
import { kindsOf } from '../extension/protocol/nonFiniteWords';
import type { MeasuredResult } from '../extension/protocol/report';
import { el, type Child } from './dom';
import { formatNumber, layerName } from './format';
import type { HeatDomain } from './heatmapScale';
import type { HeatSource } from './heatSource';
import { positionLabel, visibleText } from './tokenStrips';

const token = (text: string): HTMLElement => el('code', { class: 'tip-token' }, ...visibleText(text));

function tokensOf(result: MeasuredResult, column: number): Child {
  const pair = result.alignment.pairs[column];
  const base = pair.base === null ? '' : (result.baseTokens[pair.base]?.text ?? '');
  const variant = pair.variant === null ? '' : (result.variantTokens[pair.variant]?.text ?? '');
  const span = (...children: Child[]) => el('span', {}, ...children);
  switch (pair.kind) {
    case 'same':
      return span(token(base));
    case 'changed':
      return span(token(base), ' → ', token(variant));
    case 'inserted':
      return span('new in the variant: ', token(variant));
    case 'deleted':
      return span('dropped from the base: ', token(base));
  }
}

/** Which runs hold NaN or ±Inf at this cell, and what kind. */
function nonFiniteHere(result: MeasuredResult, source: HeatSource, row: number, column: number): string {
  const pair = result.alignment.pairs[column];
  const layer = source.layers[row];
  const runs = (result.nonFinite?.runs ?? []).filter((r) => {
    const position = r.run === 'variant' ? pair.variant : pair.base;
    return position !== null && r.positionsByLayer[layer]?.includes(position);
  });
  if (runs.length === 0) return 'NaN or Inf';
  const names = runs.map((r) => r.run);
  const list = names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}` : names[0];
  return `${kindsOf(runs[0])} in the ${list} state: not measured`;
}

export function describeCell(
  result: MeasuredResult,
  source: HeatSource,
  row: number,
  column: number,
  domain: HeatDomain,
): { title: string; rows: [string, Child][] } {
  const pair = result.alignment.pairs[column];
  const layer = source.layers[row];
  const value = source.values[row][column];
  const kind = domain.classify(value, source.nonFinite[row][column]).kind;
  const controlValue = pair.base === null ? null : (result.control.perPosition[layer]?.[pair.base] ?? null);
  const variantValue = result.layers.find((l) => l.layer === layer)?.maxAbsDiff[column] ?? null;
  const nondeterministic = !result.control.identical && result.evidence.noiseFloor > result.evidence.roundingFloor;

  let change: string;
  switch (kind) {
    case 'missing':
      change = 'no counterpart on the other side';
      break;
    case 'non-finite':
      change = nonFiniteHere(result, source, row, column);
      break;
    case 'unchanged':
      change =
        value === 0
          ? '0 (bit-identical)'
          : `${formatNumber(value)} (within float32 rounding ${formatNumber(domain.floor)}: unchanged)`;
      break;
    case 'changed':
      change =
        source.kind === 'variant' && nondeterministic && controlValue !== null
          ? `${formatNumber(value)} (the same input twice changes this cell by ${formatNumber(controlValue)})`
          : `${formatNumber(value)} (×${formatNumber((value ?? 0) / Math.max(domain.floor, Number.MIN_VALUE))} float32 rounding)`;
      break;
  }

  const rows: [string, Child][] = [
    ['tokens', tokensOf(result, column)],
    [source.kind === 'variant' ? 'max |Δ|' : 'same input twice', change],
  ];
  if (source.kind === 'control') {
    rows.push(['the edit, here', variantValue === null ? '—' : formatNumber(variantValue)]);
    return { title: `${layerName(layer)} · position ${positionLabel(pair.base, pair.variant)}`, rows };
  }
  if (nondeterministic && kind !== 'changed' && controlValue !== null)
    rows.push(['same input twice', formatNumber(controlValue)]);
  const metrics = result.layers.find((l) => l.layer === layer);
  rows.push(['cosine distance', formatNumber(metrics?.cosineDistance[column])]);
  const allclose = metrics?.allclose[column] ?? null;
  const tolerance = `atol ${formatNumber(result.evidence.atol)}, rtol ${formatNumber(result.evidence.rtol)}`;
  rows.push([
    'allclose',
    allclose === null
      ? '—'
      : `${allclose ? 'True' : 'False'} (${tolerance})${!allclose && kind === 'unchanged' ? ' — the tolerance is tighter than float32 rounding' : ''}`,
  ]);
  return { title: `${layerName(layer)} · position ${positionLabel(pair.base, pair.variant)}`, rows };
}
