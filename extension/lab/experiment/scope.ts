/**
 * "Compare this case" / "Compare this variant" name a case by index; the file may have changed since the
 * CodeLens was drawn. A scope that names no case or no variant is an input error, never an empty success.
 */
import type { RunScope } from '../../protocol/run';
import { LabInputError, type Experiment } from '../types';

export function checkScope(experiment: Experiment, only: RunScope | undefined): void {
  if (!only) return;
  const c = experiment.cases[only.caseIndex];
  const problem = (message: string, range = experiment.cases.at(-1)?.range) =>
    new LabInputError([
      {
        severity: 'error',
        message: `${message}; the file changed since the command was given: run it again`,
        file: experiment.file,
        range: range ?? { start: { line: 0, column: 0 }, end: { line: 0, column: 0 } },
        code: 'no-such-case',
      },
    ]);
  if (!c) throw problem(`there is no case ${only.caseIndex + 1} (the file has ${experiment.cases.length})`);
  if (only.variantIndex !== undefined && !c.variants[only.variantIndex])
    throw problem(
      `case ${only.caseIndex + 1} has no variant ${only.variantIndex + 1} (it has ${c.variants.length})`,
      c.range,
    );
}
