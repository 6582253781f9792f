/**
 * One model × variant, end to end: align the tokens, measure every layer × position, measure the
 * control, find the frontier, the non-finite values and the next-token shift, then let diagnose/ judge it.
 */
import type { NonFiniteRun, NonFiniteStates, VariantResult } from '../../protocol/report';
import { diagnose } from '../diagnose';
import { nonFiniteTensorsOf } from '../diagnose/nonFiniteWeights';
import { alignTokens } from './alignment';
import { compareControl } from './control';
import { findFrontier } from './frontier';
import { compareHiddenStates } from './layerMetrics';
import { nextTokenShift } from './nextToken';
import { nonFiniteRun } from './nonFinite';
import { noiseFloorOf } from './noiseFloor';
import { statesAreConstant } from './constantStates';
import type { CompareInput } from './types';

export function compareVariant(input: CompareInput): VariantResult {
  const { model, base, variant } = input;
  const alignment = alignTokens(base.ids, variant.ids);
  const layers = compareHiddenStates(base, variant, alignment, model.atol, model.rtol);
  const control = compareControl(base, input.control);
  const noise = noiseFloorOf(base, control);
  const frontier = findFrontier(alignment, layers, noise.rounding);
  const nonFinite = nonFiniteStates(input);
  const diagnosis = diagnose({
    model,
    baseText: input.baseText,
    variantText: input.variantText,
    baseTokens: base.tokens,
    variantTokens: variant.tokens,
    alignment,
    layers,
    control,
    noise,
    frontier,
    causalMask: input.causalMask,
    nonFinite,
    baseStatesConstant: nonFinite === null && statesAreConstant(base, noise.rounding),
  });
  return {
    model: model.name,
    caseIndex: input.caseIndex,
    variantIndex: input.variantIndex,
    baseText: input.baseText,
    variantText: input.variantText,
    baseTokens: base.tokens,
    variantTokens: variant.tokens,
    alignment,
    layers,
    control,
    frontier,
    nextToken: model.hasLmHead ? nextTokenShift(base, variant, input.decode) : null,
    attentionMask: { rule: input.causalMask ? 'causal' : 'bidirectional', keep: input.attentionKeep },
    verdict: diagnosis.verdict,
    evidence: diagnosis.evidence,
    nonFinite,
    explanation: diagnosis.explanation,
    findings: diagnosis.findings,
  };
}

/** NaN or ±Inf in any of the three runs, and — for a checkpoint — the tensors that hold them. */
function nonFiniteStates(input: CompareInput): NonFiniteStates | null {
  const runs = [
    nonFiniteRun(input.base, 'base'),
    nonFiniteRun(input.control, 'control'),
    nonFiniteRun(input.variant, 'variant'),
  ].filter((r): r is NonFiniteRun => r !== null);
  if (runs.length === 0) return null;
  const source = input.model.weights;
  if (source.kind === 'random') return { runs, weights: { kind: 'random' } };
  const tensors = nonFiniteTensorsOf(source.path);
  return { runs, weights: tensors === null ? { kind: 'unreadable' } : { kind: 'checked', tensors } };
}
