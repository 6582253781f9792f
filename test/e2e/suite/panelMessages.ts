/** Helpers for the extension's suites: its API, and waiting on what the panel receives (events, not time). */
import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { COMMANDS } from '../../../extension/protocol/commands';
import type { PerturbationLabApi } from '../../../extension/host/ctx';
import type { ToWebview } from '../../../extension/protocol/webview';
import type { VariantResult } from '../../../extension/protocol/report';
import { HarnessEnv } from '../harnessEnv';

export async function labApi(): Promise<PerturbationLabApi> {
  const name = process.env[HarnessEnv.extensionName] ?? 'perturbation-lab';
  const extension = vscode.extensions.all.find((e) => e.packageJSON?.name === name);
  if (!extension) throw new Error(`extension ${name} is not loaded`);
  return (await extension.activate()) as PerturbationLabApi;
}

export interface RunRecording {
  messages: ToWebview[];
  results: VariantResult[];
  /** Settles with the message that ended the run: runFinished or runFailed. */
  ended: Promise<ToWebview>;
  dispose(): void;
}

/** Records what the panel receives from now until a run ends; `onMessage` can act mid-run. */
export function recordRun(
  api: PerturbationLabApi,
  onMessage: (m: ToWebview, rec: RunRecording) => void = () => {},
): RunRecording {
  let end!: (m: ToWebview) => void;
  const rec: RunRecording = {
    messages: [],
    results: [],
    ended: new Promise<ToWebview>((resolve) => (end = resolve)),
    dispose: () => subscription.dispose(),
  };
  const subscription = api.onDidPostToPanel((m) => {
    rec.messages.push(m);
    if (m.type === 'result') rec.results.push(m.result);
    onMessage(m, rec);
    if (m.type === 'runFinished' || m.type === 'runFailed') end(m);
  });
  return rec;
}

/** Writes a `.prompt` file into the test workspace and opens it in the first editor column. */
export async function openWorkspacePrompt(name: string, text: string): Promise<vscode.Uri> {
  const uri = vscode.Uri.file(join(process.env[HarnessEnv.workspace]!, name));
  writeFileSync(uri.fsPath, text);
  await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), vscode.ViewColumn.One);
  return uri;
}

/**
 * Runs the Compare command on `uri` and waits until its run ends, which must be `runFinished`: what the panel
 * received (recorded from before the command; recording stops at the end).
 */
export async function compareToEnd(api: PerturbationLabApi, uri: vscode.Uri): Promise<RunRecording> {
  const run = recordRun(api);
  try {
    await vscode.commands.executeCommand(COMMANDS.compare, uri);
    const end = await run.ended;
    assert.equal(end.type, 'runFinished', JSON.stringify(end));
    return run;
  } finally {
    run.dispose();
  }
}

/** Asks the CodeLens provider until the lenses appear: the language server answers once it has parsed the file. */
export async function waitForCodeLenses(uri: vscode.Uri, title: string): Promise<vscode.CodeLens[]> {
  for (let attempt = 0; attempt < 300; attempt++) {
    const lenses =
      (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100)) ?? [];
    if (lenses.some((l) => l.command?.title.includes(title))) return lenses;
    await new Promise<void>((resolve) => {
      const d = vscode.languages.onDidChangeDiagnostics(() => {
        d.dispose();
        resolve();
      });
      setTimeout(() => {
        d.dispose();
        resolve();
      }, 200);
    });
  }
  throw new Error(`no CodeLens "${title}" on ${uri.fsPath}`);
}
