/**
 * An on-demand read-out request (the panel asked for one layer's heads): the file's experiment narrowed to
 * the one model asked for, with `heads:` / `lens:` over its own. A model no longer in the file (edited since
 * the run the panel shows) is the user's input, said in words.
 */
import type { ReadOutRequest } from '../protocol/runner';
import { LabInputError, type Experiment } from '../lab/types';

export function withReadOuts(experiment: Experiment, readOuts: ReadOutRequest | undefined, file: string): Experiment {
  if (!readOuts) return experiment;
  const model = experiment.models.find((m) => m.name === readOuts.model);
  if (!model)
    throw new LabInputError([
      {
        severity: 'error',
        message: `${file} has no model named ${JSON.stringify(readOuts.model)} any more: run the comparison again`,
        file,
        range: { start: { line: 0, column: 0 }, end: { line: 0, column: 0 } },
        code: 'no-model',
      },
    ]);
  const { heads, lens } = readOuts;
  return {
    ...experiment,
    models: [{ ...model, ...(heads !== undefined ? { heads } : {}), ...(lens !== undefined ? { lens } : {}) }],
  };
}
