/**
 * The editor knows `patch:` and `patch_target:` (over a real LSP connection): completion of their values, hover
 * with their meaning, a wrong value refused with the right ones offered, and patching in train mode with dropout
 * refused where it is written, with `mode: eval` as the preferred quick fix (the file is clean after it).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DiagnosticSeverity, type CompletionItem, type Diagnostic, type MarkupContent } from 'vscode-languageserver';
import { promptFile, tempDir } from './fixtures';
import { applyAction } from './edits';
import { LspTestClient } from './lspClient';

const labels = (items: CompletionItem[]) => items.map((i) => i.label);
const messageOf = (d: Diagnostic) => (typeof d.message === 'string' ? d.message : d.message.value);
const BODY = '---\nThe cat sat\n~ The dog sat\n';

describe('patch: and patch_target: in the editor', () => {
  let client: LspTestClient;
  let dir: string;
  let count = 0;
  before(async () => {
    dir = tempDir();
    client = await LspTestClient.start({ initializationOptions: { cacheDir: tempDir(), trusted: true } });
  });
  after(() => client.kill());

  async function open(front: string) {
    const text = `---\n${front}${BODY}`;
    const uri = promptFile(dir, `patch-${++count}.prompt`, text);
    await client.open(uri, text, 1);
    const { diagnostics } = await client.diagnosticsFor(uri, 1);
    return { uri, text, diagnostics };
  }

  test('values completed, meaning on hover, a clean file when right', async () => {
    const { uri, diagnostics } = await open(
      'models:\n  - name: g\n    config: gpt2\n    mode: eval\n    patch: \npatch_target: -2\n',
    );
    assert.deepEqual(
      diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error).map(messageOf),
      ['`patch` has no value; write `residual`, `heads` or `cross_heads`'],
      'only the value being typed is missing',
    );
    assert.deepEqual(labels(await client.completion(uri, { line: 5, character: 11 })), [
      'residual',
      'heads',
      'cross_heads',
    ]);
    const hover = await client.hover(uri, { line: 5, character: 6 });
    const text = (hover?.contents as MarkupContent).value;
    assert.match(text, /^\*\*patch\*\* · run setting — here in an entry: this model only/);
    assert.match(text, /Activation patching after each comparison: `residual`/);
    assert.match(text, /Allowed: `residual`, `heads` or `cross_heads`/);
    const target = (await client.hover(uri, { line: 6, character: 3 }))?.contents as MarkupContent;
    assert.match(target.value, /^\*\*patch_target\*\* · run setting — here at the top/);
    assert.match(target.value, /counted from 0 in the model's own tokens/);
    assert.match(target.value, /Default: `-1`/);
  });

  test('a wrong value: the right ones offered', async () => {
    const { diagnostics } = await open('models:\n  - name: g\n    config: gpt2\nmode: eval\npatch: everything\n');
    const d = diagnostics.find((x) => x.code === 'bad-value');
    assert.ok(d, JSON.stringify(diagnostics));
    assert.match(messageOf(d), /`patch` must be `residual`, `heads` or `cross_heads`/);
    assert.deepEqual(d.range.start, { line: 5, character: 7 });
    const bad = await open('models:\n  - name: g\n    config: gpt2\nmode: eval\npatch: residual\npatch_target: last\n');
    assert.match(
      messageOf(bad.diagnostics.find((x) => x.code === 'bad-value')!),
      /`patch_target` must be a whole number/,
    );
  });

  test('train mode with dropout: refused at `mode: train`, and `mode: eval` fixes it', async () => {
    const { uri, text, diagnostics } = await open(
      'models:\n  - name: g\n    config: gpt2\n    mode: train\n    patch: residual\n',
    );
    const d = diagnostics.find((x) => x.code === 'patching-needs-eval');
    assert.ok(d, JSON.stringify(diagnostics));
    assert.match(
      messageOf(d),
      /needs deterministic runs, but this model is in train mode with dropout \(.*resid_pdrop 0\.1.*\)/,
    );
    assert.deepEqual(d.range, { start: { line: 4, character: 10 }, end: { line: 4, character: 15 } });
    const actions = await client.codeActions(uri, d.range, { diagnostics: [d] });
    assert.equal(actions[0]?.title, 'Set `mode: eval`');
    assert.equal(actions[0]?.isPreferred, true);
    const fixed = applyAction(text, uri, actions[0]);
    await client.replace(uri, 2, fixed);
    const after = await client.diagnosticsFor(uri, 2);
    assert.deepEqual(
      after.diagnostics.filter((x) => x.severity === DiagnosticSeverity.Error),
      [],
    );
    // Without `mode:` in the entry (train by default from a config), the problem stands at its `patch:`.
    const implicit = await open('models:\n  - name: g\n    config: gpt2\npatch: heads\n');
    assert.ok(implicit.diagnostics.some((x) => x.code === 'patching-needs-eval'));
  });

  test('cross_heads on a model without cross-attention: refused at its own value; from the top, left out with a warning', async () => {
    const { diagnostics } = await open(
      'models:\n  - name: g\n    config: gpt2\n    mode: eval\n    patch: cross_heads\n',
    );
    const d = diagnostics.find((x) => x.code === 'patching-not-supported');
    assert.ok(d, JSON.stringify(diagnostics));
    assert.match(
      messageOf(d),
      /`patch: cross_heads` patches cross-attention heads, but GPT-2 has no cross-attention .*: use `patch: heads`/,
    );
    assert.deepEqual(d.range, { start: { line: 5, character: 11 }, end: { line: 5, character: 22 } });
    // At the top it asks every model: GPT-2 is left out (said at its entry), nothing is an error.
    // (In train mode, as `config:` models are by default: it is not patched, so its dropout does not matter.)
    const top = await open('models:\n  - name: g\n    config: gpt2\npatch: cross_heads\n');
    assert.deepEqual(
      top.diagnostics.filter((x) => x.severity === DiagnosticSeverity.Error),
      [],
    );
    const skipped = top.diagnostics.find((x) => x.code === 'patching-not-applicable');
    assert.ok(skipped, JSON.stringify(top.diagnostics));
    assert.equal(skipped.severity, DiagnosticSeverity.Warning);
    assert.match(
      messageOf(skipped),
      /^g is not patched: GPT-2 has no cross-attention .*, so `cross_heads` at the top of the file leaves it out/,
    );
    assert.equal(skipped.range.start.line, 2);
  });
});
