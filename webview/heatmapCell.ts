/** What one heatmap cell means, in the words of its tooltip: layer, position, tokens, max |Δ| against the noise floor, cosine distance, allclose. */
import type { LayerMetrics, VariantResult } from '../extension/protocol/report';
import { formatNumber, layerName } from './format';
import type { HeatDomain } from './heatmapScale';
import { positionLabel } from './tokenStrips';
import { quote } from './tokenText';

export function describeCell(
  result: VariantResult,
  layer: LayerMetrics,
  column: number,
  domain: HeatDomain,
): { title: string; rows: [string, string][] } {
  const pair = result.alignment.pairs[column];
  const value = layer.maxAbsDiff[column];
  const kind = domain.classify(value).kind;
  const base = quote(pair.base === null ? '' : (result.baseTokens[pair.base]?.text ?? ''));
  const variant = quote(pair.variant === null ? '' : (result.variantTokens[pair.variant]?.text ?? ''));
  const tokens = {
    same: base,
    changed: `${base} → ${variant}`,
    inserted: `inserted ${variant}`,
    deleted: `deleted ${base}`,
  }[pair.kind];
  const change =
    kind === 'missing'
      ? 'no counterpart on the other side'
      : kind === 'unchanged'
        ? `${formatNumber(value)} (≤ noise floor ${formatNumber(domain.floor)}: unchanged)`
        : `${formatNumber(value)} (${domain.floor > 0 ? `×${formatNumber((value ?? 0) / domain.floor)} the noise floor` : 'above an exact control'})`;
  const allclose = layer.allclose[column];
  return {
    title: `${layerName(layer.layer)} · position ${positionLabel(pair.base, pair.variant)}`,
    rows: [
      ['tokens', tokens],
      ['max |Δ|', change],
      ['cosine distance', formatNumber(layer.cosineDistance[column])],
      [
        'allclose',
        allclose === null
          ? '—'
          : `${allclose} (atol ${formatNumber(result.evidence.atol)}, rtol ${formatNumber(result.evidence.rtol)})`,
      ],
    ],
  };
}
