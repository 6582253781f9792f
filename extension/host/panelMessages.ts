/**
 * The runner's events as the panel's messages: what RunController posts, and what the panel tests'
 * recorder writes from real runs (so the recorded messages are exactly what the host would send).
 * Pure: no `vscode` import.
 */
import { formatDiagnostic } from '../protocol/diagnostics';
import { formatBytes } from '../protocol/sizes';
import type { SerializedError } from '../protocol/runner';
import type { RunFailureKind, ToWebview } from '../protocol/webview';
import type { RunEvent } from './runnerClient';

/** The panel message for one runner event of run `runId`; `elapsedMs` is the run's time so far. */
export function panelMessageFor(runId: string, e: RunEvent, elapsedMs: number): ToWebview {
  switch (e.type) {
    case 'outline':
      return { type: 'outline', runId, models: e.outline.models, cases: e.outline.cases };
    case 'progress':
      return {
        type: 'progress',
        runId,
        model: e.model,
        stage: e.stage,
        message: e.message,
        ...(e.download ? { download: e.download } : {}),
      };
    case 'confirmDownload':
      // The question itself is VS Code's dialog; the panel says what the run waits for, on the first model it concerns.
      return {
        type: 'progress',
        runId,
        model: e.repos[0]?.models[0] ?? '',
        stage: 'downloading',
        message: `waiting for your answer: download ${formatBytes(e.total)} from the Hugging Face Hub?`,
      };
    case 'result':
      return { type: 'result', runId, result: e.result };
    case 'patching':
      return { type: 'patching', runId, ref: e.ref, patching: e.patching };
    case 'done':
      return { type: 'runFinished', runId, elapsedMs };
    case 'failed':
      return failure(runId, e.error);
    case 'crashed':
      return { type: 'runFailed', runId, kind: 'runner-crashed', message: e.reason };
    default: {
      const never: never = e;
      return never;
    }
  }
}

function failure(runId: string, error: SerializedError): ToWebview {
  const kind: RunFailureKind = error.kind;
  const details = error.diagnostics?.map(formatDiagnostic);
  return { type: 'runFailed', runId, kind, message: error.message, ...(details ? { details } : {}) };
}
