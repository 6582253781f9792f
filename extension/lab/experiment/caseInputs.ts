/**
 * A case as one model reads it: the tokens of its base line (and, for an encoder-decoder, of its `encoder:`
 * source) and of each variant, with the input each variant replaces. Variants a model cannot read (an encoder
 * variant for a model without an encoder) are set aside as not applicable, never run.
 */
import type { NotApplicableResult } from '../../protocol/report';
import type { EditedInput, SourceRange } from '../types';
import type { EncodedText } from '../tokenizers';
import type { PassPlan } from '../resources';

export interface TokenizedVariant {
  variantIndex: number;
  edits: EditedInput;
  text: string;
  /** The tokens of the input the variant replaces. */
  encoded: EncodedText;
}

export interface TokenizedCase {
  caseIndex: number;
  base: EncodedText;
  baseText: string;
  baseRange: SourceRange;
  /** An encoder-decoder's source (its `encoder:` line), tokenized; absent for single-stack models. */
  source?: { text: string; encoded: EncodedText };
  variants: TokenizedVariant[];
  /** Variants this model cannot read, answered without a run. */
  notApplicable: NotApplicableResult[];
  passes: PassPlan;
}

/** The not-applicable answer for an encoder variant of a model without an encoder. */
export function notApplicable(
  model: { name: string; label: string },
  caseIndex: number,
  variantIndex: number,
  sourceText: string,
  variantText: string,
): NotApplicableResult {
  return {
    kind: 'not-applicable',
    model: model.name,
    caseIndex,
    variantIndex,
    edits: 'encoder',
    baseText: sourceText,
    variantText,
    verdict: 'not-applicable',
    explanation: `Not applicable: ${model.name} (${model.label}) has no encoder, so a variant of the \`encoder:\` source changes nothing it reads; its \`encoder:\` line is ignored.`,
  };
}
