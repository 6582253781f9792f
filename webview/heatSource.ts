/**
 * The grids the heatmaps draw, rows = layers (embeddings first), columns = alignment pairs: the variant's
 * max |Δ| against the base, and the control run's (the same input twice) at the same cells — the evidence
 * that a nondeterministic model's change is noise. Not measured is null; NaN or ±Inf is flagged apart.
 */
import type { MeasuredResult } from '../extension/protocol/report';

export interface HeatSource {
  kind: 'variant' | 'control';
  /** Layer number of each row (0 = embeddings). */
  layers: number[];
  values: (number | null)[][];
  nonFinite: boolean[][];
}

export function variantSource(result: MeasuredResult): HeatSource {
  const layers = [...result.layers].sort((a, b) => a.layer - b.layer);
  return {
    kind: 'variant',
    layers: layers.map((l) => l.layer),
    values: layers.map((l) => l.maxAbsDiff),
    nonFinite: layers.map((l) => l.maxAbsDiff.map((_, i) => l.nonFinite.includes(i))),
  };
}

/** The control's |Δ| at each pair's base position (a token only the variant has has no control value). */
export function controlSource(result: MeasuredResult): HeatSource {
  const { pairs } = result.alignment;
  const runs = (result.nonFinite?.runs ?? []).filter((r) => r.run !== 'variant');
  const layers = result.control.perPosition.map((_, layer) => layer);
  return {
    kind: 'control',
    layers,
    values: layers.map((layer) =>
      pairs.map((p) => (p.base === null ? null : result.control.perPosition[layer][p.base])),
    ),
    nonFinite: layers.map((layer) =>
      pairs.map((p) => p.base !== null && runs.some((r) => r.positionsByLayer[layer]?.includes(p.base!))),
    ),
  };
}
