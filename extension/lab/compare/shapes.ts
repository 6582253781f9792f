/**
 * Shape checks for model runs. A mismatch here is a bug in whoever produced the runs (not bad
 * user input), so it throws a plain Error that names the run and the numbers.
 */
import type { ModelRun } from './types';

/** Layers (L+1) and hidden size H of one run, after checking every layer is T×H. */
export function runShape(run: ModelRun, label: string): { layers: number; hiddenSize: number } {
  const positions = run.ids.length;
  if (run.tokens.length !== positions) {
    throw new Error(`${label} run: ${run.tokens.length} tokens for ${positions} ids`);
  }
  if (run.hiddenStates.length === 0) throw new Error(`${label} run has no hidden states`);
  const size = run.hiddenStates[0].length;
  if (positions === 0 ? size !== 0 : size % positions !== 0) {
    throw new Error(`${label} run: hidden state of ${size} values is not ${positions} positions × H`);
  }
  run.hiddenStates.forEach((layer, index) => {
    if (layer.length !== size) {
      throw new Error(`${label} run: layer ${index} has ${layer.length} values, layer 0 has ${size}`);
    }
  });
  return { layers: run.hiddenStates.length, hiddenSize: positions === 0 ? 0 : size / positions };
}

/** Throws unless the two runs have the same number of layers and the same hidden size. */
export function sameShape(
  a: ModelRun,
  aLabel: string,
  b: ModelRun,
  bLabel: string,
): { layers: number; hiddenSize: number } {
  const shapeA = runShape(a, aLabel);
  const shapeB = runShape(b, bLabel);
  if (
    shapeA.layers !== shapeB.layers ||
    (shapeA.hiddenSize !== shapeB.hiddenSize && a.ids.length > 0 && b.ids.length > 0)
  ) {
    throw new Error(
      `${aLabel} run has ${shapeA.layers} layers × H=${shapeA.hiddenSize}, ${bLabel} run ${shapeB.layers} layers × H=${shapeB.hiddenSize}`,
    );
  }
  return { layers: shapeA.layers, hiddenSize: Math.max(shapeA.hiddenSize, shapeB.hiddenSize) };
}
