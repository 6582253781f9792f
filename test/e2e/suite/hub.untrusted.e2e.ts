/**
 * `from:` in Restricted Mode (an untrusted workspace): the model comes only from the Hugging Face cache, no
 * download starts (the loopback Hub this suite starts sees no request), and the panel says why and what to do.
 */
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import { COMMANDS } from '../../../extension/protocol/commands';
import { HubServer, repoOf } from '../../helpers/hubServer';
import { tinyRepoFiles } from '../../helpers/tinyTokenizers';
import { HarnessEnv } from '../harnessEnv';
import { browserCheck } from './browser';
import { labApi, recordRun } from './panelMessages';

describe('Models from the Hub in an untrusted workspace', function () {
  this.timeout(120_000);
  let server: HubServer;
  const config = () => vscode.workspace.getConfiguration('perturbationLab');

  before(async () => {
    server = await HubServer.start([
      repoOf('gpt2', tinyRepoFiles('gpt2')),
      repoOf('bert-base-uncased', tinyRepoFiles('bert')),
    ]);
    await config().update('hub.endpoint', server.endpoint, vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    await config().update('hub.endpoint', undefined, vscode.ConfigurationTarget.Global);
    await server.close();
  });

  it('runs from: only from the cache: nothing is downloaded, and the panel says to trust the workspace', async () => {
    assert.equal(vscode.workspace.isTrusted, false);
    const api = await labApi();
    const uri = vscode.Uri.file(join(process.env[HarnessEnv.workspace]!, 'pretrained.prompt'));
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), vscode.ViewColumn.One);
    const run = recordRun(api);
    try {
      await vscode.commands.executeCommand(COMMANDS.compare, uri);
      const end = await run.ended;
      assert.equal(end.type === 'runFailed' && end.kind, 'input', JSON.stringify(end));
      const details = end.type === 'runFailed' ? (end.details ?? []).join('\n') : '';
      assert.match(details, /pretrained\.prompt:7:11: error: `gpt2` is not in the Hugging Face cache/);
      assert.match(
        details,
        /this workspace is in Restricted Mode, so models come only from the cache: trust the workspace to download it/,
      );
      assert.equal(server.requests.length, 0, 'no request from an untrusted workspace');
      await browserCheck('webviewWaitForText', { selector: 'body', text: 'Restricted Mode' });
    } finally {
      run.dispose();
    }
  });
});
