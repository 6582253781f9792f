/**
 * Names shared by the extension host, the language server and package.json: the language id of
 * `.prompt` files and the commands CodeLens and menus execute, with their argument shapes.
 * (VS Code's built-in prompt support owns the id `prompt`, so ours is distinct.)
 */
import type { RunScope } from './run';

export const LANGUAGE_ID = 'perturbation-prompt';

export const COMMANDS = {
  /** Run every model on every case of a file (explorer/editor context menus, editor title, CodeLens). */
  compare: 'perturbationLab.compare',
  /** Run one case, or one variant of it (CodeLens "Compare this variant"). */
  compareCase: 'perturbationLab.compareCase',
  cancel: 'perturbationLab.cancel',
  exportJson: 'perturbationLab.exportJson',
  restartRunner: 'perturbationLab.restartRunner',
  /** Deletes every built model from the cache folder (after stopping the runner, which holds them open). */
  clearModelCache: 'perturbationLab.clearModelCache',
  showOutput: 'perturbationLab.showOutput',
  /** Asks for a Hugging Face access token and keeps it in VS Code's secret storage (never in a settings file). */
  setHfToken: 'perturbationLab.setHuggingFaceToken',
  /** Removes that token from the secret storage. */
  clearHfToken: 'perturbationLab.clearHuggingFaceToken',
} as const;

/** Arguments of `perturbationLab.compareCase` (the CodeLens passes them; URIs as strings). */
export interface CompareCaseArgs extends RunScope {
  uri: string;
}

export function isCompareCaseArgs(x: unknown): x is CompareCaseArgs {
  if (typeof x !== 'object' || x === null) return false;
  const a = x as Record<string, unknown>;
  return (
    typeof a.uri === 'string' &&
    Number.isInteger(a.caseIndex) &&
    (a.variantIndex === undefined || Number.isInteger(a.variantIndex))
  );
}
