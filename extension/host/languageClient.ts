/** Starts the language server (dist/server.js) through vscode-languageclient over IPC. */
import * as vscode from 'vscode';
import {
  LanguageClient,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { LANGUAGE_ID } from '../protocol/commands';

export function createLanguageClient(
  context: vscode.ExtensionContext,
  output: vscode.LogOutputChannel,
  cacheDir: string,
  /** Workspace trust: only then does the server read the files a prompt names (config.json, weights). */
  trusted: boolean,
): LanguageClient {
  const module = vscode.Uri.joinPath(context.extensionUri, 'dist', 'server.js').fsPath;
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: LANGUAGE_ID }],
    initializationOptions: { cacheDir, trusted },
    outputChannel: output,
  };
  return new LanguageClient('perturbationLab', 'Perturbation Lab language server', serverOptions, clientOptions);
}
