/**
 * A finished run's findings, back in the editor. Every finding that carries a fix (`Finding.fix`: set this
 * key to that value) becomes a diagnostic on its model's name in the `.prompt` file, with the fix as a quick
 * fix; the panel's FIX applies the same edit and runs the comparison again; "Show X in the .prompt file"
 * selects the model's entry. The edits themselves come from the language server (PromptEdits).
 * The findings describe the text that ran: an edit of the file clears them until the next run.
 */
import * as vscode from 'vscode';
import { LANGUAGE_ID } from '../protocol/commands';
import { RUN_FINDING_SOURCE, isFrontMatterScalar, type FrontMatterScalar } from '../protocol/lsp';
import type { Finding, VariantResult } from '../protocol/report';
import type { FromWebview, RunOutline, ToWebview } from '../protocol/webview';
import type { PromptEdits } from './promptEdits';

/** One run as the panel saw it: its file, its scope and its results. */
interface RunRecord {
  runId: string;
  uri: vscode.Uri;
  /** The document's version when the run started: findings of an edited text are not shown. */
  version: number | undefined;
  only?: RunOutline['only'];
  results: VariantResult[];
}

/** A finding's fix for one model, as a diagnostic shows it. */
interface ShownFix {
  diagnostic: vscode.Diagnostic;
  model: string;
  key: string;
  value: FrontMatterScalar;
  description: string;
  preferred: boolean;
}

type ApplyFix = Extract<FromWebview, { type: 'applyFix' }>;

export interface FindingFixesHost {
  lastRunUri(): vscode.Uri | null;
  compare(uri: vscode.Uri, only?: RunOutline['only']): Promise<void>;
}

export class FindingFixes implements vscode.Disposable, vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];
  private readonly collection = vscode.languages.createDiagnosticCollection('perturbation-lab-findings');
  private readonly shown = new Map<string, ShownFix[]>();
  /** The run in flight or last finished, and the one before it (the panel shows its results dimmed meanwhile). */
  private current: RunRecord | null = null;
  private previous: RunRecord | null = null;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    onDidPost: vscode.Event<ToWebview>,
    private readonly edits: PromptEdits,
    private readonly host: FindingFixesHost,
    private readonly log: (line: string) => void,
  ) {
    this.disposables.push(
      this.collection,
      onDidPost((m) => this.observe(m)),
      vscode.languages.registerCodeActionsProvider({ language: LANGUAGE_ID }, this, {
        providedCodeActionKinds: FindingFixes.kinds,
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length > 0) this.clear(e.document.uri);
      }),
    );
  }

  private observe(m: ToWebview): void {
    switch (m.type) {
      case 'runStarted': {
        const uri = this.host.lastRunUri();
        if (!uri) return;
        this.previous = this.current;
        const version = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString())?.version;
        this.current = { runId: m.run.runId, uri, version, only: m.run.only, results: [] };
        this.clear(uri);
        return;
      }
      case 'result':
        if (this.current?.runId === m.runId) this.current.results.push(m.result);
        return;
      case 'runFinished':
        if (this.current?.runId === m.runId) void this.publish(this.current).catch((e) => this.log(String(e)));
        return;
      case 'outline':
      case 'progress':
      case 'patching':
      case 'runFailed':
      case 'heads':
        return;
      default: {
        const never: never = m;
        return never;
      }
    }
  }

  private clear(uri: vscode.Uri): void {
    this.collection.delete(uri);
    this.shown.delete(uri.toString());
  }

  /** One diagnostic per model and finding (whichever variant found it), on the model's name. */
  private async publish(run: RunRecord): Promise<void> {
    const document = await vscode.workspace.openTextDocument(run.uri);
    const version = document.version;
    if (run.version !== undefined && run.version !== version) return; // edited during the run
    const fixes: ShownFix[] = [];
    const seen = new Set<string>();
    for (const result of run.results) {
      for (const finding of result.kind === 'measured' ? result.findings : []) {
        const key = `${result.model}|${finding.code}`;
        if (!finding.fix || !isFrontMatterScalar(finding.fix.value) || seen.has(key)) continue;
        seen.add(key);
        const place = await this.edits.modelEntry(document, result.model);
        if (place === null || typeof place === 'string') continue;
        fixes.push(shownFix(result.model, finding, place.name, finding.fix.value));
      }
    }
    // Stale: another run started or the file changed while the places were asked for.
    if (this.current !== run || document.version !== version) return;
    this.shown.set(run.uri.toString(), fixes);
    this.collection.set(
      run.uri,
      fixes.map((f) => f.diagnostic),
    );
  }

  async provideCodeActions(
    document: vscode.TextDocument,
    _range: vscode.Range,
    context: vscode.CodeActionContext,
  ): Promise<vscode.CodeAction[]> {
    const shown = this.shown.get(document.uri.toString()) ?? [];
    const actions: vscode.CodeAction[] = [];
    for (const diagnostic of context.diagnostics) {
      if (diagnostic.source !== RUN_FINDING_SOURCE) continue;
      const fix = shown.find((f) => sameDiagnostic(f.diagnostic, diagnostic));
      if (!fix) continue;
      const action = new vscode.CodeAction(`${fix.model}: ${fix.description}`, vscode.CodeActionKind.QuickFix);
      action.diagnostics = [diagnostic];
      action.isPreferred = fix.preferred;
      const edit = await this.edits.editFor(document, fix.model, fix.key, fix.value);
      if (typeof edit === 'string') {
        this.log(`no quick fix for ${fix.model}: ${edit}`);
        continue;
      }
      action.edit = edit;
      actions.push(action);
    }
    return actions;
  }

  /** The panel's FIX: the finding's fix written into the file the run read, then the same comparison again. */
  async applyFix(m: ApplyFix): Promise<void> {
    const found = [this.current, this.previous]
      .filter((r): r is RunRecord => r !== null)
      .flatMap((run) =>
        run.results
          .filter((r) => r.model === m.model && r.caseIndex === m.caseIndex && r.variantIndex === m.variantIndex)
          .map((r) => ({
            run,
            finding: r.kind === 'measured' ? r.findings.find((f) => f.code === m.code) : undefined,
          })),
      )
      .find((x) => x.finding?.fix);
    const fix = found?.finding?.fix;
    if (!found || !fix || !isFrontMatterScalar(fix.value)) {
      void vscode.window.showInformationMessage('Perturbation Lab: that result is gone; run the comparison again.');
      return;
    }
    const applied = await this.setKey(found.run.uri, m.model, fix.key, fix.value);
    if (applied) await this.host.compare(found.run.uri, found.run.only);
  }

  /** Sets `key: value` for `model` in the file; says why when it cannot. */
  async setKey(uri: vscode.Uri, model: string, key: string, value: FrontMatterScalar): Promise<boolean> {
    const document = await vscode.workspace.openTextDocument(uri);
    const outcome = await this.edits.setModelKey(document, model, key, value);
    if (outcome === true) return true;
    void vscode.window.showWarningMessage(`Perturbation Lab: could not set ${key} for ${model}: ${outcome}`);
    return false;
  }

  /** "Show X in the .prompt file": the editor of the last run's file, the entry selected and scrolled to. */
  async revealModel(model: string): Promise<void> {
    const uri = this.current?.uri ?? this.host.lastRunUri();
    if (!uri) return;
    const document = await vscode.workspace.openTextDocument(uri);
    const place = await this.edits.modelEntry(document, model);
    if (place === null || typeof place === 'string') {
      const why = place ?? `${vscode.workspace.asRelativePath(uri)} has no model named ${model} any more`;
      void vscode.window.showInformationMessage(`Perturbation Lab: ${why}.`);
      return;
    }
    const visible = vscode.window.visibleTextEditors.find((e) => e.document === document);
    const editor = await vscode.window.showTextDocument(document, {
      viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One,
      selection: new vscode.Selection(place.entry.start, place.entry.end),
      preserveFocus: false,
    });
    editor.revealRange(place.entry, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

function shownFix(model: string, finding: Finding, place: vscode.Range, value: FrontMatterScalar): ShownFix {
  const fix = finding.fix!;
  const diagnostic = new vscode.Diagnostic(
    place,
    `${model}: ${finding.message} ${fix.kind === 'fix' ? 'Fix' : 'Option'}: ${fix.key}: ${scalar(fix.value)} (${fix.description}).`,
    finding.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information,
  );
  diagnostic.source = RUN_FINDING_SOURCE;
  diagnostic.code = finding.code;
  // A fix is what the finding asks for; an option is a choice (bidirectional may be what you want).
  return {
    diagnostic,
    model,
    key: fix.key,
    value,
    description: `set ${fix.key}: ${scalar(fix.value)} (${fix.description})`,
    preferred: fix.kind === 'fix',
  };
}

function sameDiagnostic(a: vscode.Diagnostic, b: vscode.Diagnostic): boolean {
  return a.range.isEqual(b.range) && a.code === b.code && a.message === b.message;
}

/** A value as the front matter spells it (`eval`, `true`, `0.02`). */
function scalar(value: unknown): string {
  return typeof value === 'string' && /^[\w.-]+$/.test(value) ? value : JSON.stringify(value);
}
