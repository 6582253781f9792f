/**
 * Where a run's hidden states hold NaN or ±Inf. Such values can't be compared (NaN == NaN says nothing,
 * Inf − Inf is not 0), so the comparison reports where they are and the verdict says the numbers can't
 * be trusted instead of judging on them.
 */
import type { NonFiniteRun } from '../../protocol/report';
import type { ModelRun } from './types';

export function nonFiniteRun(run: ModelRun, label: NonFiniteRun['run']): NonFiniteRun | null {
  const positions = run.ids.length;
  if (positions === 0) return null;
  let nan = 0;
  let positiveInfinity = 0;
  let negativeInfinity = 0;
  let firstLayer = -1;
  const positionsByLayer = run.hiddenStates.map((states, layer) => {
    const hiddenSize = states.length / positions;
    const found: number[] = [];
    for (let p = 0; p < positions; p++) {
      let here = false;
      for (let k = p * hiddenSize; k < (p + 1) * hiddenSize; k++) {
        const x = states[k];
        if (Math.abs(x) < Infinity) continue;
        here = true;
        if (x !== x) nan++;
        else if (x > 0) positiveInfinity++;
        else negativeInfinity++;
      }
      if (here) found.push(p);
    }
    if (found.length > 0 && firstLayer < 0) firstLayer = layer;
    return found;
  });
  if (firstLayer < 0) return null;
  return { run: label, firstLayer, positionsByLayer, nan, positiveInfinity, negativeInfinity };
}
