/** What the diagnosis judges: the measurements of one model × variant, already computed by compare/. */
import type {
  Finding,
  MeasuredResult,
  MeasuredVerdict,
  ModelSummary,
  NonFiniteStates,
  StackName,
  TokenView,
  VerdictEvidence,
} from '../../protocol/report';
import type { NoiseFloor, SpecialTokens } from '../compare/types';

/** The measurements of a VariantResult the diagnosis reads, plus what only the engine knows. */
export type DiagnoseInput = Pick<
  MeasuredResult,
  'baseText' | 'variantText' | 'baseTokens' | 'variantTokens' | 'alignment' | 'layers' | 'control' | 'frontier'
> & {
  model: ModelSummary;
  noise: NoiseFloor;
  /** Whether the attention mask the model used was causal. */
  causalMask: boolean;
  /** Where the three runs hold NaN or ±Inf; null when every value is finite. */
  nonFinite: NonFiniteStates | null;
  /** Every position of the base has the same state in every layer (2+ positions): the model ignores its input. */
  baseStatesConstant: boolean;
  /** The stack the comparison is about (`model` for single-stack models). */
  stack: StackName;
  /** An encoder-decoder's decoder input (base), for the start-token finding; null for single-stack models. */
  decoderTokens: TokenView[] | null;
  special: SpecialTokens;
};

export interface Diagnosis {
  verdict: MeasuredVerdict;
  evidence: VerdictEvidence;
  findings: Finding[];
  /** One or two sentences for someone who does not know the answer yet. */
  explanation: string;
}
