/**
 * Whether a run gives every position the same state in every layer: then the model's states don't
 * depend on its input (all weights zero, `initializer_range: 0`, gives all-zero states), and an
 * unchanged earlier position says nothing about a causal mask.
 */
import type { ModelRun } from './types';

export function statesAreConstant(run: ModelRun, floor: number): boolean {
  const positions = run.ids.length;
  // One position can't show that states ignore the input.
  if (positions < 2) return false;
  for (const states of run.hiddenStates) {
    const hiddenSize = states.length / positions;
    for (let p = 1; p < positions; p++) {
      for (let d = 0; d < hiddenSize; d++) {
        if (!(Math.abs(states[p * hiddenSize + d] - states[d]) <= floor)) return false;
      }
    }
  }
  return true;
}
