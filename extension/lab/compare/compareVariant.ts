/**
 * One model × variant, end to end: for the stack whose input the variant edits, align the tokens, measure
 * every layer × position, measure the control, find the frontier and the non-finite values, and let diagnose/
 * judge it; compare an encoder-decoder's other stack the same way (otherStacks.ts); the next-token shift from
 * the LM head.
 */
import type { MeasuredResult, NonFiniteRun, NonFiniteStates } from '../../protocol/report';
import { diagnose } from '../diagnose';
import { nonFiniteTensorsOf } from '../diagnose/nonFiniteWeights';
import { nextTokenShift } from './nextToken';
import { nonFiniteRun } from './nonFinite';
import { statesAreConstant } from './constantStates';
import { measureStack } from './measureStack';
import { compareOtherStack } from './otherStacks';
import type { CompareInput } from './types';

export function compareVariant(input: CompareInput): MeasuredResult {
  const { model, edited } = input;
  const measured = measureStack(edited, model);
  const nonFinite = nonFiniteStates(input);
  const others = input.others.map((runs) => compareOtherStack(runs, model, input.edits));
  const { noise, ...stack } = measured;
  const diagnosis = diagnose({
    model,
    baseText: edited.baseText,
    variantText: edited.variantText,
    baseTokens: stack.baseTokens,
    variantTokens: stack.variantTokens,
    alignment: stack.alignment,
    layers: stack.layers,
    control: stack.control,
    noise,
    frontier: stack.frontier,
    causalMask: input.causalMask,
    nonFinite,
    baseStatesConstant: nonFinite === null && statesAreConstant(edited.base, noise.rounding),
    stack: edited.stack,
    decoderTokens: input.decoderTokens,
    special: input.special,
  });
  return {
    kind: 'measured',
    model: model.name,
    caseIndex: input.caseIndex,
    variantIndex: input.variantIndex,
    edits: input.edits,
    ...stack,
    evidence: diagnosis.evidence,
    nextToken:
      model.hasLmHead && input.nextToken.base && input.nextToken.variant
        ? nextTokenShift(
            { ...edited.base, nextTokenLogits: input.nextToken.base },
            { ...edited.variant, nextTokenLogits: input.nextToken.variant },
            input.decode,
          )
        : null,
    verdict: diagnosis.verdict,
    nonFinite,
    explanation: [diagnosis.explanation, ...others.map((o) => o.explanation)].join(' '),
    findings: diagnosis.findings,
    otherStacks: others,
    crossAttention: input.crossAttention,
  };
}

/** NaN or ±Inf in any of the edited stack's three runs, and — for a checkpoint — the tensors that hold them. */
function nonFiniteStates(input: CompareInput): NonFiniteStates | null {
  const { base, control, variant } = input.edited;
  const runs = [nonFiniteRun(base, 'base'), nonFiniteRun(control, 'control'), nonFiniteRun(variant, 'variant')].filter(
    (r): r is NonFiniteRun => r !== null,
  );
  if (runs.length === 0) return null;
  const source = input.model.weights;
  if (source.kind === 'random') return { runs, weights: { kind: 'random' } };
  const tensors = nonFiniteTensorsOf(source.path);
  return { runs, weights: tensors === null ? { kind: 'unreadable' } : { kind: 'checked', tensors } };
}
