/**
 * One model × variant, end to end: align the tokens, measure every layer × position, measure the
 * control, find the frontier and the next-token shift, then let diagnose/ judge it.
 */
import type { VariantResult } from '../../protocol/report';
import { diagnose } from '../diagnose';
import { alignTokens } from './alignment';
import { compareControl } from './control';
import { findFrontier } from './frontier';
import { compareHiddenStates } from './layerMetrics';
import { nextTokenShift } from './nextToken';
import { noiseFloorOf } from './noiseFloor';
import type { CompareInput } from './types';

export function compareVariant(input: CompareInput): VariantResult {
  const { model, base, variant } = input;
  const alignment = alignTokens(base.ids, variant.ids);
  const layers = compareHiddenStates(base, variant, alignment, model.atol, model.rtol);
  const control = compareControl(base, input.control);
  const noise = noiseFloorOf(base, control);
  const frontier = findFrontier(alignment, layers, noise.value);
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
    // When the control itself differs, "first changed" would only say where the noise happened to win.
    frontier: diagnosis.verdict === 'nondeterministic' ? { ...frontier, firstChanged: null } : frontier,
    nextToken: model.hasLmHead ? nextTokenShift(base, variant, input.decode) : null,
    attentionMask: { rule: input.causalMask ? 'causal' : 'bidirectional', keep: input.attentionKeep },
    verdict: diagnosis.verdict,
    evidence: diagnosis.evidence,
    explanation: diagnosis.explanation,
    findings: diagnosis.findings,
  };
}
