/**
 * The language server over a real LSP connection: the built `dist/server.js` runs as a child
 * process and a JSON-RPC client talks to it over stdio. Diagnostics with exact ranges for broken
 * files (and cleared when fixed), the CodeLens of the seed experiment with its commands and real
 * token counts, document symbols, odd input that must never crash it, and a clean shutdown.
 * (Settings: serverSettings.test.ts; hover and completion: languageFeatures.test.ts.)
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DiagnosticSeverity, SymbolKind, type DocumentSymbol } from 'vscode-languageserver';
import { COMMANDS } from '../../extension/protocol/commands';
import { SEED_TEXT, lineOf, messageOf, promptFile, range, seedUri, tempDir } from './fixtures';
import { LspTestClient } from './lspClient';

const BERT_WITH_N_LAYER =
  '---\nmodels:\n  - name: bert\n    config: bert-base-uncased\n    n_layer: 2\n---\nThe cat sat\n~ The dog sat\n';

describe('a client that supports workspace/configuration', () => {
  let client: LspTestClient;
  let dir: string;
  before(async () => {
    dir = tempDir();
    client = await LspTestClient.start({ initializationOptions: { cacheDir: tempDir() } });
  });
  after(() => client.kill());

  test('initialize announces incremental sync, CodeLens and document symbols', () => {
    const caps = client.initializeResult.capabilities;
    assert.equal(caps.textDocumentSync, 2);
    assert.deepEqual(caps.codeLensProvider, { resolveProvider: false });
    assert.ok(caps.documentSymbolProvider);
  });

  test('an unknown key on a BERT entry: the key, exactly; fixed by an edit → cleared', async () => {
    const uri = promptFile(dir, 'n-layer.prompt', BERT_WITH_N_LAYER);
    await client.open(uri, BERT_WITH_N_LAYER, 1);
    const published = await client.diagnosticsFor(uri, 1);
    assert.equal(published.diagnostics.length, 1);
    const [d] = published.diagnostics;
    assert.deepEqual(d.range, range(4, 4, 4, 11));
    assert.equal(d.severity, DiagnosticSeverity.Error);
    assert.equal(d.code, 'unknown-key');
    assert.equal(d.source, 'perturbation-lab');
    assert.match(messageOf(d), /num_hidden_layers/);

    // The edit the message suggests, sent as an incremental change of just the key.
    await client.edit(uri, 2, range(4, 4, 4, 11), 'num_hidden_layers');
    assert.deepEqual((await client.diagnosticsFor(uri, 2)).diagnostics, []);
  });

  test('a YAML syntax error at its place, then a tab indentation after a full-text change', async () => {
    const text = '---\nmodels:\n  - name: gpt2\n    config: gpt2: x\n---\nA cat\n~ A dog\n';
    const uri = promptFile(dir, 'yaml.prompt', text);
    await client.open(uri, text, 1);
    const [d] = (await client.diagnosticsFor(uri, 1)).diagnostics;
    assert.equal(d.code, 'yaml-syntax');
    assert.deepEqual(d.range, range(3, 12, 3, 13));
    assert.match(messageOf(d), /^YAML: /);

    await client.replace(uri, 2, text.replace('    config: gpt2: x', '\tconfig: gpt2'));
    const [tab] = (await client.diagnosticsFor(uri, 2)).diagnostics;
    assert.deepEqual(tab.range, range(3, 0, 3, 1));
    assert.match(messageOf(tab), /Tabs/);
  });

  test('a variant without a base: the variant text, after `~ `', async () => {
    const text = '---\nmodels:\n  - name: gpt2\n    config: gpt2\n---\n~ The dog sat\n';
    const uri = promptFile(dir, 'orphan.prompt', text);
    await client.open(uri, text, 1);
    const { diagnostics } = await client.diagnosticsFor(uri, 1);
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.range, d.severity]),
      [['variant-without-base', range(5, 2, 5, 13), DiagnosticSeverity.Error]],
    );
  });

  test('no front matter: the first line; warnings keep their severity', async () => {
    const text = 'The cat sat\n~ The dog sat\n';
    const uri = promptFile(dir, 'bare.prompt', text);
    await client.open(uri, text, 1);
    const { diagnostics } = await client.diagnosticsFor(uri, 1);
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.range]),
      [['no-front-matter', range(0, 0, 0, 11)]],
    );

    const fixed = '---\nmodels:\n  - name: gpt2\n    config: gpt2\n---\nThe cat sat\n';
    await client.replace(uri, 2, fixed);
    const warning = (await client.diagnosticsFor(uri, 2)).diagnostics;
    assert.deepEqual(
      warning.map((d) => [d.code, d.range, d.severity]),
      [['no-variant', range(5, 0, 5, 11), DiagnosticSeverity.Warning]],
    );
  });

  test('changes typed in quick succession are checked once, at the last version', async () => {
    const uri = promptFile(dir, 'typing.prompt', BERT_WITH_N_LAYER);
    await client.open(uri, BERT_WITH_N_LAYER, 1);
    await client.diagnosticsFor(uri, 1);
    const before = client.diagnostics.seen.length;
    // Three keystrokes, sent back to back: well inside the debounce window.
    await client.edit(uri, 2, range(4, 4, 4, 11), 'n');
    await client.edit(uri, 3, range(4, 5, 4, 5), 'u');
    await client.edit(uri, 4, range(4, 6, 4, 6), 'm_hidden_layers');
    assert.deepEqual((await client.diagnosticsFor(uri, 4)).diagnostics, []);
    const published = client.diagnostics.seen.slice(before).filter((p) => p.uri === uri);
    assert.deepEqual(
      published.map((p) => p.version),
      [4],
    );
  });

  test('closing a document clears its diagnostics', async () => {
    const uri = promptFile(dir, 'closing.prompt', BERT_WITH_N_LAYER);
    await client.open(uri, BERT_WITH_N_LAYER, 1);
    assert.equal((await client.diagnosticsFor(uri, 1)).diagnostics.length, 1);
    const from = client.diagnostics.seen.length;
    await client.close(uri);
    const cleared = await client.unlessExited(client.diagnostics.next((p) => p.uri === uri, from));
    assert.deepEqual(cleared.diagnostics, []);
  });

  test('CodeLens of the seed experiment: compare all, the case, the variant, token counts by real tokenizers', async () => {
    const uri = seedUri(dir);
    await client.open(uri, SEED_TEXT, 1);
    const lenses = await client.codeLenses(uri);
    const summary = lenses.map((l) => [lineOf(l), l.command?.title, l.command?.command, l.command?.arguments]);
    assert.deepEqual(summary, [
      [0, '▶ Compare all', COMMANDS.compare, [uri]],
      [19, '▶ Compare', COMMANDS.compareCase, [{ uri, caseIndex: 0 }]],
      [20, '▶ Compare this variant', COMMANDS.compareCase, [{ uri, caseIndex: 0, variantIndex: 0 }]],
      [19, 'gpt2: 7 tokens · bert: 6 tokens', '', undefined],
    ]);
    assert.deepEqual(lenses[1].range, range(19, 0, 19, 18));
    assert.deepEqual(lenses[2].range, range(20, 2, 20, 20));
    // The tooltip says which models share each count.
    assert.match(lenses[3].command?.tooltip ?? '', /bert-causal, bert-causal-eval, bert/);
  });

  test('one count per tokenizer: models that tokenize alike share it; a family with and without special tokens is told apart', async () => {
    const text =
      '---\nmodels:\n  - name: a\n    config: bert-base-uncased\n  - name: b\n    config: bert-base-uncased\n    add_special_tokens: false\n' +
      '  - name: c\n    config: gpt2\n---\n<pad> Ich will ein\n~ <pad> Ich will das\n';
    const uri = promptFile(dir, 'special.prompt', text);
    await client.open(uri, text, 1);
    const lenses = await client.codeLenses(uri);
    assert.deepEqual(
      [lineOf(lenses[3]), lenses[3].command?.title],
      [10, 'bert +special: 8 tokens · bert: 6 tokens · gpt2: 7 tokens'],
    );
  });

  test('document symbols of the seed: four models (with ranges) and the case with its variant', async () => {
    const uri = seedUri(dir);
    await client.open(uri, SEED_TEXT, 1);
    const symbols = (await client.symbols(uri)) as DocumentSymbol[];
    assert.deepEqual(
      symbols.map((s) => [s.name, s.kind, s.selectionRange.start.line, s.range.start.line, s.range.end.line]),
      [
        ['gpt2', SymbolKind.Class, 2, 2, 4],
        ['bert-causal', SymbolKind.Class, 5, 5, 7],
        ['bert-causal-eval', SymbolKind.Class, 8, 8, 11],
        ['bert', SymbolKind.Class, 12, 12, 14],
        ['<pad> Ich will ein', SymbolKind.Namespace, 19, 19, 20],
      ],
    );
    assert.deepEqual(symbols[0].selectionRange, range(2, 10, 2, 14));
    const [variant] = symbols[4].children ?? [];
    assert.equal(symbols[4].children?.length, 1);
    assert.equal(variant.name, '<pad> Ich will das');
    assert.deepEqual(variant.range, range(20, 2, 20, 20));
  });

  test('CodeLens and symbols while the front matter is broken: cases from the outline, no counts', async () => {
    const text = '---\nmodels:\n  - name: gpt2\n    config: [gpt2\n---\nA cat\n~ A dog\n~ A cow\n\nTwo\n~ Three\n';
    const uri = promptFile(dir, 'broken.prompt', text);
    await client.open(uri, text, 1);
    const lenses = await client.codeLenses(uri);
    assert.deepEqual(
      lenses.map((l) => [lineOf(l), l.command?.title, l.command?.arguments]),
      [
        [0, '▶ Compare all', [uri]],
        [5, '▶ Compare', [{ uri, caseIndex: 0 }]],
        [6, '▶ Compare this variant', [{ uri, caseIndex: 0, variantIndex: 0 }]],
        [7, '▶ Compare this variant', [{ uri, caseIndex: 0, variantIndex: 1 }]],
        [9, '▶ Compare', [{ uri, caseIndex: 1 }]],
        [10, '▶ Compare this variant', [{ uri, caseIndex: 1, variantIndex: 0 }]],
      ],
    );
    const symbols = (await client.symbols(uri)) as DocumentSymbol[];
    assert.deepEqual(
      symbols.map((s) => [s.name, s.children?.map((c) => c.name)]),
      [
        ['gpt2', undefined],
        ['A cat', ['A dog', 'A cow']],
        ['Two', ['Three']],
      ],
    );
  });

  test('cases written in YAML: lenses at their strings, multi-line names on one line', async () => {
    const text =
      '---\nmodels:\n  - name: gpt2\n    config: gpt2\ncases:\n  - base: |-\n      two\n      lines\n    variants: ["x"]\n---\nA\n~ B\n';
    const uri = promptFile(dir, 'yaml-cases.prompt', text);
    await client.open(uri, text, 1);
    assert.deepEqual((await client.diagnosticsFor(uri, 1)).diagnostics, []);
    const lenses = await client.codeLenses(uri);
    assert.deepEqual(
      lenses.map((l) => [lineOf(l), l.command?.title, l.command?.arguments?.[0]?.caseIndex]),
      [
        [0, '▶ Compare all', undefined],
        [5, '▶ Compare', 0],
        [8, '▶ Compare this variant', 0],
        [10, '▶ Compare', 1],
        [11, '▶ Compare this variant', 1],
        [5, 'gpt2: 3 tokens', undefined],
        [10, 'gpt2: 1 token', undefined],
      ],
    );
    const symbols = (await client.symbols(uri)) as DocumentSymbol[];
    assert.equal(symbols[1].name, 'two ⏎ lines');
  });

  test('settings are asked per document (section `perturbationLab`); configuration changes are registered for', async () => {
    const uri = promptFile(dir, 'asks.prompt', BERT_WITH_N_LAYER);
    await client.open(uri, BERT_WITH_N_LAYER, 1);
    await client.codeLenses(uri);
    const asked = await client.configurationRequests.next((p) => p.items.some((i) => i.scopeUri === uri));
    assert.deepEqual(asked.items, [{ scopeUri: uri, section: 'perturbationLab' }]);
    const registration = await client.registrations.next((r) => r.method === 'workspace/didChangeConfiguration');
    assert.deepEqual(registration.registerOptions, { section: 'perturbationLab' });
  });

  test('odd input never crashes it: every version gets diagnostics, every request an answer', async () => {
    const odd = [
      '',
      '---',
      '---\n---',
      '\uFEFF---\nmodels:\n  - name: gpt2\n    config: gpt2\n---\nx\n~ y',
      '\0\0\0\n~',
      '---\r\nmodels: *nowhere\r\n---\r\n~ \r\n\\',
      '---\nmodels:\n  - name: 1\n    config: {a: [}\ncases: 7\n---\n#\n~\n~ ',
      '---\n- [\n---\n~ a\n\n\n~ b',
      '---\nmodels: [[[[[[[[[[\n---',
      '---\nmodels:\n  - name: gpt2\n    config: gpt2\n    config: gpt2\ncases:\n  - base: 1\n  - base: ""\n    variants: {}\n---\n',
      `---\nmodels:\n  - name: gpt2\n    config: gpt2\n---\n${'x'.repeat(20_000)}\n~ ${'ü'.repeat(1000)}`,
      '~ '.repeat(5000),
    ];
    for (const [i, text] of odd.entries()) {
      const uri = `untitled:odd-${i}`;
      await client.open(uri, text, 1);
      const published = await client.diagnosticsFor(uri, 1);
      assert.ok(Array.isArray(published.diagnostics));
      assert.ok(Array.isArray(await client.codeLenses(uri)), `codeLens of ${JSON.stringify(text.slice(0, 40))}`);
      assert.ok(Array.isArray(await client.symbols(uri)), `symbols of ${JSON.stringify(text.slice(0, 40))}`);
      // Every position of the first lines: key hover, completion, code actions with every diagnostic.
      const lines = text.split('\n').slice(0, 12);
      for (const [line, lineText] of lines.entries()) {
        for (const character of [0, 2, 4, Math.min(lineText.length, 200)]) {
          const at = range(line, character, line, character);
          await client.hover(uri, at.start);
          assert.ok(Array.isArray(await client.completion(uri, at.start)));
          const actions = await client.codeActions(uri, at, { diagnostics: published.diagnostics });
          assert.ok(Array.isArray(actions));
        }
      }
      await client.close(uri);
    }
    assert.deepEqual(client.errorLogs(), []);
  });

  test('requests for a document that is not open get empty answers', async () => {
    assert.deepEqual(await client.codeLenses('file:///nowhere.prompt'), []);
    assert.deepEqual(await client.symbols('file:///nowhere.prompt'), []);
  });

  test('shutdown and exit end the process with code 0', async () => {
    assert.equal(await client.stop(), 0);
    assert.deepEqual(client.errorLogs(), []);
  });
});

test('over IPC, as the host starts it (`--node-ipc`): diagnostics, lenses, clean exit', async (t) => {
  const client = await LspTestClient.start({ transport: 'ipc', initializationOptions: { cacheDir: tempDir() } });
  t.after(() => client.kill());
  const uri = seedUri(tempDir());
  await client.open(uri, SEED_TEXT, 1);
  assert.deepEqual((await client.diagnosticsFor(uri, 1)).diagnostics, []);
  assert.equal((await client.codeLenses(uri)).at(-1)?.command?.title, 'gpt2: 7 tokens · bert: 6 tokens');
  assert.equal(await client.stop(), 0);
});
