/**
 * Activation patching in a real VS Code: a `.prompt` file asking for `patch: residual` is compared by the command,
 * the host forwards the runner's grid to the panel as its rows complete, and the webview draws every block of
 * the grid (none left pending) with the target marked, beside the comparison.
 */
import * as assert from 'node:assert/strict';
import { describe, it, before } from 'mocha';
import type { PerturbationLabApi } from '../../../extension/host/ctx';
import type { ToWebview } from '../../../extension/protocol/webview';
import { browserCheck } from './browser';
import { compareToEnd, labApi, openWorkspacePrompt } from './panelMessages';
import { TINY_GPT2_KEYS } from '../../helpers/tinyPrompts';

const PROMPT = `---
models:
  - name: tiny-gpt2
${TINY_GPT2_KEYS}
mode: eval
add_special_tokens: false
patch: residual
---
I want to buy a car
~ I want to buy a dog
`;

describe('Activation patching in the panel', function () {
  this.timeout(300_000);
  let api: PerturbationLabApi;

  before(async () => {
    api = await labApi();
  });

  it('streams the grid into the panel and draws every block', async () => {
    const uri = await openWorkspacePrompt('patching.prompt', PROMPT);
    const run = await compareToEnd(api, uri);
    const grids = run.messages.filter((m): m is Extract<ToWebview, { type: 'patching' }> => m.type === 'patching');
    // The panel got the grid as it grew, the last message whole: one row per block.
    assert.ok(grids.length >= 1, 'the grid reached the panel');
    const last = grids[grids.length - 1].patching;
    assert.deepEqual(
      last.rows.map((r) => r.layer),
      [0, 1],
    );
    const result = api.lastReport()?.results[0];
    assert.ok(result?.kind === 'measured' && result.patching, 'the report carries the grid');
    assert.deepEqual(result.patching, last);
    // The webview draws both blocks, computed (not hatched), and marks the target column.
    const blocks = await browserCheck('webviewTexts', {
      selector: '.patching-grid tbody tr:not(.patch-pending) .patch-layer',
      atLeast: 2,
    });
    assert.deepEqual(blocks, ['block 0', 'block 1']);
    const target = await browserCheck('webviewText', { selector: '.patching-grid thead .patch-target' });
    assert.equal(target, result.baseTokens[last.target].text);
    // A click on the grid's first row heading scrolls it into view for the picture (the heading does nothing).
    await browserCheck('webviewClick', { selector: '.patching-grid .patch-layer' });
    await browserCheck('screenshot', { name: 'patching' });
  });
});
