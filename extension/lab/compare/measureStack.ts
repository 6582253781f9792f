/** One stack of one model × variant measured: alignment, every layer × position, the control, the frontier. */
import type { ModelSummary, StackComparison } from '../../protocol/report';
import { alignTokens } from './alignment';
import { compareControl } from './control';
import { findFrontier } from './frontier';
import { compareHiddenStates } from './layerMetrics';
import { noiseFloorOf } from './noiseFloor';
import type { NoiseFloor, StackRuns } from './types';

/** A stack's measurements, before any verdict. */
export interface MeasuredStack extends Omit<StackComparison, 'evidence'> {
  noise: NoiseFloor;
}

export function measureStack(runs: StackRuns, model: ModelSummary): MeasuredStack {
  const { base, variant } = runs;
  const alignment = alignTokens(base.ids, variant.ids);
  const layers = compareHiddenStates(base, variant, alignment, model.atol, model.rtol);
  const control = compareControl(base, runs.control);
  const noise = noiseFloorOf(base, control);
  return {
    stack: runs.stack,
    baseText: runs.baseText,
    variantText: runs.variantText,
    baseTokens: base.tokens,
    variantTokens: variant.tokens,
    alignment,
    layers,
    control,
    frontier: findFrontier(alignment, layers, noise.rounding),
    attentionMask: runs.attentionMask,
    noise,
  };
}
