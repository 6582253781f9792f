/**
 * Problems only a run can find — a prompt longer than the model's positions, a token outside its
 * vocabulary, a checkpoint that doesn't fit — shown in the Problems panel at their place. (What the
 * parser finds, the language server already shows; those are not repeated here.)
 */
import * as vscode from 'vscode';
import type { LabDiagnostic } from '../lab/types';

const RUN_ONLY_CODES = new Set(['token-outside-vocabulary', 'prompt-too-long', 'empty-prompt', 'bad-weights']);

export class RunDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('perturbation-lab-run');

  clear(uri: vscode.Uri): void {
    this.collection.delete(uri);
  }

  /** Shows the run-only problems of a failed run; returns how many there were. */
  show(uri: vscode.Uri, diagnostics: LabDiagnostic[]): number {
    const shown = diagnostics
      .filter((d) => RUN_ONLY_CODES.has(d.code))
      .map((d) => {
        const range = new vscode.Range(d.range.start.line, d.range.start.column, d.range.end.line, d.range.end.column);
        const diagnostic = new vscode.Diagnostic(
          range,
          d.message,
          d.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning,
        );
        diagnostic.source = 'perturbation-lab (run)';
        diagnostic.code = d.code;
        return diagnostic;
      });
    this.collection.set(uri, shown);
    return shown.length;
  }

  dispose(): void {
    this.collection.dispose();
  }
}
