/**
 * One comparison from command to panel: reads the document (unsaved edits included), starts the run
 * in the runner, shows progress (a cancellable notification and the status bar), turns runner events
 * into panel messages and logs the run. The panel hears `runStarted` with the run's own file before
 * anything else of the run, so a failure is never shown under another file's name. A new run
 * supersedes the one in flight. Keeps the last report for export.
 */
import * as vscode from 'vscode';
import type { ComparisonReport } from '../protocol/report';
import type { HeadsRef, ToWebview } from '../protocol/webview';
import type { RunScope } from '../protocol/run';
import { panelMessageFor } from './panelMessages';
import type { RunEvent, RunHandle, RunnerClient } from './runnerClient';
import type { ResultsPanel } from './resultsPanel';
import type { RunStatusBar } from './statusBar';
import type { RunDiagnostics } from './runDiagnostics';
import { RunLog, type RunLogger } from './runLog';
import { askToDownload, percentOf } from './downloadQuestion';
import { formatBytes } from '../protocol/sizes';

/** What a run needs to know about the settings for its log. */
export interface RunLogContext {
  logger: RunLogger;
  cacheFolder(): string;
  trusted(): boolean;
  /** A finished run used models from the Hub (it may have downloaded them): the editor reads the cache again. */
  hubModelsUsed?(): void;
}

export class RunController {
  private active: RunHandle | null = null;
  private lastRun: { uri: vscode.Uri; only?: RunScope } | null = null;
  private report: ComparisonReport | null = null;
  /** The run the panel shows (its results are what `requestHeads` refers to). */
  private shownRunId: string | null = null;

  constructor(
    private readonly runner: RunnerClient,
    private readonly panel: ResultsPanel,
    private readonly statusBar: RunStatusBar,
    private readonly problems: RunDiagnostics,
    private readonly logging: RunLogContext,
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
    // Export gives the report of the run the panel shows, once it finished: never an older run's under this name.
    this.report = null;
    this.problems.clear(uri);
    this.panel.show(uri);
    const started = Date.now();
    const fileLabel = vscode.workspace.asRelativePath(uri, false);
    const post = (m: ToWebview) => this.panel.post(m);

    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Perturbation Lab', cancellable: true },
      async (progress, token) => {
        let runId = '';
        let log: RunLog | null = null;
        // Events can only arrive after `run` returned (the runner answers asynchronously), so runId and log are set.
        const handle = this.runner.run({ file: uri.fsPath, text: document.getText(), only }, (e: RunEvent) => {
          switch (e.type) {
            case 'outline':
              log?.outline(e.outline.models, e.outline.cases);
              break;
            case 'progress':
              log?.progress(e.model, e.stage, e.message);
              progress.report({ message: `${e.model}: ${e.message}` });
              this.statusBar.running(`${e.model}: ${e.stage}${e.download ? ` ${percentOf(e.download)} %` : ''}`);
              break;
            case 'confirmDownload':
              log?.progress(e.repos[0]?.models[0] ?? '', 'downloading', `asks to download ${formatBytes(e.total)}`);
              this.statusBar.running(`waiting for your answer: download ${formatBytes(e.total)}?`);
              void askToDownload(e).then((download) => this.runner.answerDownload(runId, e.confirmId, download));
              break;
            case 'result':
              log?.result(e.result);
              break;
            case 'patching':
              break;
            case 'done':
              log?.finished();
              this.report = e.report;
              if (e.report.models.some((m) => m.weights.kind === 'checkpoint' && m.weights.hub))
                this.logging.hubModelsUsed?.();
              break;
            case 'failed':
              log?.failed(e.error);
              break;
            case 'crashed':
              log?.crashed(e.reason);
              break;
            default: {
              const never: never = e;
              return never;
            }
          }
          post(panelMessageFor(runId, e, Date.now() - started));
        });
        runId = handle.requestId;
        this.shownRunId = runId;
        // Active before anything is posted: whatever a panel message sets off (a cancel included, which VS Code
        // may run synchronously inside the post) must find this run.
        this.active = handle;
        post({ type: 'runStarted', run: { runId, file: fileLabel, ...(only ? { only } : {}) } });
        log = new RunLog(this.logging.logger, runId, fileLabel, {
          only,
          cacheFolder: this.logging.cacheFolder(),
          trusted: this.logging.trusted(),
        });
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

  /**
   * One layer's heads of a result the panel shows, computed on demand: the runner runs that model × variant of
   * the file again with `heads:` set (its session is still open, so only three forward passes), and the panel
   * gets the answer as a `heads` message. The comparison the panel shows is not touched.
   */
  async requestHeads(ref: HeadsRef): Promise<void> {
    const runId = this.shownRunId;
    const uri = this.lastRun?.uri;
    if (!runId || !uri) return;
    const answer = (heads: ToWebview & { type: 'heads' }) => this.panel.post(heads);
    const refOf = { model: ref.model, caseIndex: ref.caseIndex, variantIndex: ref.variantIndex, layer: ref.layer };
    let document: vscode.TextDocument;
    try {
      document = await vscode.workspace.openTextDocument(uri);
    } catch (e) {
      answer({ type: 'heads', runId, ...refOf, heads: null, message: (e as Error).message });
      return;
    }
    const handle = this.runner.run(
      {
        file: uri.fsPath,
        text: document.getText(),
        only: { caseIndex: ref.caseIndex, variantIndex: ref.variantIndex },
        readOuts: { model: ref.model, heads: ref.layer },
      },
      (e: RunEvent) => {
        if (e.type === 'result' && e.result.kind === 'measured' && e.result.model === ref.model)
          answer({ type: 'heads', runId, ...refOf, heads: e.result.attentionHeads ?? null });
      },
    );
    const last = await handle.finished;
    if (last.type === 'failed' || last.type === 'crashed')
      answer({
        type: 'heads',
        runId,
        ...refOf,
        heads: null,
        message: last.type === 'failed' ? last.error.message : `the runner stopped: ${last.reason}`,
      });
  }
}
