/** Applying the server's WorkspaceEdits to a text, as a client would, for the tests. */
import assert from 'node:assert/strict';
import type { CodeAction, TextEdit, WorkspaceEdit } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';

/** The edits a WorkspaceEdit makes to `uri`, whether it came as `documentChanges` or `changes`. */
export function editsOf(edit: WorkspaceEdit | undefined, uri: string): TextEdit[] {
  assert.ok(edit, 'the action has an edit');
  const fromChanges = edit.changes?.[uri] ?? [];
  const fromDocumentChanges = (edit.documentChanges ?? []).flatMap((change) =>
    'textDocument' in change && change.textDocument.uri === uri
      ? change.edits.filter((e): e is TextEdit => 'newText' in e)
      : [],
  );
  return [...fromChanges, ...fromDocumentChanges];
}

export function applyEdit(text: string, uri: string, edit: WorkspaceEdit | undefined): string {
  return TextDocument.applyEdits(TextDocument.create(uri, 'perturbation-prompt', 0, text), editsOf(edit, uri));
}

export function applyAction(text: string, uri: string, action: CodeAction | undefined): string {
  assert.ok(action, 'the action is offered');
  return applyEdit(text, uri, action.edit);
}
