/**
 * The editor's help in a real VS Code: a quick fix from the language server applied through VS Code's own
 * code-action command; value completion with no words of the document mixed in; hover on a key; and, after
 * a run, the findings' fixes as quick fixes, the panel's "Show bert in the .prompt file" selecting the entry,
 * and the panel's FIX (clicked in the browser) writing `mode: eval` and running the comparison again.
 */
import * as assert from 'node:assert/strict';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import type { PerturbationLabApi } from '../../../extension/host/ctx';
import { LANGUAGE_ID } from '../../../extension/protocol/commands';
import { RUN_FINDING_SOURCE } from '../../../extension/protocol/lsp';
import { HarnessEnv } from '../harnessEnv';
import { browserCheck } from './browser';
import { compareToEnd, labApi, recordRun } from './panelMessages';

/** Resolves with the document's diagnostics once `match` holds for them (now or after a change). */
function diagnosticsWhen(uri: vscode.Uri, match: (ds: vscode.Diagnostic[]) => boolean): Promise<vscode.Diagnostic[]> {
  return new Promise((resolve) => {
    const subscription = vscode.languages.onDidChangeDiagnostics(() => check());
    const check = () => {
      const diagnostics = vscode.languages.getDiagnostics(uri);
      if (!match(diagnostics)) return;
      subscription.dispose();
      resolve(diagnostics);
    };
    check();
  });
}

/** Resolves with the selection of an editor of `uri` once `match` holds for it. */
function selectionWhen(uri: vscode.Uri, match: (s: vscode.Selection) => boolean): Promise<vscode.Selection> {
  return new Promise((resolve) => {
    const subscriptions = [
      vscode.window.onDidChangeTextEditorSelection(() => check()),
      vscode.window.onDidChangeActiveTextEditor(() => check()),
      vscode.window.onDidChangeVisibleTextEditors(() => check()),
    ];
    const check = () => {
      const editor = vscode.window.visibleTextEditors.find(
        (e) => e.document.uri.toString() === uri.toString() && match(e.selection),
      );
      if (!editor) return;
      subscriptions.forEach((s) => s.dispose());
      resolve(editor.selection);
    };
    check();
  });
}

async function codeActions(uri: vscode.Uri, range: vscode.Range): Promise<vscode.CodeAction[]> {
  const all = await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>(
    'vscode.executeCodeActionProvider',
    uri,
    range,
    vscode.CodeActionKind.QuickFix.value,
  );
  return all.filter((a): a is vscode.CodeAction => !('command' in a && typeof a.command === 'string'));
}

async function completionLabels(uri: vscode.Uri, position: vscode.Position): Promise<string[]> {
  const list = await vscode.commands.executeCommand<vscode.CompletionList>(
    'vscode.executeCompletionItemProvider',
    uri,
    position,
  );
  return list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
}

const code = (d: vscode.Diagnostic) => (typeof d.code === 'object' ? d.code.value : d.code);

describe('the editor helps', function () {
  this.timeout(300_000);
  let api: PerturbationLabApi;
  let workspace: string;

  before(async () => {
    api = await labApi();
    workspace = process.env[HarnessEnv.workspace]!;
  });

  it("a quick fix from the language server, applied through VS Code's code actions, fixes the file", async () => {
    const uri = vscode.Uri.file(join(workspace, 'quick-fix.prompt'));
    writeFileSync(
      uri.fsPath,
      '---\nmodels:\n  - name: bert\n    config: bert-base-uncased\n    n_layer: 2\n---\nThe cat sat\n~ The dog sat\n',
    );
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document, vscode.ViewColumn.One);
    const [error] = await diagnosticsWhen(uri, (ds) => ds.some((d) => code(d) === 'unknown-key'));
    const actions = await codeActions(uri, error.range);
    const fix = actions.find((a) => a.title === 'Change `n_layer` to `num_hidden_layers`');
    assert.ok(fix?.edit, actions.map((a) => a.title).join(', '));
    assert.equal(fix.isPreferred, true);
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    assert.equal(document.lineAt(4).text, '    num_hidden_layers: 2');
    await diagnosticsWhen(uri, (ds) => ds.length === 0);
    await document.save();
  });

  it('completion after `key: ` offers its values and no words of the document; hover explains a key', async () => {
    // A positive control: in a plain text file, VS Code's word-based suggestions do come through this command.
    const plain = await vscode.workspace.openTextDocument({ content: 'alphabet beta\nalp', language: 'plaintext' });
    assert.ok((await completionLabels(plain.uri, new vscode.Position(1, 3))).includes('alphabet'));

    const uri = vscode.Uri.file(join(workspace, 'complete.prompt'));
    writeFileSync(
      uri.fsPath,
      '---\nmodels:\n  - name: \n    config: gpt2\n    mode: \n---\nThe cat sat\n~ The dog sat\n',
    );
    const document = await vscode.workspace.openTextDocument(uri);
    assert.equal(document.languageId, LANGUAGE_ID);
    // The language server has read it once it says that `name:` is empty.
    const [empty] = await diagnosticsWhen(uri, (ds) => ds.length > 0);
    assert.match(empty.message, /`name` has no value/);
    const editorSettings = vscode.workspace.getConfiguration('editor', { languageId: LANGUAGE_ID });
    assert.equal(editorSettings.get('wordBasedSuggestions'), 'off');
    // VS Code reads that setting for the language at the cursor: were the front matter an embedded `yaml`
    // language, YAML's setting would apply there once the editor has tokenized it (words came back then).
    const extension = vscode.extensions.all.find((e) => e.packageJSON?.name === process.env[HarnessEnv.extensionName]);
    const grammars = extension?.packageJSON.contributes.grammars as { embeddedLanguages?: unknown }[];
    assert.deepEqual(
      grammars.map((g) => g.embeddedLanguages),
      [undefined],
    );
    await vscode.window.showTextDocument(document, vscode.ViewColumn.One);
    assert.deepEqual((await completionLabels(uri, new vscode.Position(4, 10))).sort(), ['eval', 'train']);
    assert.deepEqual(await completionLabels(uri, new vscode.Position(2, 10)), [], 'after `name: `, no words');
    assert.deepEqual(await completionLabels(uri, new vscode.Position(6, 11)), [], 'in a prompt, no words');

    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      uri,
      new vscode.Position(4, 5),
    );
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /\*\*mode\*\* · run setting/);
    assert.match(text, /Allowed: `train` or `eval`/);
  });

  it('after a run: the fixes as quick fixes, "Show bert" selects its entry, FIX writes `mode: eval` and runs again', async () => {
    const uri = vscode.Uri.file(join(workspace, 'fix-me.prompt'));
    copyFileSync(join(workspace, 'encoder-vs-decoder.prompt'), uri.fsPath);
    const document = await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(document, vscode.ViewColumn.One);
    await compareToEnd(api, uri);

    // The findings that carry a fix are diagnostics on the model's name, with the fix as a quick fix.
    const findings = await diagnosticsWhen(uri, (ds) => ds.some((d) => d.source === RUN_FINDING_SOURCE));
    const train = findings.find((d) => code(d) === 'train-mode-dropout');
    assert.ok(train, findings.map((d) => `${code(d)} ${d.message}`).join('\n'));
    assert.deepEqual(
      [train.range.start.line, train.range.start.character, train.severity],
      [5, 10, vscode.DiagnosticSeverity.Warning],
    );
    // (VS Code's command leaves out which diagnostics an action fixes: actions are told apart by title.)
    const trainActions = await codeActions(uri, train.range);
    const trainFix = trainActions.find((a) => a.title === 'bert-causal: set mode: eval (turns dropout off)');
    assert.ok(trainFix, trainActions.map((a) => a.title).join('; '));
    assert.equal(trainFix?.isPreferred, true);
    assert.ok(trainFix?.edit?.has(uri));
    const causal = findings.find((d) => code(d) === 'bidirectional-attention');
    assert.ok(causal, 'the bidirectional BERT is offered the causal mask');
    const causalActions = await codeActions(uri, causal.range);
    const causalFix = causalActions.find((a) => a.title.startsWith('bert: set is_decoder: true'));
    assert.ok(causalFix, causalActions.map((a) => a.title).join('; '));
    assert.equal(causalFix.isPreferred, false, 'an option, not the fix of an error');

    // "Show bert in the .prompt file" (the model's name in the panel's table).
    editor.selection = new vscode.Selection(0, 0, 0, 0);
    const revealed = selectionWhen(uri, (s) => s.start.line === 12);
    await browserCheck('webviewClick', { selector: 'tr[data-model="bert"] .model-link' });
    const selection = await revealed;
    assert.deepEqual(
      [selection.start.line, selection.start.character, selection.end.line, selection.end.character],
      [12, 4, 14, 14],
    );

    // FIX on bert-causal's train-mode finding: the file gets `mode: eval`, the comparison runs again.
    const again = recordRun(api);
    try {
      await browserCheck('webviewClick', { selector: 'tr[data-model="bert-causal"] .result-cell' });
      await browserCheck('webviewClick', { selector: '.finding[data-code="train-mode-dropout"] .fix-apply' });
      assert.equal((await again.ended).type, 'runFinished');
      assert.match(
        document.getText(),
        /- name: bert-causal\n.*\n {4}is_decoder: true .*\n {4}mode: eval\n {2}- name: bert-causal-eval/,
      );
      assert.deepEqual(
        again.results.map((r) => [r.model, r.verdict]),
        [
          ['gpt2', 'causal'],
          ['bert-causal', 'causal'],
          ['bert-causal-eval', 'causal'],
          ['bert', 'bidirectional'],
        ],
      );
      await browserCheck('webviewWaitForText', { selector: 'tr[data-model="bert-causal"] .badge', text: 'causal' });
      await browserCheck('screenshot', { name: 'fix-applied' });
    } finally {
      again.dispose();
    }
    await document.save();
  });
});
