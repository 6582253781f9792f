/** What the diagnosis judges: the measurements of one model × variant, already computed by compare/. */
import type {
  Alignment,
  CausalFrontier,
  ControlRun,
  Finding,
  LayerMetrics,
  ModelSummary,
  TokenView,
  Verdict,
  VerdictEvidence,
} from '../../protocol/report';
import type { NoiseFloor } from '../compare/types';

export interface DiagnoseInput {
  model: ModelSummary;
  baseText: string;
  variantText: string;
  baseTokens: TokenView[];
  variantTokens: TokenView[];
  alignment: Alignment;
  layers: LayerMetrics[];
  control: ControlRun;
  noise: NoiseFloor;
  frontier: CausalFrontier;
  /** Whether the attention mask the model used was causal. */
  causalMask: boolean;
}

export interface Diagnosis {
  verdict: Verdict;
  evidence: VerdictEvidence;
  findings: Finding[];
  /** One or two sentences for someone who does not know the answer yet. */
  explanation: string;
}
