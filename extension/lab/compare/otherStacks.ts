/**
 * An encoder-decoder's stack whose input the variant leaves as it is: the encoder under a decoder edit (it
 * reads only the source, so every state must be the base's), the decoder under a source edit (its input is
 * the same, but every position reads the whole source through cross-attention). Measured like the edited
 * stack; its verdict says whether its states changed, in plain words.
 */
import type { EditedInput, ModelSummary, OtherStack, OtherStackVerdict, StackName } from '../../protocol/report';
import { gatherEvidence } from '../diagnose/evidence';
import { formatNumber } from '../diagnose/format';
import { measureStack } from './measureStack';
import { exceedsFloor } from './frontier';
import { isNondeterministic } from './noiseFloor';
import { nonFiniteRun } from './nonFinite';
import type { StackRuns } from './types';

const STACK_WORD: Record<StackName, string> = { model: 'Model', encoder: 'Encoder', decoder: 'Decoder' };

export function compareOtherStack(runs: StackRuns, model: ModelSummary, edits: EditedInput): OtherStack {
  const measured = measureStack(runs, model);
  const { noise, ...stack } = measured;
  const nonFinite = [runs.base, runs.control, runs.variant].some((r, i) =>
    nonFiniteRun(r, (['base', 'control', 'variant'] as const)[i]),
  );
  const changed = stack.alignment.pairs.filter((_, i) =>
    stack.layers.some((l) => exceedsFloor(l.maxAbsDiff[i], noise.value) || l.nonFinite.includes(i)),
  ).length;
  const verdict: OtherStackVerdict = nonFinite
    ? 'non-finite'
    : isNondeterministic(noise)
      ? 'nondeterministic'
      : changed > 0
        ? 'changed'
        : 'unchanged';
  const largest = Math.max(0, ...stack.layers.flatMap((l) => l.maxAbsDiff.map((x) => x ?? 0)));
  const evidence = gatherEvidence(
    {
      model,
      baseText: stack.baseText,
      variantText: stack.variantText,
      baseTokens: stack.baseTokens,
      variantTokens: stack.variantTokens,
      alignment: stack.alignment,
      layers: stack.layers,
      control: stack.control,
      frontier: stack.frontier,
      noise,
      causalMask: stack.attentionMask.rule === 'causal',
      nonFinite: null,
      baseStatesConstant: false,
      stack: stack.stack,
      decoderTokens: null,
      special: { decoderStart: null, padTokenId: null, tokenText: String },
    },
    null,
  );
  return {
    ...stack,
    evidence,
    verdict,
    explanation: explainOther(stack.stack, edits, verdict, {
      changed,
      positions: stack.alignment.pairs.length,
      largest,
      control: stack.control.maxAbsDiff,
      firstChanged: stack.frontier.firstChanged,
    }),
  };
}

interface OtherNumbers {
  changed: number;
  positions: number;
  largest: number;
  control: number;
  firstChanged: number | null;
}

function explainOther(stack: StackName, edits: EditedInput, verdict: OtherStackVerdict, n: OtherNumbers): string {
  const name = STACK_WORD[stack];
  const reads =
    stack === 'decoder'
      ? 'the decoder input is the same on both sides, but every decoder position reads the whole source through cross-attention'
      : edits === 'text'
        ? 'the encoder reads only the source, which this variant leaves as it is'
        : 'its input is the same on both sides';
  switch (verdict) {
    case 'non-finite':
      return `${name}: NaN or ±Inf in its states, so nothing can be judged there.`;
    case 'nondeterministic':
      return `${name}: the same input run twice already differs (control max |Δ| ${formatNumber(n.control)}), so its change cannot be judged; dropout is on in train mode.`;
    case 'unchanged':
      return `${name}: unchanged — ${reads}; every ${stack} state is the base's (max |Δ| ${formatNumber(n.largest)}).`;
    case 'changed': {
      const where =
        n.changed === n.positions
          ? `all ${n.positions} ${stack} positions`
          : `${n.changed} of the ${n.positions} ${stack} positions, from position ${n.firstChanged ?? 0}`;
      return `${name}: changed at ${where} (max |Δ| ${formatNumber(n.largest)}) — ${reads}.`;
    }
  }
}
