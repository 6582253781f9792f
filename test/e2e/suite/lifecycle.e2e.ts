/**
 * The runner's hard cases in a real VS Code: a runner killed (SIGKILL) while it builds a model, and a
 * runner that stops answering (SIGSTOP, as a blocked event loop leaves it) when the user cancels. Each
 * time the panel is told why the run failed, and the next run works.
 */
import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, before } from 'mocha';
import * as vscode from 'vscode';
import { COMMANDS } from '../../../extension/protocol/commands';
import type { PerturbationLabApi } from '../../../extension/host/ctx';
import { HarnessEnv } from '../harnessEnv';
import { labApi, recordRun } from './panelMessages';

describe('The runner when it dies or hangs', function () {
  this.timeout(300_000);
  let api: PerturbationLabApi;
  let workspace: string;

  before(async () => {
    api = await labApi();
    workspace = process.env[HarnessEnv.workspace]!;
  });

  it('a runner killed while it builds a model: the panel says so, and the next run builds it and finishes', async () => {
    // A model no earlier test built (its own seed), big enough that its weights take a moment.
    const file = join(workspace, `fresh-build-${Date.now()}.prompt`);
    writeFileSync(
      file,
      `---\nmodels:\n  - name: fresh\n    config: gpt2\n    n_layer: 2\n    n_embd: 384\n    n_head: 6\n    seed: ${Date.now() % 100000}\nmode: eval\n---\nthe cat sat\n~ the dog sat\n`,
    );
    const uri = vscode.Uri.file(file);
    let killed = false;
    const run = recordRun(api, (m) => {
      if (m.type === 'progress' && m.stage === 'building' && /random parameters/.test(m.message) && !killed) {
        killed = true;
        api.killRunnerForTest!();
      }
    });
    try {
      void vscode.commands.executeCommand(COMMANDS.compare, uri);
      const end = await run.ended;
      assert.ok(killed, 'killed during the build');
      assert.equal(end.type, 'runFailed', JSON.stringify(end));
      assert.equal(end.type === 'runFailed' && end.kind, 'runner-crashed');
      assert.match(end.type === 'runFailed' ? end.message : '', /runner process was killed by SIGKILL/);
    } finally {
      run.dispose();
    }
    const again = recordRun(api);
    try {
      await vscode.commands.executeCommand(COMMANDS.compare, uri);
      const end = await again.ended;
      assert.equal(end.type, 'runFinished', JSON.stringify(end));
      assert.deepEqual(
        again.results.map((r) => r.verdict),
        ['causal'],
      );
    } finally {
      again.dispose();
    }
  });

  it('a runner that stops answering is stopped when a cancel gets no answer; the panel says why; the next run works', async () => {
    // A model no earlier test built, so the runner is surely busy (building) when it is stopped.
    const file = join(workspace, `stuck-build-${Date.now()}.prompt`);
    writeFileSync(
      file,
      `---\nmodels:\n  - name: stuck\n    config: gpt2\n    n_layer: 2\n    n_embd: 384\n    n_head: 6\n    seed: ${(Date.now() % 100000) + 1}\nmode: eval\n---\nthe cat sat\n~ the dog sat\n`,
    );
    const uri = vscode.Uri.file(file);
    let stopped = 0;
    const run = recordRun(api, (m) => {
      // The runner has the request once it reports progress; stopped then, it can answer nothing.
      if (m.type === 'progress' && m.stage === 'building' && !stopped) {
        stopped = api.runnerPid()!;
        process.kill(stopped, 'SIGSTOP');
        void vscode.commands.executeCommand(COMMANDS.cancel);
      }
    });
    try {
      void vscode.commands.executeCommand(COMMANDS.compare, uri);
      const end = await run.ended;
      assert.ok(stopped, 'the runner was stopped mid-run');
      assert.equal(end.type, 'runFailed', JSON.stringify(end));
      assert.equal(end.type === 'runFailed' && end.kind, 'runner-crashed');
      assert.match(end.type === 'runFailed' ? end.message : '', /did not answer the cancel within 2 s/);
    } finally {
      run.dispose();
    }
    const again = recordRun(api);
    try {
      await vscode.commands.executeCommand(COMMANDS.compare, uri);
      assert.equal((await again.ended).type, 'runFinished');
      assert.deepEqual(
        again.results.map((r) => r.verdict),
        ['causal'],
      );
      assert.notEqual(api.runnerPid(), stopped, 'a new runner');
    } finally {
      again.dispose();
    }
  });
});
