/** The extension's entry: activation builds the context; deactivation disposes everything (the runner is killed). */
import type * as vscode from 'vscode';
import { Ctx, type PerturbationLabApi } from './ctx';

let ctx: Ctx | null = null;

export async function activate(context: vscode.ExtensionContext): Promise<PerturbationLabApi> {
  ctx = new Ctx(context);
  return ctx.start();
}

export async function deactivate(): Promise<void> {
  const c = ctx;
  ctx = null;
  await c?.dispose();
}
