/**
 * The head view on demand in a real VS Code: after a comparison, a click on a heatmap row in the webview
 * asks the host for that layer's heads, the host has the runner compute them (the session is still open),
 * and the panel draws one row per head with the leak heads of a bidirectional BERT listed.
 */
import * as assert from 'node:assert/strict';
import { describe, it, before } from 'mocha';
import type { PerturbationLabApi } from '../../../extension/host/ctx';
import type { ToWebview } from '../../../extension/protocol/webview';
import { browserCheck } from './browser';
import { compareToEnd, labApi, openWorkspacePrompt } from './panelMessages';

const PROMPT = `---
models:
  - name: tiny-bert
    config: bert-base-uncased
    hidden_size: 32
    num_hidden_layers: 2
    num_attention_heads: 4
    intermediate_size: 37
mode: eval
add_special_tokens: false
---
the cat sat on the mat
~ the cat sat on the rug
`;

describe('Attention heads on demand', function () {
  this.timeout(300_000);
  let api: PerturbationLabApi;

  before(async () => {
    api = await labApi();
  });

  it('a click on a heatmap row brings that layer’s heads into the panel', async () => {
    const uri = await openWorkspacePrompt('heads-on-demand.prompt', PROMPT);
    await compareToEnd(api, uri);
    assert.equal(
      api.lastReport()?.results[0].kind === 'measured' && 'attentionHeads' in api.lastReport()!.results[0],
      false,
    );
    let answered!: (m: Extract<ToWebview, { type: 'heads' }>) => void;
    const answer = new Promise<Extract<ToWebview, { type: 'heads' }>>((resolve) => (answered = resolve));
    const subscription = api.onDidPostToPanel((m) => {
      if (m.type === 'heads') answered(m);
    });
    try {
      // Row 2 is hidden_states[2], written by block 1: its heads.
      await browserCheck('webviewClickHeatmapRow', { row: 2 });
      const heads = await answer;
      assert.equal(heads.layer, 1);
      assert.equal(heads.model, 'tiny-bert');
      assert.ok(heads.heads, heads.message);
      assert.equal(heads.heads.heads, 4);
      assert.ok(heads.heads.leaks[0].weight > 0, 'a bidirectional model attends back to the edit');
      const rows = await browserCheck('webviewTexts', { selector: '.head-row[data-head] .head-label', atLeast: 4 });
      assert.deepEqual(rows, ['head 0', 'head 1', 'head 2', 'head 3']);
      await browserCheck('webviewWaitForText', {
        selector: '.leak-list li',
        text: `head ${heads.heads.leaks[0].head}`,
      });
      await browserCheck('screenshot', { name: 'heads-on-demand' });
    } finally {
      subscription.dispose();
    }
  });
});
