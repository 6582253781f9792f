/**
 * What the host asks the language server about a `.prompt` file (`extension/protocol/lsp.ts`): the host
 * imports no engine code, so the edit behind a FIX and the place of a model's entry come from the server,
 * which parses the file anyway. Answers are for the document's current text: an edit computed for an
 * older version is asked for again, never applied.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { ModelEntryRequest, SetModelKeyRequest, type FrontMatterScalar } from '../protocol/lsp';

export class PromptEdits {
  constructor(private readonly client: () => LanguageClient | null) {}

  private running(): LanguageClient | string {
    const client = this.client();
    return client?.isRunning() ? client : 'the language server is not running (see the output channel)';
  }

  /** The edit that sets `key: value` for `model` in the document as it is now, or why there is none. */
  async editFor(
    document: vscode.TextDocument,
    model: string,
    key: string,
    value: FrontMatterScalar,
  ): Promise<vscode.WorkspaceEdit | string> {
    const client = this.running();
    if (typeof client === 'string') return client;
    for (let attempt = 0; attempt < 3; attempt++) {
      const version = document.version;
      const textDocument = { uri: document.uri.toString() };
      const answer = await client.sendRequest(SetModelKeyRequest.type, { textDocument, model, key, value });
      if ('error' in answer) return answer.error;
      // The converter drops the version the server computed for: typed meanwhile, ask again.
      if (document.version === version) return client.protocol2CodeConverter.asWorkspaceEdit(answer.edit);
    }
    return `${vscode.workspace.asRelativePath(document.uri)} kept changing; set \`${key}\` by hand`;
  }

  /** Sets `key: value` for `model` in the document and returns true, or says why it could not. */
  async setModelKey(
    document: vscode.TextDocument,
    model: string,
    key: string,
    value: FrontMatterScalar,
  ): Promise<true | string> {
    const edit = await this.editFor(document, model, key, value);
    if (typeof edit === 'string') return edit;
    if (edit.size === 0 || (await vscode.workspace.applyEdit(edit))) return true;
    return `${vscode.workspace.asRelativePath(document.uri)} changed while the fix was written; try again`;
  }

  /** Where the entry of `model` and its name are; null when the document has none, a string when the server can't say. */
  async modelEntry(
    document: vscode.TextDocument,
    model: string,
  ): Promise<{ entry: vscode.Range; name: vscode.Range } | null | string> {
    const client = this.running();
    if (typeof client === 'string') return client;
    const place = await client.sendRequest(ModelEntryRequest.type, {
      textDocument: { uri: document.uri.toString() },
      model,
    });
    if (!place) return null;
    const asRange = (r: typeof place.range) => client.protocol2CodeConverter.asRange(r);
    return { entry: asRange(place.range), name: asRange(place.nameRange) };
  }
}
