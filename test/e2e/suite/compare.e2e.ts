/**
 * The product in a real VS Code: open the seed example, wait for its CodeLens, run the comparison and
 * check what the panel received (the seed's four outcomes), then the same by clicking the CodeLens in
 * the browser and reading the verdicts inside the webview; a runner crash mid-run and recovery.
 */
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it, before } from 'mocha';
import * as vscode from 'vscode';
import { COMMANDS, LANGUAGE_ID } from '../../../extension/protocol/commands';
import type { PerturbationLabApi } from '../../../extension/host/ctx';
import { HarnessEnv } from '../harnessEnv';
import { browserCheck } from './browser';
import { compareToEnd, labApi, recordRun, waitForCodeLenses } from './panelMessages';

const SEED_VERDICTS = {
  gpt2: 'causal',
  'bert-causal': 'nondeterministic',
  'bert-causal-eval': 'causal',
  bert: 'bidirectional',
};

/**
 * Resolves once the editor groups satisfy `match` (checked now and at every tab or group change): the extension
 * host hears of a new tab after the workbench has made it, which on a loaded machine can be after a run ends.
 */
function tabGroupsWhen(match: (groups: readonly vscode.TabGroup[]) => boolean, ms = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const subscriptions = [
      vscode.window.tabGroups.onDidChangeTabs(() => check()),
      vscode.window.tabGroups.onDidChangeTabGroups(() => check()),
    ];
    const done = () => {
      subscriptions.forEach((s) => s.dispose());
      clearTimeout(timer);
    };
    const check = () => {
      if (!match(vscode.window.tabGroups.all)) return;
      done();
      resolve();
    };
    const timer = setTimeout(() => {
      done();
      const seen = vscode.window.tabGroups.all.map((g) => `${g.viewColumn}: ${g.tabs.map((t) => t.label).join(', ')}`);
      reject(new Error(`the editor groups never matched; they are ${seen.join(' | ')}`));
    }, ms);
    check();
  });
}

describe('Perturbation Lab in VS Code', function () {
  this.timeout(300_000);
  let api: PerturbationLabApi;
  let seed: vscode.Uri;

  before(async () => {
    api = await labApi();
    seed = vscode.Uri.file(join(process.env[HarnessEnv.workspace]!, 'encoder-vs-decoder.prompt'));
  });

  it('gives .prompt files our language and shows the CodeLens with token counts', async () => {
    const document = await vscode.workspace.openTextDocument(seed);
    await vscode.window.showTextDocument(document, vscode.ViewColumn.One);
    assert.equal(document.languageId, LANGUAGE_ID);
    const lenses = await waitForCodeLenses(seed, '▶ Compare');
    const titles = lenses.map((l) => l.command?.title);
    assert.ok(titles.includes('▶ Compare all'), titles.join(', '));
    assert.ok(titles.includes('▶ Compare this variant'));
    assert.ok(
      titles.some((t) => t === 'gpt2: 7 tokens · bert: 6 tokens'),
      titles.join(', '),
    );
    const compare = lenses.find((l) => l.command?.title === '▶ Compare')!;
    assert.equal(compare.range.start.line, 19);
  });

  it("the compare command streams the seed's four outcomes into the panel beside the editor", async () => {
    const run = await compareToEnd(api, seed);
    const types = run.messages.map((m) => m.type);
    assert.equal(types[0], 'runStarted');
    assert.ok(types.indexOf('progress') < types.indexOf('result'), 'progress before results');
    assert.deepEqual(Object.fromEntries(run.results.map((r) => [r.model, r.verdict])), SEED_VERDICTS);
    const train = run.results.find((r) => r.model === 'bert-causal')!;
    assert.ok(train.kind === 'measured');
    assert.ok(train.findings.some((f) => f.code === 'train-mode-dropout' && f.fix?.key === 'mode'));
    assert.equal(api.lastReport()?.results.length, 4);
    const panelTab = vscode.window.tabGroups.all
      .flatMap((g) => g.tabs.map((t) => ({ t, column: g.viewColumn })))
      .find(({ t }) => t.label === 'Perturbation Lab');
    assert.ok(panelTab, 'the results panel is open');
    assert.notEqual(panelTab.column, vscode.ViewColumn.One, 'beside the editor');
    assert.ok(api.runnerPid(), 'models live in the runner process');
    assert.notEqual(api.runnerPid(), process.pid);
  });

  it('clicking the CodeLens in the browser runs it, and the webview shows the verdicts', async () => {
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(seed), vscode.ViewColumn.One);
    const run = recordRun(api);
    try {
      await browserCheck('clickCodeLens', { text: '▶ Compare this variant' });
      assert.equal((await run.ended).type, 'runFinished');
      await browserCheck('webviewWaitForText', { selector: '.status, header', text: 'Finished' });
      const verdicts = await browserCheck('webviewTexts', { selector: 'tr[data-model] .badge', atLeast: 4 });
      assert.deepEqual(
        verdicts.map((v) => v.trim()),
        Object.values(SEED_VERDICTS),
      );
      await browserCheck('screenshot', { name: 'seed-in-vscode' });
    } finally {
      run.dispose();
    }
  });

  it('right-clicking the file in the explorer offers "Perturbation Lab: Compare", which runs it', async function () {
    this.timeout(60_000);
    const run = recordRun(api);
    try {
      await browserCheck('explorerContextMenu', {
        file: 'mid-sentence-edit.prompt',
        item: 'Perturbation Lab: Compare',
      });
      assert.equal((await run.ended).type, 'runFinished');
      assert.deepEqual(
        run.results.map((r) => [r.model, r.variantIndex, r.verdict]),
        [
          ['gpt2', 0, 'causal'],
          ['gpt2', 1, 'causal'],
          ['bert', 0, 'bidirectional'],
          ['bert', 1, 'bidirectional'],
        ],
      );
    } finally {
      run.dispose();
    }
  });

  it('with the file already in the second of two columns, the panel opens in the other one: no third column', async () => {
    const panelTabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.label === 'Perturbation Lab');
    await vscode.window.tabGroups.close(panelTabs);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const other = await vscode.workspace.openTextDocument(
      vscode.Uri.file(join(process.env[HarnessEnv.workspace]!, 'mid-sentence-edit.prompt')),
    );
    await vscode.window.showTextDocument(other, vscode.ViewColumn.One);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(seed), vscode.ViewColumn.Two);
    await compareToEnd(api, seed);
    try {
      await tabGroupsWhen((groups) => groups.some((g) => g.tabs.some((t) => t.label === 'Perturbation Lab')));
      assert.equal(vscode.window.tabGroups.all.length, 2, 'two groups, as before the run');
      const panelGroup = vscode.window.tabGroups.all.find((g) => g.tabs.some((t) => t.label === 'Perturbation Lab'));
      assert.equal(panelGroup?.viewColumn, vscode.ViewColumn.One, 'beside the file, in the group that was there');
    } finally {
      // Whatever happened, the next tests start from one group (a failure here must not fail them too).
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await vscode.commands.executeCommand('workbench.action.joinAllGroups');
    }
  });

  it('a panel hidden during a run shows the whole run when it is shown again', async () => {
    let hid: PromiseLike<unknown> | null = null;
    const run = recordRun(api, (m) => {
      // Cover the panel with an editor in its column: its page is discarded until it is shown again.
      if (m.type === 'result' && !hid)
        hid = vscode.workspace
          .openTextDocument({ content: 'covering the panel' })
          .then((d) => vscode.window.showTextDocument(d, { viewColumn: vscode.ViewColumn.Two, preserveFocus: false }));
    });
    try {
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(seed), vscode.ViewColumn.One);
      await vscode.commands.executeCommand(COMMANDS.compare, seed);
      assert.equal((await run.ended).type, 'runFinished');
      await hid;
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
      const verdicts = await browserCheck('webviewTexts', { selector: 'tr[data-model] .badge', atLeast: 4 });
      assert.deepEqual(
        verdicts.map((v) => v.trim()),
        Object.values(SEED_VERDICTS),
      );
    } finally {
      run.dispose();
    }
  });

  it('a runner crash mid-run is reported in the panel, and the next run works', async () => {
    let crashed = false;
    const run = recordRun(api, (m) => {
      if (m.type === 'result' && !crashed) {
        crashed = true;
        assert.ok(api.killRunnerForTest, 'the test hook exists in ExtensionMode.Test');
        api.killRunnerForTest();
      }
    });
    try {
      const firstPid = api.runnerPid();
      void vscode.commands.executeCommand(COMMANDS.compare, seed);
      const end = await run.ended;
      assert.equal(end.type, 'runFailed');
      assert.equal(end.type === 'runFailed' && end.kind, 'runner-crashed');
      assert.match(end.type === 'runFailed' ? end.message : '', /runner process was killed by SIGKILL/);
      await new Promise<void>((resolve) => setImmediate(resolve));
      const again = await compareToEnd(api, seed);
      assert.equal(again.results.length, 4);
      assert.notEqual(api.runnerPid(), firstPid, 'a new runner');
      const verdicts = await browserCheck('webviewTexts', { selector: 'tr[data-model] .badge', atLeast: 4 });
      assert.deepEqual(
        verdicts.map((v) => v.trim()),
        Object.values(SEED_VERDICTS),
        'the panel shows the new run',
      );
    } finally {
      run.dispose();
    }
  });
});
