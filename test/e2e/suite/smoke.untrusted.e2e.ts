/** The untrusted run: code-server started without --disable-workspace-trust really is in Restricted Mode. */
import * as assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import * as vscode from 'vscode';
import { HarnessEnv } from '../harnessEnv';

describe('smoke: an untrusted workspace', () => {
  it('runs in Restricted Mode', () => {
    assert.deepEqual(
      (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath),
      [process.env[HarnessEnv.workspace]],
    );
    assert.equal(vscode.workspace.isTrusted, false);
  });

  it('still loads the extension under development (it declares untrusted-workspace support)', async () => {
    const name = process.env[HarnessEnv.extensionName];
    const extension = vscode.extensions.all.find((e) => e.packageJSON?.name === name);
    assert.ok(
      extension,
      `extension ${name} is not loaded in the untrusted workspace (capabilities.untrustedWorkspaces?)`,
    );
    await extension.activate();
    assert.equal(extension.isActive, true);
  });
});
