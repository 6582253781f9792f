/**
 * Workspace trust: in Restricted Mode the extension loads no model from a workspace path (a config.json
 * or weights in the workspace) and says why in the panel; preset models with random weights still run.
 */
import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'mocha';
import * as vscode from 'vscode';
import { COMMANDS } from '../../../extension/protocol/commands';
import { HarnessEnv } from '../harnessEnv';
import { labApi, recordRun } from './panelMessages';

const TINY = `    hidden_size: 32
    num_hidden_layers: 2
    num_attention_heads: 4
    intermediate_size: 37
`;

describe('Perturbation Lab in an untrusted workspace', function () {
  this.timeout(120_000);

  it('refuses a model from a workspace path and says why', async () => {
    assert.equal(vscode.workspace.isTrusted, false);
    const ws = process.env[HarnessEnv.workspace]!;
    writeFileSync(
      join(ws, 'config.json'),
      JSON.stringify({
        model_type: 'bert',
        vocab_size: 30522,
        hidden_size: 32,
        num_hidden_layers: 2,
        num_attention_heads: 4,
        intermediate_size: 37,
        max_position_embeddings: 64,
        type_vocab_size: 2,
      }),
    );
    const file = join(ws, 'workspace-config.prompt');
    writeFileSync(
      file,
      `---\nmodels:\n  - name: from-workspace\n    config: ./config.json\nmode: eval\n---\nthe cat sat\n~ the dog sat\n`,
    );
    const api = await labApi();
    const run = recordRun(api);
    try {
      await vscode.commands.executeCommand(COMMANDS.compare, vscode.Uri.file(file));
      const end = await run.ended;
      assert.equal(end.type, 'runFailed');
      if (end.type !== 'runFailed') return;
      assert.equal(end.kind, 'untrusted');
      assert.match(end.message, /not trusted/);
      assert.match(end.message, /from-workspace/);
      assert.equal(run.results.length, 0, 'no model ran');
    } finally {
      run.dispose();
    }
  });

  it('still runs preset models with random weights', async () => {
    const file = join(process.env[HarnessEnv.workspace]!, 'preset.prompt');
    writeFileSync(
      file,
      `---\nmodels:\n  - name: tiny\n    config: bert-base-uncased\n${TINY}mode: eval\n---\nthe cat sat\n~ the dog sat\n`,
    );
    const api = await labApi();
    const run = recordRun(api);
    try {
      await vscode.commands.executeCommand(COMMANDS.compare, vscode.Uri.file(file));
      assert.equal((await run.ended).type, 'runFinished');
      assert.equal(run.results[0]?.verdict, 'bidirectional');
    } finally {
      run.dispose();
    }
  });
});
