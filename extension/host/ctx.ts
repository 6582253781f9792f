/**
 * One context object owns everything the extension creates, in one disposal scope (`extensionScope`, as
 * long as the extension lives). The runner and the language client are restarted in place, not re-created
 * with a scope of their own: `RunnerClient.restart` when a setting the runner reads at start changes or
 * workspace trust is granted, `restartLanguageClient` when the cache folder changes.
 */
import * as vscode from 'vscode';
import { join } from 'node:path';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { ComparisonReport } from '../protocol/report';
import type { ToWebview, FromWebview } from '../protocol/webview';
import { DisposableStore } from './disposables';
import { readConfig, RUNNER_RESTART_SETTINGS, SECTION, type Config } from './config';
import { RunnerClient } from './runnerClient';
import { ResultsPanel, PANEL_VIEW_TYPE } from './resultsPanel';
import { RunStatusBar } from './statusBar';
import { RunController } from './runController';
import { RunDiagnostics } from './runDiagnostics';
import { createLanguageClient } from './languageClient';
import { registerCommands } from './commands';
import { FindingFixes } from './findingFixes';
import { PromptEdits } from './promptEdits';
import { HubToken } from './hubToken';
import { HubCacheChangedNotification } from '../protocol/lsp';

/** What `activate` returns: used by the end-to-end tests, harmless to anyone else. */
export interface PerturbationLabApi {
  onDidPostToPanel: vscode.Event<ToWebview>;
  lastReport(): ComparisonReport | null;
  runnerPid(): number | undefined;
  /** Only when VS Code runs the extension's tests (ExtensionMode.Test): kills the runner as a crash would. */
  killRunnerForTest?(): void;
}

export class Ctx {
  readonly extensionScope = new DisposableStore();
  readonly output = vscode.window.createOutputChannel('Perturbation Lab', { log: true });
  config: Config;
  readonly runner: RunnerClient;
  readonly panel: ResultsPanel;
  readonly runs: RunController;
  /** Findings' fixes in the editor and the panel's FIX and "Show in the .prompt file". */
  readonly fixes: FindingFixes;
  /** The Hugging Face token from VS Code's secret storage (never in settings, never logged). */
  readonly hubToken: HubToken;
  private client: LanguageClient | null = null;

  constructor(readonly context: vscode.ExtensionContext) {
    this.extensionScope.add(this.output);
    this.config = readConfig(context);
    this.hubToken = this.extensionScope.add(new HubToken(context.secrets));
    this.runner = this.extensionScope.add(
      new RunnerClient({
        runnerPath: join(context.extensionUri.fsPath, 'dist', 'runner.js'),
        settings: () => ({
          cacheDir: this.config.cacheFolder,
          threads: this.config.threads,
          memoryLimit: this.config.memoryLimit,
          cacheSizeLimit: this.config.cacheSizeLimit,
          trusted: vscode.workspace.isTrusted,
          hub: {
            endpoint: this.config.hubEndpoint,
            offline: this.config.hubOffline,
            token: this.hubToken.token ?? null,
            confirmDownloadAbove: this.config.confirmDownloadAbove,
          },
        }),
        log: (line) => this.output.appendLine(line),
        onCrash: (reason) => void vscode.window.showWarningMessage(`Perturbation Lab: ${reason}`),
      }),
    );
    this.panel = this.extensionScope.add(
      new ResultsPanel(
        context.extensionUri,
        (m) => this.onPanelMessage(m),
        (l) => this.output.warn(l),
      ),
    );
    const statusBar = this.extensionScope.add(new RunStatusBar());
    const problems = this.extensionScope.add(new RunDiagnostics());
    this.runs = new RunController(this.runner, this.panel, statusBar, problems, {
      logger: this.output,
      cacheFolder: () => this.config.cacheFolder,
      trusted: () => vscode.workspace.isTrusted,
      hubModelsUsed: () =>
        void this.client
          ?.sendNotification(HubCacheChangedNotification.type)
          .catch((e: Error) => this.output.warn(`could not tell the language server: ${e.message}`)),
    });
    this.fixes = this.extensionScope.add(
      new FindingFixes(
        this.panel.onDidPost,
        new PromptEdits(() => this.client),
        { lastRunUri: () => this.runs.lastRunUri, compare: (uri, only) => this.runs.compare(uri, only) },
        (line) => this.output.appendLine(line),
      ),
    );
  }

  async start(): Promise<PerturbationLabApi> {
    // Before any run can start the runner: it gets the token at start.
    await this.hubToken
      .load()
      .catch((e: Error) => this.output.warn(`the secret storage could not be read: ${e.message}`));
    this.extensionScope.add(this.hubToken.onDidChange(() => this.runner.restart('the Hugging Face token changed')));
    this.extensionScope.add(registerCommands(this));
    this.extensionScope.add(
      vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel) => this.panel.restore(panel),
      }),
    );
    this.extensionScope.add(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration(SECTION)) return;
        this.config = readConfig(this.context);
        if (RUNNER_RESTART_SETTINGS.some((s) => e.affectsConfiguration(s)))
          this.runner.restart('a setting the runner reads at start changed');
        // The language server reads the cache folder once, at start.
        if (e.affectsConfiguration(`${SECTION}.cacheFolder`)) void this.restartLanguageClient();
      }),
    );
    // Trust granted: the runner was started with trusted=false; the next run gets a trusted one.
    this.extensionScope.add(
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        this.runner.restart('the workspace is now trusted');
        // The language server reads the files a prompt names only in a trusted workspace; it learns trust at start.
        void this.restartLanguageClient();
      }),
    );
    this.extensionScope.add({ dispose: () => void this.client?.stop() });
    void this.restartLanguageClient();
    return {
      onDidPostToPanel: this.panel.onDidPost,
      lastReport: () => this.runs.lastReport,
      runnerPid: () => this.runner.pid,
      ...(this.context.extensionMode === vscode.ExtensionMode.Test
        ? { killRunnerForTest: () => this.runner.killRunner() }
        : {}),
    };
  }

  private async restartLanguageClient(): Promise<void> {
    const old = this.client;
    this.client = createLanguageClient(this.context, this.output, this.config.cacheFolder, vscode.workspace.isTrusted);
    await old?.stop().catch(() => undefined);
    await this.client
      .start()
      .catch((e: Error) => this.output.appendLine(`the language server failed to start: ${e.message}`));
  }

  private onPanelMessage(m: FromWebview): void {
    switch (m.type) {
      case 'ready':
        return;
      case 'cancel':
        if (this.runs.activeRequestId === m.runId) this.runs.cancel();
        return;
      case 'rerun':
        void this.runs.rerun();
        return;
      case 'exportJson':
        void vscode.commands.executeCommand('perturbationLab.exportJson');
        return;
      case 'revealModel':
        void this.fixes.revealModel(m.model);
        return;
      case 'applyFix':
        void this.fixes.applyFix(m);
        return;
      case 'requestHeads':
        void this.runs.requestHeads(m);
        return;
      default: {
        const never: never = m;
        return never;
      }
    }
  }

  async dispose(): Promise<void> {
    const client = this.client;
    this.client = null;
    this.extensionScope.dispose();
    await client?.stop().catch(() => undefined);
  }
}
