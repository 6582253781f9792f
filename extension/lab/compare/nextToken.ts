/**
 * How the distribution of the next token moved: softmax of the logits at the last position of
 * each side, KL(base ‖ variant), and the top candidates of each. Computed in float64 with a
 * max-shifted log-softmax so that large logits neither overflow nor lose the small probabilities.
 */
import type { NextTokenCandidate, NextTokenShift } from '../../protocol/report';
import type { ModelRun } from './types';

export const NEXT_TOKEN_TOP_K = 5;

export function nextTokenShift(
  base: ModelRun,
  variant: ModelRun,
  decode: (id: number) => string,
  topK = NEXT_TOKEN_TOP_K,
): NextTokenShift | null {
  if (base.nextTokenLogits === null || variant.nextTokenLogits === null) return null;
  const vocabSize = base.nextTokenLogits.length;
  if (variant.nextTokenLogits.length !== vocabSize) {
    throw new Error(`next-token logits: base has ${vocabSize} values, variant ${variant.nextTokenLogits.length}`);
  }
  // A NaN or ±Inf logit makes the softmax meaningless (and NaN can't be written to JSON): say whose, measure nothing.
  const nonFiniteLogits = (['base', 'variant'] as const).filter(
    (side) => !allFinite((side === 'base' ? base : variant).nextTokenLogits!),
  );
  const baseLog = nonFiniteLogits.includes('base') ? null : logSoftmax(base.nextTokenLogits, 0, vocabSize);
  const variantLog = nonFiniteLogits.includes('variant') ? null : logSoftmax(variant.nextTokenLogits, 0, vocabSize);
  return {
    klDivergence: baseLog && variantLog ? klDivergence(baseLog, variantLog) : null,
    baseTop: baseLog ? topCandidates(baseLog, topK, decode) : [],
    variantTop: variantLog ? topCandidates(variantLog, topK, decode) : [],
    nonFiniteLogits,
  };
}

function allFinite(values: Float32Array): boolean {
  for (let k = 0; k < values.length; k++) if (!(Math.abs(values[k]) < Infinity)) return false;
  return true;
}

/** log softmax of logits[offset .. offset+size) in float64. */
export function logSoftmax(logits: ArrayLike<number>, offset: number, size: number): Float64Array {
  let max = -Infinity;
  for (let k = 0; k < size; k++) if (logits[offset + k] > max) max = logits[offset + k];
  let sum = 0;
  for (let k = 0; k < size; k++) sum += Math.exp(logits[offset + k] - max);
  const logNormalizer = max + Math.log(sum);
  const result = new Float64Array(size);
  for (let k = 0; k < size; k++) result[k] = logits[offset + k] - logNormalizer;
  return result;
}

/** KL(p ‖ q) = Σ p (log p − log q) from log-probabilities; terms with p = 0 contribute 0. */
export function klDivergence(logP: Float64Array, logQ: Float64Array): number {
  let kl = 0;
  for (let k = 0; k < logP.length; k++) {
    const p = Math.exp(logP[k]);
    if (p > 0) kl += p * (logP[k] - logQ[k]);
  }
  // Rounding can leave a tiny negative value for identical distributions.
  return Math.max(0, kl);
}

/** The k most probable ids, most probable first (ties: smaller id first). */
export function topCandidates(logProbs: Float64Array, k: number, decode: (id: number) => string): NextTokenCandidate[] {
  const best: number[] = [];
  for (let id = 0; id < logProbs.length; id++) {
    if (best.length === k && !(logProbs[id] > logProbs[best[k - 1]])) continue;
    let at = best.length === k ? k - 1 : best.length;
    while (at > 0 && logProbs[id] > logProbs[best[at - 1]]) at--;
    best.splice(at, 0, id);
    if (best.length > k) best.pop();
  }
  return best.map((id) => ({ id, text: decode(id), probability: Math.exp(logProbs[id]) }));
}
