/**
 * The report's logit lens and head-by-head attention of one model × variant, from what the graph read out
 * (models/readOuts.ts): top-k tokens per layer with their probabilities, the first layer where the final
 * prediction is top-1, and one layer's maps of base and variant with their difference over aligned tokens and
 * the heads that carry attention from earlier positions to the perturbed ones.
 */
import type { Alignment, StackName } from '../../protocol/report';
import type { AttentionHeads, HeadLeak, LensPosition, LensToken, LogitLens } from '../../protocol/headsAndLens';
import { LENS_MAX_POSITIONS } from '../../protocol/headsAndLens';
import type { LensReadout } from '../models/readOuts';

/** The positions a lens reads of an input of `length` tokens: the last `LENS_MAX_POSITIONS`. */
export function lensPositions(length: number): number[] {
  const first = Math.max(0, length - LENS_MAX_POSITIONS);
  return Array.from({ length: length - first }, (_, i) => first + i);
}

/** [layer][rank] tokens of one position of a readout (`p`: its index in `readout.positions`). */
function lensRows(r: LensReadout, p: number, decode: (id: number) => string): LensToken[][] {
  const P = r.positions.length;
  return Array.from({ length: r.layers }, (_, l) =>
    Array.from({ length: r.k }, (_, rank) => {
      const at = (l * P + p) * r.k + rank;
      const logit = r.logits[at];
      const id = r.ids[at];
      return { id, token: decode(id), logit, probability: Math.exp(logit - r.logSumExp[l * P + p]) };
    }),
  );
}

/** The first layer whose top-1 is the last layer's. */
function firstLayerOf(rows: LensToken[][]): number {
  const prediction = rows[rows.length - 1][0].id;
  return rows.findIndex((row) => row[0].id === prediction);
}

/** The layer from which every top-1 through the last layer is the last layer's. */
function settledLayerOf(rows: LensToken[][]): number {
  const prediction = rows[rows.length - 1][0].id;
  let l = rows.length - 1;
  while (l > 0 && rows[l - 1][0].id === prediction) l--;
  return l;
}

export function logitLens(
  stack: StackName,
  base: LensReadout,
  variant: LensReadout,
  alignment: Alignment,
  decode: (id: number) => string,
): LogitLens {
  const baseOf = new Map<number, number | null>(
    alignment.pairs.filter((q) => q.variant !== null).map((q) => [q.variant!, q.base]),
  );
  const positions: LensPosition[] = variant.positions.map((position, p) => {
    const rows = lensRows(variant, p, decode);
    const basePosition = baseOf.get(position) ?? null;
    const b = basePosition === null ? -1 : base.positions.indexOf(basePosition);
    const baseRows = b < 0 ? [] : lensRows(base, b, decode);
    return {
      variantPosition: position,
      basePosition: b < 0 ? null : basePosition,
      variant: rows,
      base: baseRows,
      prediction: rows[rows.length - 1][0],
      firstLayer: firstLayerOf(rows),
      settledLayer: settledLayerOf(rows),
      basePrediction: b < 0 ? null : baseRows[baseRows.length - 1][0],
      baseFirstLayer: b < 0 ? null : firstLayerOf(baseRows),
      baseSettledLayer: b < 0 ? null : settledLayerOf(baseRows),
    };
  });
  return { stack, k: variant.k, layers: variant.layers, positions };
}

export interface HeadMaps {
  /** heads×Q×K of the base and the variant (their own lengths). */
  base: Float32Array;
  variant: Float32Array;
  cross: { base: Float32Array; variant: Float32Array; baseSource: number; variantSource: number } | null;
}

const toNested = (data: Float32Array, heads: number, Q: number, K: number): number[][][] =>
  Array.from({ length: heads }, (_, h) =>
    Array.from({ length: Q }, (_, i) => Array.from(data.subarray((h * Q + i) * K, (h * Q + i + 1) * K))),
  );

export function attentionHeads(
  stack: StackName,
  layer: number,
  heads: number,
  maps: HeadMaps,
  alignment: Alignment,
  lengths: { base: number; variant: number },
  afterDropout: boolean,
): AttentionHeads {
  const { base: n, variant: m } = lengths;
  const pairs = alignment.pairs.filter((q) => q.base !== null && q.variant !== null).map((q) => [q.base!, q.variant!]);
  const difference = Array.from({ length: heads }, (_, h) =>
    pairs.map(([bi, vi]) =>
      pairs.map(([bj, vj]) => maps.variant[(h * m + vi) * m + vj] - maps.base[(h * n + bi) * n + bj]),
    ),
  );
  return {
    stack,
    layer,
    heads,
    afterDropout,
    base: toNested(maps.base, heads, n, n),
    variant: toNested(maps.variant, heads, m, m),
    pairs,
    difference,
    cross: maps.cross && {
      base: toNested(maps.cross.base, heads, n, maps.cross.baseSource),
      variant: toNested(maps.cross.variant, heads, m, maps.cross.variantSource),
    },
    leaks: leakHeads(maps.variant, heads, m, alignment),
  };
}

/**
 * Per head, the largest attention in the variant from a position before the first perturbed one to a perturbed
 * (changed or inserted) one, largest first. A causal mask makes every such weight 0; a bidirectional model's
 * leak into earlier positions enters through the heads at the top of this list.
 */
export function leakHeads(variant: Float32Array, heads: number, m: number, alignment: Alignment): HeadLeak[] {
  const first = alignment.firstPerturbed;
  const perturbed = alignment.pairs
    .filter((q) => q.variant !== null && (q.kind === 'changed' || q.kind === 'inserted'))
    .map((q) => q.variant!);
  if (first === null || first === 0 || perturbed.length === 0) return [];
  const leaks: HeadLeak[] = [];
  for (let h = 0; h < heads; h++) {
    let best: HeadLeak = { head: h, weight: 0, query: 0, key: perturbed[0] };
    for (let i = 0; i < Math.min(first, m); i++)
      for (const j of perturbed) {
        const w = variant[(h * m + i) * m + j];
        if (w > best.weight) best = { head: h, weight: w, query: i, key: j };
      }
    leaks.push(best);
  }
  return leaks.sort((a, b) => b.weight - a.weight || a.head - b.head);
}
