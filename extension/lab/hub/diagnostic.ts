/**
 * A `HubError` as the input error a front end reports at the model entry's place (`from:` line and column):
 * one diagnostic, code `hub-<code>`, so quick fixes can key on it. A cancellation is the user's choice, not an
 * input error: it gets none.
 */
import type { LabDiagnostic, SourceRange } from '../types';
import type { HubError } from './errors';

export function hubDiagnostic(e: HubError, file: string, range: SourceRange): LabDiagnostic | undefined {
  if (e.code === 'cancelled') return undefined;
  return { severity: 'error', message: e.message, file, range, code: `hub-${e.code}` };
}
