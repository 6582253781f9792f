/**
 * Quick fixes and rewrites over a real LSP connection: each fix is asked for with the diagnostic the server
 * published, its edit is applied to the text as a client would, and the server checks the result again —
 * it must come back clean. Then the host's requests: the edit behind the panel's FIX, and where an entry is.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DiagnosticSeverity, type CodeAction, type Diagnostic } from 'vscode-languageserver';
import { ModelEntryRequest, SetModelKeyRequest, type SetModelKeyResult } from '../../extension/protocol/lsp';
import { SEED_TEXT, messageOf, promptFile, range, seedUri, tempDir } from './fixtures';
import { applyAction, applyEdit } from './edits';
import { LspTestClient } from './lspClient';

const BODY = '---\nThe cat sat\n~ The dog sat\n';
const GPT2 = 'models:\n  - name: g\n    config: gpt2\n';
const BERT = 'models:\n  - name: b\n    config: bert-base-uncased\n';

describe('code actions', () => {
  let client: LspTestClient;
  let dir: string;
  let fileCount = 0;
  before(async () => {
    dir = tempDir();
    // Trusted, as most workspaces are: the server then reads `config:` paths and can tell `gtp2` is no file.
    client = await LspTestClient.start({ initializationOptions: { cacheDir: tempDir(), trusted: true } });
  });
  after(() => client.kill());

  /** Opens `text`, asks for the fixes of its one diagnostic with `code`, returns them with what they apply to. */
  async function fixesOf(
    front: string,
    code: string,
  ): Promise<{ uri: string; text: string; d: Diagnostic; actions: CodeAction[] }> {
    const text = `---\n${front}${BODY}`;
    const uri = promptFile(dir, `fix-${++fileCount}.prompt`, text);
    const published = client.unlessExited(
      client.diagnostics.next((p) => p.uri === uri && p.diagnostics.some((x) => x.code === code)),
    );
    await client.open(uri, text, 1);
    // A problem with a file a model names (`config: gtp2`) comes in the second publish, once the file is looked at.
    const { diagnostics } = await published;
    const d = diagnostics.find((x) => x.code === code);
    assert.ok(d, `no ${code} among ${JSON.stringify(diagnostics)}`);
    const actions = await client.codeActions(uri, d.range, { diagnostics: [d] });
    for (const action of actions) {
      assert.equal(action.kind, 'quickfix');
      assert.deepEqual(action.diagnostics, [d], 'each fix names the diagnostic it fixes');
    }
    return { uri, text, d, actions };
  }

  /** The text after the action, checked again by the server: no error left. */
  async function applyAndRecheck(uri: string, text: string, action: CodeAction | undefined): Promise<string> {
    const fixed = applyAction(text, uri, action);
    await client.replace(uri, 2, fixed);
    const { diagnostics } = await client.diagnosticsFor(uri, 2);
    assert.deepEqual(
      diagnostics.filter((x) => x.severity === DiagnosticSeverity.Error),
      [],
      `after "${action?.title}":\n${fixed}`,
    );
    return fixed;
  }

  const titles = (actions: CodeAction[]) => actions.map((a) => `${a.isPreferred ? '* ' : ''}${a.title}`);

  test('a misspelt top-level key: replaced by the key it is close to (preferred)', async () => {
    const { uri, text, actions } = await fixesOf(`${GPT2}sed: 3   # the seed\n`, 'unknown-key');
    assert.deepEqual(titles(actions), ['* Change `sed` to `seed`']);
    const fixed = await applyAndRecheck(uri, text, actions[0]);
    assert.match(fixed, /\nseed: 3   # the seed\n/, 'value and comment kept');
  });

  test("a key of the other family (`n_layer` on BERT) becomes BERT's name for it", async () => {
    const { uri, text, actions } = await fixesOf(`${BERT}    n_layer: 2\n`, 'unknown-key');
    assert.deepEqual(titles(actions), ['* Change `n_layer` to `num_hidden_layers`']);
    assert.match(await applyAndRecheck(uri, text, actions[0]), /\n {4}num_hidden_layers: 2\n/);
  });

  test('a misspelt preset: the close one preferred, the others offered', async () => {
    const { uri, text, actions } = await fixesOf('models:\n  - name: g\n    config: gtp2\n', 'unknown-preset');
    assert.deepEqual(titles(actions), [
      '* Set `config: gpt2`',
      'Set `config: bert-base-uncased`',
      ...[
        'TinyLlama/TinyLlama-1.1B-Chat-v1.0',
        'Qwen/Qwen2.5-0.5B',
        'facebook/bart-base',
        'Helsinki-NLP/opus-mt-en-de',
      ].map((p) => `Set \`config: ${p}\``),
    ]);
    assert.match(await applyAndRecheck(uri, text, actions[0]), /\n {4}config: gpt2\n/);
  });

  test('a wrong enum value, quoted, with a comment after it', async () => {
    const { uri, text, actions } = await fixesOf(`${GPT2}mode: "evl"   # judge structure\n`, 'bad-value');
    assert.deepEqual(titles(actions), ['* Set `mode: eval`', 'Set `mode: train`']);
    assert.match(await applyAndRecheck(uri, text, actions[0]), /\nmode: eval {3}# judge structure\n/);
  });

  test('a YAML 1.1 boolean becomes a YAML 1.2 one', async () => {
    const { uri, text, actions } = await fixesOf(`${BERT}    is_decoder: yes\n`, 'bad-value');
    assert.deepEqual(titles(actions), ['* Set `is_decoder: true`', 'Set `is_decoder: false`']);
    assert.match(await applyAndRecheck(uri, text, actions[0]), /\n {4}is_decoder: true\n/);
  });

  test('an empty value gets one: no choice preferred, since nothing was written', async () => {
    const { uri, text, d, actions } = await fixesOf(`${GPT2}    dropout:\n`, 'bad-value');
    assert.match(messageOf(d), /^`dropout` has no value; write `independent` or `paired`/);
    assert.deepEqual(titles(actions), ['Set `dropout: independent`', 'Set `dropout: paired`']);
    assert.match(await applyAndRecheck(uri, text, actions[1]), /\n {4}dropout: paired\n/);
  });

  test('an activation the builder does not implement is no "did you mean"; a misspelt one is', async () => {
    const { uri, text, actions } = await fixesOf(`${BERT}    hidden_act: gelux\n`, 'bad-value');
    assert.deepEqual(titles(actions), ['* Set `hidden_act: gelu`']);
    await applyAndRecheck(uri, text, actions[0]);
  });

  test('`is_decoder` on GPT-2 (always causal): remove the line', async () => {
    const { uri, text, actions } = await fixesOf(
      `${GPT2}    is_decoder: true   # no\n    mode: eval\n`,
      'not-this-architecture',
    );
    assert.deepEqual(titles(actions), ['* Remove `is_decoder`']);
    assert.match(await applyAndRecheck(uri, text, actions[0]), /config: gpt2\n {4}mode: eval\n/);
  });

  test('a misspelt key of a case', async () => {
    const { uri, text, actions } = await fixesOf(`${GPT2}cases:\n  - bse: a\n    variants: [b]\n`, 'unknown-key');
    assert.deepEqual(titles(actions), ['* Change `bse` to `base`']);
    await applyAndRecheck(uri, text, actions[0]);
  });

  test('on a model entry: eval mode for a train-mode model, the causal mask for a bidirectional BERT (rewrites, not fixes)', async () => {
    const uri = seedUri(dir);
    await client.open(uri, SEED_TEXT, 1);
    const at = (line: number) => range(line, 6, line, 6);
    const onBertCausal = await client.codeActions(uri, at(6), { diagnostics: [] });
    assert.deepEqual(
      onBertCausal.map((a) => [a.kind, a.title]),
      [['refactor.rewrite', 'Run bert-causal in eval mode (dropout off): `mode: eval`']],
    );
    const evalText = applyAction(SEED_TEXT, uri, onBertCausal[0]);
    assert.match(
      evalText,
      /is_decoder: true {11}# what the seed did; from_config leaves train mode\n {4}mode: eval\n {2}- name: bert-causal-eval/,
    );

    const onBert = await client.codeActions(uri, at(13), { diagnostics: [] });
    assert.deepEqual(
      onBert.map((a) => a.title),
      ["Make bert causal (a decoder's mask): `is_decoder: true`"],
    );
    assert.match(
      applyAction(SEED_TEXT, uri, onBert[0]),
      /- name: bert\n {4}config: bert-base-uncased\n {4}mode: eval\n {4}is_decoder: true\nseed: 0/,
    );
    assert.deepEqual(
      await client.codeActions(uri, at(3), { diagnostics: [] }),
      [],
      'GPT-2 in eval mode: nothing to offer',
    );
    assert.deepEqual(
      await client.codeActions(uri, at(13), { diagnostics: [], only: ['quickfix'] }),
      [],
      '`only` is honoured',
    );
    const finding: Diagnostic = { range: at(13), message: 'bidirectional', source: 'perturbation-lab (last run)' };
    assert.deepEqual(
      await client.codeActions(uri, at(13), { diagnostics: [finding] }),
      [],
      "a run's finding already offers it",
    );
  });

  test("the edit behind the panel's FIX: insert, replace, top level when it speaks for this model alone, flow maps", async () => {
    const setKey = (
      uri: string,
      model: string,
      key: string,
      value: string | boolean | number,
    ): Promise<SetModelKeyResult> =>
      client.connection.sendRequest(SetModelKeyRequest.type, { textDocument: { uri }, model, key, value });
    const uri = seedUri(dir);
    await client.open(uri, SEED_TEXT, 1);
    const inserted = await setKey(uri, 'bert-causal', 'mode', 'eval');
    assert.ok('edit' in inserted);
    assert.deepEqual(
      inserted.edit.documentChanges?.[0] &&
        'textDocument' in inserted.edit.documentChanges[0] &&
        inserted.edit.documentChanges[0].textDocument,
      { uri, version: 1 },
      'versioned',
    );
    assert.match(
      applyEdit(SEED_TEXT, uri, inserted.edit),
      /# what the seed did; from_config leaves train mode\n {4}mode: eval\n/,
    );
    const replaced = await setKey(uri, 'gpt2', 'mode', 'train');
    assert.ok('edit' in replaced);
    assert.match(applyEdit(SEED_TEXT, uri, replaced.edit), /\n {4}mode: train +# the seed's GPT-2/);
    const same = await setKey(uri, 'gpt2', 'mode', 'eval');
    assert.ok('edit' in same);
    assert.equal(applyEdit(SEED_TEXT, uri, same.edit), SEED_TEXT, 'already so: no change');
    assert.deepEqual(await setKey(uri, 'gpt3', 'mode', 'eval'), {
      error: 'the file has no model named gpt3 (any more)',
    });

    const one = `---\n${BERT}mode: train\natol: 1e-3\n${BODY}`;
    const oneUri = promptFile(dir, 'one-model.prompt', one);
    await client.open(oneUri, one, 1);
    const top = await setKey(oneUri, 'b', 'mode', 'eval');
    assert.ok('edit' in top);
    assert.match(
      applyEdit(one, oneUri, top.edit),
      /\nmode: eval\natol/,
      'the top-level default speaks for this model alone',
    );

    // An entry that ends in a nested block map, with a comment line after it: the key goes after the map.
    const nested = `---\n${BERT}    task_specific_params:\n      foo: 1\n    # the end\n  - name: c\n    config: gpt2\n${BODY}`;
    const nestedUri = promptFile(dir, 'nested.prompt', nested);
    await client.open(nestedUri, nested, 1);
    const afterMap = await setKey(nestedUri, 'b', 'is_decoder', true);
    assert.ok('edit' in afterMap);
    const afterMapText = applyEdit(nested, nestedUri, afterMap.edit);
    assert.match(afterMapText, /\n {6}foo: 1\n {4}is_decoder: true\n {4}# the end\n {2}- name: c\n/);
    await client.replace(nestedUri, 2, afterMapText);
    assert.deepEqual((await client.diagnosticsFor(nestedUri, 2)).diagnostics, []);

    const two = `---\nmodels:\n  - name: a\n    config: gpt2\n  - {name: b, config: bert-base-uncased}\nmode: train\n${BODY}`;
    const twoUri = promptFile(dir, 'two-models.prompt', two);
    await client.open(twoUri, two, 1);
    const flow = await setKey(twoUri, 'b', 'mode', 'eval');
    assert.ok('edit' in flow);
    const flowText = applyEdit(two, twoUri, flow.edit);
    assert.match(flowText, /- \{name: b, config: bert-base-uncased, mode: eval\}\nmode: train\n/, 'a gets train still');
    await client.replace(twoUri, 2, flowText);
    assert.deepEqual((await client.diagnosticsFor(twoUri, 2)).diagnostics, []);
  });

  test('where a model\'s entry is (the panel\'s "Show in the .prompt file")', async () => {
    const uri = seedUri(dir);
    await client.open(uri, SEED_TEXT, 1);
    const place = await client.connection.sendRequest(ModelEntryRequest.type, { textDocument: { uri }, model: 'bert' });
    assert.deepEqual(place, { range: range(12, 4, 14, 14), nameRange: range(12, 10, 12, 14) });
    assert.equal(
      await client.connection.sendRequest(ModelEntryRequest.type, { textDocument: { uri }, model: 'nope' }),
      null,
    );
  });

  test('no errors logged', () => {
    assert.deepEqual(client.errorLogs(), []);
  });
});
