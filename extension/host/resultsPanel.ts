/**
 * The results panel beside the editor. One panel, reused run after run and updated by incremental
 * messages (never by replacing its HTML, so it neither flickers nor loses its scroll). The current run's
 * messages are kept and replayed whenever the page (re)loads and says `ready` — a hidden panel's page is
 * discarded (no retainContextWhenHidden), so what was posted meanwhile would otherwise be lost.
 * Messages from the page are validated before use.
 * A serializer brings the panel back after a window reload; the page restores its own state.
 */
import * as vscode from 'vscode';
import { isFromWebview, type FromWebview, type ToWebview } from '../protocol/webview';
import { DisposableStore } from './disposables';
import { panelHtml } from './panelHtml';
import { makeNonce } from './nonce';
import { panelColumn } from './panelColumn';

export const PANEL_VIEW_TYPE = 'perturbationLab.results';

export class ResultsPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | null = null;
  private panelScope = new DisposableStore();
  private ready = false;
  /** The current run's messages (the latest progress only), replayed to a page that (re)loads. */
  private history: ToWebview[] = [];
  private readonly posted = new vscode.EventEmitter<ToWebview>();
  /** Every message posted to the page (the end-to-end tests read what the panel received). */
  readonly onDidPost = this.posted.event;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly onMessage: (m: FromWebview) => void,
    private readonly log: (line: string) => void,
  ) {}

  /**
   * Opens the panel beside the `.prompt` file's editor (in an existing group when there is one, see
   * panelColumn), or reveals it where it already is — never moving it into a new column — without
   * stealing focus.
   */
  show(file?: vscode.Uri): void {
    if (this.panel) {
      this.panel.reveal(this.panel.viewColumn, true);
      return;
    }
    const editor =
      (file && vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === file.toString())) ??
      vscode.window.activeTextEditor;
    const column = panelColumn(
      editor?.viewColumn,
      vscode.window.tabGroups.all.map((g) => g.viewColumn),
    );
    const panel = vscode.window.createWebviewPanel(
      PANEL_VIEW_TYPE,
      'Perturbation Lab',
      { viewColumn: column === 'beside' ? vscode.ViewColumn.Beside : column, preserveFocus: true },
      this.webviewOptions(),
    );
    this.attach(panel);
  }

  /** Adopts a panel VS Code restored after a reload. */
  restore(panel: vscode.WebviewPanel): void {
    this.panel?.dispose();
    panel.webview.options = this.webviewOptions();
    this.attach(panel);
  }

  post(message: ToWebview): void {
    this.posted.fire(message);
    if (message.type === 'runStarted') this.history = [message];
    else if (message.type === 'progress')
      this.history = [...this.history.filter((m) => m.type !== 'progress'), message];
    else this.history.push(message);
    if (this.panel && this.ready) void this.panel.webview.postMessage(message);
  }

  dispose(): void {
    this.panel?.dispose();
    this.panelScope.dispose();
    this.posted.dispose();
  }

  private webviewOptions(): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return {
      enableScripts: true,
      // Only the bundle and media/ can be loaded into the page.
      localResourceRoots: [
        vscode.Uri.joinPath(this.extensionUri, 'dist'),
        vscode.Uri.joinPath(this.extensionUri, 'media'),
      ],
      retainContextWhenHidden: false,
    };
  }

  private attach(panel: vscode.WebviewPanel): void {
    this.panelScope.dispose();
    this.panelScope = new DisposableStore();
    this.panel = panel;
    this.ready = false;
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'icon.svg');
    const webview = panel.webview;
    webview.html = panelHtml({
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'panel.css')).toString(),
    });
    this.panelScope.add(
      webview.onDidReceiveMessage((m: unknown) => {
        if (!isFromWebview(m)) {
          this.log(`ignored a malformed message from the panel: ${JSON.stringify(m)?.slice(0, 200)}`);
          return;
        }
        if (m.type === 'ready') {
          this.ready = true;
          for (const q of this.history) void webview.postMessage(q);
        }
        this.onMessage(m);
      }),
    );
    // Hidden: the page is discarded; it says `ready` again when it is shown, and gets the history.
    this.panelScope.add(
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.ready = false;
      }),
    );
    this.panelScope.add(
      panel.onDidDispose(() => {
        if (this.panel === panel) {
          this.panel = null;
          this.ready = false;
        }
      }),
    );
  }
}
