/** A status bar item shown while a run is active; clicking it cancels the run. */
import * as vscode from 'vscode';
import { COMMANDS } from '../protocol/commands';

export class RunStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('perturbationLab.run', vscode.StatusBarAlignment.Left, 10);

  constructor() {
    this.item.name = 'Perturbation Lab run';
    this.item.command = COMMANDS.cancel;
  }

  running(message: string): void {
    this.item.text = `$(sync~spin) Perturbation Lab: ${message}`;
    this.item.tooltip = 'A comparison is running — click to cancel';
    this.item.show();
  }

  idle(): void {
    this.item.hide();
  }

  dispose(): void {
    this.item.dispose();
  }
}
