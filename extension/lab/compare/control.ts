/**
 * The control run: the base input run a second time. In eval mode a deterministic model gives
 * the same bits twice; any difference here is noise (dropout in train mode, or something else),
 * and no difference between base and variant can be trusted above it.
 */
import type { ControlRun } from '../../protocol/report';
import { sameShape } from './shapes';
import type { ModelRun } from './types';

export function compareControl(base: ModelRun, control: ModelRun): ControlRun {
  const { layers } = sameShape(base, 'base', control, 'control');
  if (control.ids.length !== base.ids.length || control.ids.some((id, i) => id !== base.ids[i])) {
    throw new Error('control run: its ids are not the base ids');
  }
  let identical = true;
  const perLayerMaxAbsDiff: number[] = [];
  for (let layer = 0; layer < layers; layer++) {
    const a = base.hiddenStates[layer];
    const b = control.hiddenStates[layer];
    let max = 0;
    let sawNaN = false;
    for (let k = 0; k < a.length; k++) {
      const x = a[k];
      const y = b[k];
      // A NaN (or inf) that comes back in the same place is reproduced, not noise.
      if (x === y || (x !== x && y !== y)) continue;
      identical = false;
      const diff = Math.abs(x - y);
      if (diff > max) max = diff;
      else if (diff !== diff) sawNaN = true;
    }
    perLayerMaxAbsDiff.push(sawNaN ? NaN : max);
  }
  return { maxAbsDiff: maxOrNaN(perLayerMaxAbsDiff), perLayerMaxAbsDiff, identical };
}

/** Largest value, NaN if any is NaN. */
export function maxOrNaN(values: readonly number[]): number {
  let max = 0;
  for (const v of values) {
    if (v !== v) return NaN;
    if (v > max) max = v;
  }
  return max;
}
