/**
 * One comparison from command to panel: reads the document (unsaved edits included), starts the run
 * in the runner, shows progress (a cancellable notification and the status bar) and turns runner
 * events into panel messages. A new run supersedes the one in flight. Keeps the last report for export.
 */
import * as vscode from 'vscode';
import type { ComparisonReport } from '../protocol/report';
import type { RunFailureKind, ToWebview } from '../protocol/webview';
import type { SerializedError } from '../protocol/runner';
import type { RunScope } from '../protocol/run';
import { formatDiagnostic } from '../protocol/diagnostics';
import type { RunEvent, RunHandle, RunnerClient } from './runnerClient';
import type { ResultsPanel } from './resultsPanel';
import type { RunStatusBar } from './statusBar';
import type { RunDiagnostics } from './runDiagnostics';

export class RunController {
  private active: RunHandle | null = null;
  private lastRun: { uri: vscode.Uri; only?: RunScope } | null = null;
  private report: ComparisonReport | null = null;

  constructor(
    private readonly runner: RunnerClient,
    private readonly panel: ResultsPanel,
    private readonly statusBar: RunStatusBar,
    private readonly problems: RunDiagnostics,
  ) {}

  get lastReport(): ComparisonReport | null {
    return this.report;
  }

  /** The file of the last run started: the one the panel shows. */
  get lastRunUri(): vscode.Uri | null {
    return this.lastRun?.uri ?? null;
  }

  get activeRequestId(): string | null {
    return this.active?.requestId ?? null;
  }

  cancel(): void {
    this.active?.cancel();
  }

  rerun(): Promise<void> {
    return this.lastRun ? this.compare(this.lastRun.uri, this.lastRun.only) : Promise.resolve();
  }

  /** Runs a comparison and resolves when it is over (whatever the outcome). */
  async compare(uri: vscode.Uri, only?: RunScope): Promise<void> {
    let document: vscode.TextDocument;
    try {
      document = await vscode.workspace.openTextDocument(uri);
    } catch (e) {
      void vscode.window.showErrorMessage(`Perturbation Lab: cannot open ${uri.fsPath}: ${(e as Error).message}`);
      return;
    }
    this.active?.cancel();
    this.lastRun = { uri, only };
    this.problems.clear(uri);
    this.panel.show();
    const started = Date.now();
    const fileLabel = vscode.workspace.asRelativePath(uri, false);
    const post = (m: ToWebview) => this.panel.post(m);

    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Perturbation Lab', cancellable: true },
      async (progress, token) => {
        let runId = '';
        const handle = this.runner.run({ file: uri.fsPath, text: document.getText(), only }, (e: RunEvent) => {
          switch (e.type) {
            case 'outline':
              post({ type: 'runStarted', outline: { runId, file: fileLabel, ...e.outline, only } });
              return;
            case 'progress':
              progress.report({ message: `${e.model}: ${e.message}` });
              this.statusBar.running(`${e.model}: ${e.stage}`);
              post({ type: 'progress', runId, model: e.model, stage: e.stage, message: e.message });
              return;
            case 'result':
              post({ type: 'result', runId, result: e.result });
              return;
            case 'done':
              this.report = e.report;
              post({ type: 'runFinished', runId, elapsedMs: Date.now() - started });
              return;
            case 'failed':
              post(failure(runId, e.error));
              return;
            case 'crashed':
              post({ type: 'runFailed', runId, kind: 'runner-crashed', message: e.reason });
              return;
            default: {
              const never: never = e;
              return never;
            }
          }
        });
        runId = handle.requestId;
        this.active = handle;
        this.statusBar.running('starting');
        const subscription = token.onCancellationRequested(() => handle.cancel());
        try {
          const last = await handle.finished;
          if (last.type === 'failed' && last.error.kind === 'input') {
            this.problems.show(uri, last.error.diagnostics ?? []);
            void vscode.window.showWarningMessage(
              `Perturbation Lab: ${fileLabel} can't run as it is — the results panel and the Problems panel say why.`,
            );
          }
        } finally {
          subscription.dispose();
          if (this.active === handle) {
            this.active = null;
            this.statusBar.idle();
          }
        }
      },
    );
  }
}

function failure(runId: string, error: SerializedError): ToWebview {
  const kind: RunFailureKind = error.kind;
  const details = error.diagnostics?.map(formatDiagnostic);
  return { type: 'runFailed', runId, kind, message: error.message, ...(details ? { details } : {}) };
}
