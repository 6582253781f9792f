/**
 * The control run: the base input run a second time. In eval mode a deterministic model gives
 * the same bits twice; any difference here is noise (dropout in train mode, or something else),
 * and no difference between base and variant can be trusted above it. Measured per layer and
 * position, so a front end can show the control as the evidence beside the variant's own |Δ|.
 * Only finite values are measured; NaN and ±Inf are reported by nonFinite.ts.
 */
import type { ControlRun } from '../../protocol/report';
import { sameShape } from './shapes';
import type { ModelRun } from './types';

export function compareControl(base: ModelRun, control: ModelRun): ControlRun {
  const { layers, hiddenSize } = sameShape(base, 'base', control, 'control');
  if (control.ids.length !== base.ids.length || control.ids.some((id, i) => id !== base.ids[i])) {
    throw new Error('control run: its ids are not the base ids');
  }
  const positions = base.ids.length;
  let identical = true;
  const perLayerMaxAbsDiff: number[] = [];
  const perPosition: number[][] = [];
  for (let layer = 0; layer < layers; layer++) {
    const a = base.hiddenStates[layer];
    const b = control.hiddenStates[layer];
    const row: number[] = [];
    for (let p = 0; p < positions; p++) {
      let max = 0;
      for (let k = p * hiddenSize; k < (p + 1) * hiddenSize; k++) {
        const x = a[k];
        const y = b[k];
        // A NaN (or inf) that comes back in the same place is reproduced, not noise.
        if (x === y || (x !== x && y !== y)) continue;
        identical = false;
        const diff = Math.abs(x - y);
        if (diff > max && diff < Infinity) max = diff;
      }
      row.push(max);
    }
    perPosition.push(row);
    perLayerMaxAbsDiff.push(Math.max(0, ...row));
  }
  return { maxAbsDiff: Math.max(0, ...perLayerMaxAbsDiff), perLayerMaxAbsDiff, perPosition, identical };
}
