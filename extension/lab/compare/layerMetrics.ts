/**
 * Per layer × aligned position: max |Δ|, cosine distance and torch.allclose of the variant's hidden
 * vector against the base's (the base plays torch's `other`, so rtol scales with the base). A vector
 * holding NaN or ±Inf is listed in `nonFinite` and its |Δ| and cosine are left out (null), never 0.
 */
import type { Alignment, LayerMetrics } from '../../protocol/report';
import { sameShape } from './shapes';
import type { ModelRun } from './types';
import { compareVectors } from './vectorMetrics';

export function compareHiddenStates(
  base: ModelRun,
  variant: ModelRun,
  alignment: Alignment,
  atol: number,
  rtol: number,
): LayerMetrics[] {
  const { layers, hiddenSize } = sameShape(base, 'base', variant, 'variant');
  const result: LayerMetrics[] = [];
  for (let layer = 0; layer < layers; layer++) {
    const baseStates = base.hiddenStates[layer];
    const variantStates = variant.hiddenStates[layer];
    const metrics: LayerMetrics = { layer, maxAbsDiff: [], cosineDistance: [], allclose: [], nonFinite: [] };
    alignment.pairs.forEach((pair, index) => {
      if (pair.base === null || pair.variant === null) {
        metrics.maxAbsDiff.push(null);
        metrics.cosineDistance.push(null);
        metrics.allclose.push(null);
        return;
      }
      const d = compareVectors(
        variantStates,
        pair.variant * hiddenSize,
        baseStates,
        pair.base * hiddenSize,
        hiddenSize,
        atol,
        rtol,
      );
      if (!d.finite) metrics.nonFinite.push(index);
      metrics.maxAbsDiff.push(d.finite ? d.maxAbsDiff : null);
      metrics.cosineDistance.push(d.finite ? d.cosineDistance : null);
      metrics.allclose.push(d.allclose);
    });
    result.push(metrics);
  }
  return result;
}
