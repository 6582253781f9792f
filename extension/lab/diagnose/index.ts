/**
 * The diagnosis of one model × variant: the verdict against the noise floor, its evidence, the
 * findings that explain it (with quick fixes) and a plain-words explanation.
 */
import { earlierMaximum, gatherEvidence } from './evidence';
import { explainVerdict } from './explanation';
import { inputFindings } from './inputFindings';
import { modelFindings } from './modelFindings';
import type { DiagnoseInput, Diagnosis } from './types';
import { judgeVerdict } from './verdict';
import { verdictFindings } from './verdictFindings';

export type { DiagnoseInput, Diagnosis } from './types';
export { formatNumber } from './format';

export function diagnose(input: DiagnoseInput): Diagnosis {
  const earlier = earlierMaximum(input);
  const verdict = judgeVerdict(input, earlier);
  return {
    verdict,
    evidence: gatherEvidence(input, earlier),
    // The verdict's own finding first: it is the answer; the input's traps follow.
    findings: [...verdictFindings(input, verdict, earlier), ...modelFindings(input, verdict), ...inputFindings(input)],
    explanation: explainVerdict(input, verdict, earlier),
  };
}
