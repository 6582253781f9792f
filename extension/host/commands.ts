/**
 * Every command, declared once: id → handler. Arguments come from menus (a Uri), CodeLens (strings
 * from the language server) or the palette (nothing: the active editor); each is checked before use.
 */
import * as vscode from 'vscode';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { reportPathOf } from '../common/paths';
import { COMMANDS, isCompareCaseArgs, LANGUAGE_ID } from '../protocol/commands';
import { DisposableStore } from './disposables';
import type { Ctx } from './ctx';
import { writeFileAtomic } from './writeFileAtomic';
import { tokenProblem } from './hubToken';

type Handler = (ctx: Ctx, ...args: unknown[]) => unknown;

const table: Record<keyof typeof COMMANDS, Handler> = {
  compare: async (ctx, arg) => {
    const uri = promptUri(arg);
    if (uri) await ctx.runs.compare(uri);
  },
  compareCase: async (ctx, arg) => {
    if (!isCompareCaseArgs(arg))
      return void vscode.window.showErrorMessage(
        'Perturbation Lab: this command needs a case (use the CodeLens above a prompt).',
      );
    await ctx.runs.compare(vscode.Uri.parse(arg.uri), { caseIndex: arg.caseIndex, variantIndex: arg.variantIndex });
  },
  cancel: (ctx) => ctx.runs.cancel(),
  exportJson: async (ctx) => {
    const report = ctx.runs.lastReport;
    if (!report)
      return void vscode.window.showInformationMessage(
        'Perturbation Lab: run a comparison first; then its report can be exported.',
      );
    const base = vscode.Uri.file(reportPathOf(report.file));
    const target = await vscode.window.showSaveDialog({
      defaultUri: base,
      filters: { JSON: ['json'] },
      title: 'Export the comparison report',
    });
    if (!target) return;
    await writeFileAtomic(target.fsPath, JSON.stringify(report, null, 2) + '\n');
    void vscode.window.showInformationMessage(
      `Perturbation Lab: report written to ${vscode.workspace.asRelativePath(target)}`,
    );
  },
  restartRunner: (ctx) => ctx.runner.restart('restarted from the command palette'),
  clearModelCache: async (ctx) => {
    const folder = join(ctx.config.cacheFolder, 'models');
    const answer = await vscode.window.showWarningMessage(
      `Delete every built model in ${folder}? They are rebuilt (or reloaded) on the next run.`,
      { modal: true },
      'Delete',
    );
    if (answer !== 'Delete') return;
    ctx.runner.restart('the model cache is being cleared');
    await rm(folder, { recursive: true, force: true });
    void vscode.window.showInformationMessage('Perturbation Lab: model cache cleared.');
  },
  showOutput: (ctx) => ctx.output.show(true),
  setHfToken: async (ctx) => {
    const token = await vscode.window.showInputBox({
      title: 'Hugging Face access token',
      prompt:
        'For private and gated models (`from:`). Kept in VS Code’s secret storage, never in a settings file; used instead of HF_TOKEN. Create one at https://huggingface.co/settings/tokens',
      placeHolder: 'hf_…',
      password: true,
      ignoreFocusOut: true,
      validateInput: tokenProblem,
    });
    if (token === undefined) return;
    await ctx.hubToken.set(token.trim());
    void vscode.window.showInformationMessage(
      'Perturbation Lab: Hugging Face token stored in VS Code’s secret storage. Models from the Hub use it from the next run.',
    );
  },
  clearHfToken: async (ctx) => {
    const had = await ctx.hubToken.clear();
    void vscode.window.showInformationMessage(
      had
        ? 'Perturbation Lab: Hugging Face token removed from VS Code’s secret storage (HF_TOKEN or the token file apply again).'
        : 'Perturbation Lab: no Hugging Face token was stored.',
    );
  },
};

export function registerCommands(ctx: Ctx): DisposableStore {
  const scope = new DisposableStore();
  for (const [key, handler] of Object.entries(table) as [keyof typeof COMMANDS, Handler][]) {
    scope.add(vscode.commands.registerCommand(COMMANDS[key], (...args: unknown[]) => handler(ctx, ...args)));
  }
  return scope;
}

/** A `.prompt` file from a menu's Uri, a CodeLens's string, or the active editor. */
function promptUri(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === 'string') return vscode.Uri.parse(arg);
  const editor = vscode.window.activeTextEditor;
  if (editor && editor.document.languageId === LANGUAGE_ID) return editor.document.uri;
  void vscode.window.showInformationMessage('Perturbation Lab: open a .prompt file (or right-click one) to compare.');
  return undefined;
}
