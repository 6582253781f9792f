/**
 * The harness itself: a real VS Code API, the workspace copy of examples/ open and trusted, the
 * extension under development loaded and active, and Playwright checks on the same page — the
 * explorer in the browser and a webview's content two iframes deep.
 */
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'mocha';
import * as vscode from 'vscode';
import { HarnessEnv } from '../harnessEnv';
import { browserCheck } from './browser';

describe('smoke: a real VS Code extension host', () => {
  it('has the VS Code API', () => {
    assert.match(vscode.version, /^1\.\d+\.\d+$/);
  });

  it('opened a trusted copy of examples/ as the workspace, and finds its prompt files', async () => {
    const folders = vscode.workspace.workspaceFolders ?? [];
    assert.deepEqual(
      folders.map((f) => f.uri.fsPath),
      [process.env[HarnessEnv.workspace]],
    );
    assert.equal(vscode.workspace.isTrusted, true);
    // File search runs ripgrep in the server: this also proves the offline @vscode/ripgrep install.
    const prompts = await vscode.workspace.findFiles('**/*.prompt');
    assert.ok(
      prompts.some((uri) => uri.path.endsWith('/encoder-vs-decoder.prompt')),
      `found ${prompts.map((u) => u.path).join(', ')}`,
    );
  });

  it('loaded the extension under development and activates it', async () => {
    const name = process.env[HarnessEnv.extensionName];
    const extension = vscode.extensions.all.find((e) => e.packageJSON?.name === name);
    assert.ok(
      extension,
      `extension ${name} is not loaded; loaded: ${vscode.extensions.all
        .map((e) => e.id)
        .filter((id) => !id.startsWith('vscode.'))
        .join(', ')}`,
    );
    await extension.activate();
    assert.equal(extension.isActive, true);
  });

  it('the browser shows the workspace (a Playwright check on the same page)', async () => {
    assert.equal(await browserCheck('explorerShows', { name: 'encoder-vs-decoder.prompt' }), true);
  });

  it('reads a webview panel two iframes deep, and screenshots it', async () => {
    const marker = `e2e-marker-${Date.now()}`;
    // The check reads the first webview on the page: no other suite's panel may be showing.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const panel = vscode.window.createWebviewPanel('e2eSmoke', 'E2E smoke', vscode.ViewColumn.Beside, {});
    try {
      panel.webview.html = `<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none';"></head><body><h1 id="marker">${marker}</h1></body></html>`;
      assert.equal(await browserCheck('webviewText', { selector: '#marker' }), marker);
      const png = await browserCheck('screenshot', { name: 'smoke-webview' });
      assert.ok(existsSync(png), png);
    } finally {
      panel.dispose();
    }
  });
});
