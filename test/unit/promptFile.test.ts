/**
 * The `.prompt` parser: the seed experiment, the body grammar (variants, comments, escapes,
 * CRLF, spaces kept), `cases:` with block scalars, and many bad inputs, each checked for its
 * message and its exact place (0-based line and column, as LabDiagnostic has them).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  classifyBodyLine,
  KNOWN_KEYS,
  loadExperiment,
  loadModelFiles,
  outlinePromptFile,
  parsePromptFile,
} from '../../extension/lab/promptFile';
import { planSafetensors, writeSafetensors } from '../../extension/lab/models/safetensors';
import { LabInputError, type LabDiagnostic } from '../../extension/lab/types';
import { fixturesDir, freshDir } from '../helpers/paths';

const SEED = `---
models:
  - name: gpt2
    config: gpt2
    mode: eval                 # the seed's GPT-2 came from from_pretrained, which sets eval mode
  - name: bert-causal
    config: bert-base-uncased
    is_decoder: true           # what the seed did; from_config leaves train mode
  - name: bert-causal-eval
    config: bert-base-uncased
    is_decoder: true
    mode: eval
  - name: bert
    config: bert-base-uncased
    mode: eval
seed: 0
add_special_tokens: false      # as in the seed
atol: 1e-3                     # as in the seed
---
<pad> Ich will ein
~ <pad> Ich will das
`;

function parse(text: string, dir = freshDir('plab-prompt-')) {
  return parsePromptFile(text, join(dir, 'test.prompt'));
}

/** Both phases: the text, then the files it names (config.json, weights). */
function parseAndLoad(text: string, dir = freshDir('plab-prompt-')) {
  return loadModelFiles(parse(text, dir));
}

/** A file with one GPT-2 model (plus `entry` lines indented into it), `top` keys, and a body. */
function file(entry = '', top = '', body = 'The cat sat\n~ The dog sat\n'): string {
  const entryLines = entry
    ? entry
        .split('\n')
        .map((l) => `    ${l}\n`)
        .join('')
    : '';
  return `---\nmodels:\n  - name: m\n    config: gpt2\n${entryLines}${top}---\n${body}`;
}

/** The same with a BERT model. Entry lines start on line 4. */
function bertFile(entry = ''): string {
  return file(entry).replace('config: gpt2', 'config: bert-base-uncased');
}

interface Expected {
  code: string;
  message: string | RegExp;
  line: number;
  column: number;
  severity?: 'error' | 'warning';
}

/** Exactly one diagnostic of `expected.code`, with that message at that place. */
function expectDiagnostic(diagnostics: LabDiagnostic[], expected: Expected): LabDiagnostic {
  const found = diagnostics.filter((d) => d.code === expected.code);
  assert.equal(
    found.length,
    1,
    `one ${expected.code}; got ${JSON.stringify(diagnostics.map((d) => [d.code, d.message]))}`,
  );
  const [d] = found;
  if (typeof expected.message === 'string') assert.ok(d.message.includes(expected.message), `message: ${d.message}`);
  else assert.match(d.message, expected.message);
  assert.deepEqual(d.range.start, { line: expected.line, column: expected.column }, `place of: ${d.message}`);
  assert.equal(d.severity, expected.severity ?? 'error');
  assert.ok(!/\n\s+at /.test(d.message), 'no stack trace');
  return d;
}

function expectError(text: string, expected: Expected): LabDiagnostic {
  const result = parse(text);
  assert.equal(result.experiment, null, 'an error gives no experiment');
  return expectDiagnostic(result.diagnostics, expected);
}

// ---------------------------------------------------------------- the seed experiment

test('the seed file parses into four models with merged defaults', () => {
  const dir = freshDir('plab-prompt-');
  const { experiment, diagnostics } = parsePromptFile(SEED, join(dir, 'seed.prompt'));
  assert.deepEqual(diagnostics, []);
  assert.ok(experiment);
  assert.equal(experiment.file, join(dir, 'seed.prompt'));
  const byName = Object.fromEntries(experiment.models.map((m) => [m.name, m]));
  assert.deepEqual(
    experiment.models.map((m) => m.name),
    ['gpt2', 'bert-causal', 'bert-causal-eval', 'bert'],
  );

  const gpt2 = byName.gpt2;
  assert.equal(gpt2.architecture, 'gpt2');
  assert.deepEqual(gpt2.tokenizer, { kind: 'bundled', name: 'gpt2' });
  assert.equal(gpt2.mode, 'eval');
  assert.equal(gpt2.configSource, 'gpt2');
  assert.equal(gpt2.weights, undefined);
  assert.equal(gpt2.config.n_layer, 12);
  assert.equal(gpt2.config.is_decoder, undefined, 'GPT-2 has no is_decoder');
  assert.deepEqual(gpt2.range, { start: { line: 2, column: 4 }, end: { line: 4, column: 14 } });

  assert.equal(byName['bert-causal'].mode, 'train', 'from_config leaves train mode');
  assert.equal(byName['bert-causal'].config.is_decoder, true);
  assert.deepEqual(byName['bert-causal'].tokenizer, { kind: 'bundled', name: 'bert-uncased' });
  assert.equal(byName['bert-causal-eval'].mode, 'eval');
  assert.equal(byName['bert-causal-eval'].config.is_decoder, true);
  assert.equal(byName.bert.mode, 'eval');
  assert.equal(byName.bert.config.is_decoder, false);
  assert.equal(byName.bert.config.hidden_size, 768);

  for (const m of experiment.models) {
    assert.equal(m.seed, 0);
    assert.equal(m.addSpecialTokens, false);
    assert.equal(m.atol, 1e-3);
    assert.equal(m.rtol, 1e-5);
    assert.equal(m.dropout, 'independent');
  }
  assert.deepEqual(experiment.cases, [
    {
      base: { text: '<pad> Ich will ein', range: { start: { line: 19, column: 0 }, end: { line: 19, column: 18 } } },
      variants: [
        {
          text: '<pad> Ich will das',
          range: { start: { line: 20, column: 2 }, end: { line: 20, column: 20 } },
          edits: 'text',
        },
      ],
      range: { start: { line: 19, column: 0 }, end: { line: 20, column: 20 } },
    },
  ]);
});

test('defaults without the seed overrides: Hugging Face values', () => {
  const { experiment } = parse(file());
  assert.ok(experiment);
  const [m] = experiment.models;
  assert.deepEqual(
    [m.seed, m.mode, m.dropout, m.addSpecialTokens, m.atol, m.rtol],
    [0, 'train', 'independent', true, 1e-8, 1e-5],
  );
});

test('an entry overrides the top-level defaults; the top sets them for every model', () => {
  const text = `---
models:
  - name: a
    config: gpt2
  - name: b
    config: gpt2
    seed: 7
    dropout: independent
    atol: 0
    compare: [hidden_states]
seed: 3
mode: eval
dropout: paired
rtol: 0.5
compare: hidden_states
---
x
~ y
`;
  const { experiment, diagnostics } = parse(text);
  assert.deepEqual(diagnostics, []);
  assert.ok(experiment);
  const [a, b] = experiment.models;
  assert.deepEqual([a.seed, a.mode, a.dropout, a.rtol, a.atol], [3, 'eval', 'paired', 0.5, 1e-8]);
  assert.deepEqual([b.seed, b.mode, b.dropout, b.rtol, b.atol], [7, 'eval', 'independent', 0.5, 0]);
});

test('config overrides of the architecture are applied; the preset is not changed', () => {
  const { experiment } = parse(
    bertFile(
      'num_hidden_layers: 2\nhidden_size: 64\nnum_attention_heads: 4\nhidden_dropout_prob: 0\narchitectures: [BertModel]',
    ),
  );
  assert.ok(experiment);
  const c = experiment.models[0].config;
  assert.deepEqual(
    [c.num_hidden_layers, c.hidden_size, c.num_attention_heads, c.hidden_dropout_prob, c.intermediate_size],
    [2, 64, 4, 0, 3072],
  );
  assert.deepEqual(c.architectures, ['BertModel']);
  const again = parse(bertFile()).experiment!;
  assert.equal(again.models[0].config.num_hidden_layers, 12);
});

// ---------------------------------------------------------------- the body

test('body: variants, comments, escapes, blank lines, spaces kept', () => {
  const body = [
    '# a comment', // line 5
    ' The cat sat ', // leading and trailing spaces are part of the prompt
    '~  The dog sat',
    '~ The cat stood',
    '',
    '\\~ not a variant', // line 10
    '~ \\# after `~ ` everything is verbatim',
    '',
    '\\# not a comment',
    '~ v1',
    '\\\\ backslash',
    '~ v2',
    '  # indented: a prompt',
    '~ x',
  ].join('\n');
  const { experiment, diagnostics } = parse(file('', '', body));
  assert.deepEqual(diagnostics, []);
  assert.ok(experiment);
  assert.deepEqual(
    experiment.cases.map((c) => [c.base.text, ...c.variants.map((v) => v.text)]),
    [
      [' The cat sat ', ' The dog sat', 'The cat stood'],
      ['~ not a variant', '\\# after `~ ` everything is verbatim'],
      ['# not a comment', 'v1'],
      ['\\ backslash', 'v2'],
      ['  # indented: a prompt', 'x'],
    ],
  );
  const [first, second] = experiment.cases;
  // The body starts on line 5; text[i] stands at column + i.
  assert.deepEqual(first.base.range, { start: { line: 6, column: 0 }, end: { line: 6, column: 13 } });
  assert.deepEqual(first.variants[0].range.start, { line: 7, column: 2 });
  assert.deepEqual(first.range, { start: { line: 6, column: 0 }, end: { line: 8, column: 15 } });
  assert.deepEqual(second.base.range.start, { line: 10, column: 1 }, 'after the escaping backslash');
});

test('body: a base with no variant is a warning, and the file still parses', () => {
  const { experiment, diagnostics } = parse(file('', '', 'The cat sat\n~ The dog sat\n\nAlone here\n'));
  assert.ok(experiment);
  assert.equal(experiment.cases.length, 2);
  expectDiagnostic(diagnostics, {
    code: 'no-variant',
    message: 'this case has no variant',
    line: 8,
    column: 0,
    severity: 'warning',
  });
});

test('body: CRLF line ends are dropped, nothing else', () => {
  const text = file('mode: eval', '', 'The cat sat \n~ The dog sat\n').replace(/\n/g, '\r\n');
  const { experiment, diagnostics } = parse(text);
  assert.deepEqual(diagnostics, []);
  assert.ok(experiment);
  assert.equal(experiment.models[0].mode, 'eval');
  assert.equal(experiment.cases[0].base.text, 'The cat sat ');
  assert.equal(experiment.cases[0].variants[0].text, 'The dog sat');
  assert.deepEqual(experiment.cases[0].variants[0].range, {
    start: { line: 7, column: 2 },
    end: { line: 7, column: 13 },
  });
});

test('body: a variant with no base above it is an error at the variant', () => {
  expectError(file('', '', '# comment\n~ orphan\n'), {
    code: 'variant-without-base',
    message: 'this variant has no base prompt above it',
    line: 6,
    column: 2,
  });
  expectError(file('', '', 'base\n~ one\n\n~ two\n'), {
    code: 'variant-without-base',
    message: 'a blank line ends a case',
    line: 8,
    column: 2,
  });
});

test('body: empty variant, lone backslash, `~` without a space', () => {
  expectError(file('', '', 'base\n~ \n'), {
    code: 'empty-prompt',
    message: 'this variant is empty',
    line: 6,
    column: 2,
  });
  // A lone `~` has no column 2 (the line is one character long): the error stands at its end.
  expectError(file('', '', 'base\n~\n'), {
    code: 'empty-prompt',
    message: 'this variant is empty',
    line: 6,
    column: 1,
  });
  expectError(file('', '', '\\\n~ x\n'), { code: 'lone-escape', message: 'escapes nothing', line: 5, column: 0 });
  const { experiment, diagnostics } = parse(file('', '', 'base\n~ a\n~b\n~ c\n'));
  assert.ok(experiment, 'a warning does not stop the file');
  expectDiagnostic(diagnostics, {
    code: 'tilde-without-space',
    message: 'it is a new base prompt',
    line: 7,
    column: 0,
    severity: 'warning',
  });
  assert.deepEqual(
    experiment.cases.map((c) => c.base.text),
    ['base', '~b'],
  );
});

test('body: a variant equal to its base is a warning', () => {
  const { diagnostics } = parse(file('', '', 'same\n~ same\n'));
  expectDiagnostic(diagnostics, {
    code: 'same-as-base',
    message: 'nothing is perturbed',
    line: 6,
    column: 2,
    severity: 'warning',
  });
});

test('classifyBodyLine', () => {
  assert.deepEqual(classifyBodyLine(''), { kind: 'blank', text: '', column: 0 });
  assert.deepEqual(classifyBodyLine('   \r'), { kind: 'blank', text: '', column: 0 });
  assert.deepEqual(classifyBodyLine('# note'), { kind: 'comment', text: ' note', column: 1 });
  assert.deepEqual(classifyBodyLine('~ a b \r'), {
    kind: 'variant',
    text: 'a b ',
    column: 2,
    problem: undefined,
    edits: 'text',
  });
  assert.deepEqual(classifyBodyLine('encoder: I want'), {
    kind: 'encoder',
    text: 'I want',
    column: 9,
    problem: undefined,
  });
  assert.deepEqual(classifyBodyLine('~ encoder: a house'), {
    kind: 'variant',
    text: 'a house',
    column: 11,
    problem: undefined,
    edits: 'encoder',
  });
  assert.deepEqual(classifyBodyLine('\\encoder: text'), { kind: 'base', text: 'encoder: text', column: 1 });
  assert.equal(classifyBodyLine('encoder:').problem?.code, 'empty-prompt');
  assert.equal(classifyBodyLine('~ encoder: ').problem?.code, 'empty-prompt');
  assert.deepEqual(classifyBodyLine('\\~ x'), { kind: 'base', text: '~ x', column: 1 });
  assert.deepEqual(classifyBodyLine(' x '), { kind: 'base', text: ' x ', column: 0 });
  assert.equal(classifyBodyLine('~').problem?.code, 'empty-prompt');
});

test('encoder: lines give a case its source; `~ encoder:` varies it; every problem is placed', () => {
  const { experiment, diagnostics } = parse(
    file(
      '',
      '',
      'encoder: I want to buy a car\n<pad> Ich will ein\n~ <pad> Ich will das\n~ encoder: I want to buy a house\n\nplain base\n~ plain variant\n',
    ),
  );
  assert.deepEqual(
    diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  assert.ok(experiment);
  const [article, plain] = experiment.cases;
  assert.equal(article.encoder?.text, 'I want to buy a car');
  assert.equal(article.base.text, '<pad> Ich will ein');
  assert.deepEqual(
    article.variants.map((v) => [v.edits, v.text]),
    [
      ['text', '<pad> Ich will das'],
      ['encoder', 'I want to buy a house'],
    ],
  );
  // The case starts at its encoder line.
  assert.equal(article.range.start.line, article.encoder!.range.start.line);
  assert.equal(article.encoder!.range.start.column, 9);
  assert.equal(plain.encoder, undefined);

  const orphan = parse(file('', '', 'encoder: a source\n\nbase\n~ variant\n'));
  expectDiagnostic(orphan.diagnostics, {
    code: 'encoder-without-base',
    message: 'gives the source of the case',
    line: 5,
    column: 9,
  });
  const noSource = parse(file('', '', 'base\n~ encoder: other source\n'));
  expectDiagnostic(noSource.diagnostics, {
    code: 'encoder-variant-without-encoder',
    message: 'replaces the source, but its case has none',
    line: 6,
    column: 11,
  });
  const same = parse(file('', '', 'encoder: src\nbase\n~ encoder: src\n'));
  expectDiagnostic(same.diagnostics, {
    code: 'same-as-base',
    message: 'same text as the source',
    line: 7,
    column: 11,
    severity: 'warning',
  });
});

test('cases: a case may give `encoder:` and `{ encoder: ... }` variants', () => {
  const { experiment, diagnostics } = parse(
    file(
      '',
      'cases:\n  - encoder: "I want to buy a car"\n    base: "<pad> Ich will ein"\n    variants: ["<pad> Ich will das", { encoder: "I want to buy a house" }]\n',
      '',
    ),
  );
  assert.deepEqual(
    diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  const [c] = experiment!.cases;
  assert.equal(c.encoder?.text, 'I want to buy a car');
  assert.deepEqual(
    c.variants.map((v) => [v.edits, v.text]),
    [
      ['text', '<pad> Ich will das'],
      ['encoder', 'I want to buy a house'],
    ],
  );
  const bad = parse(file('', 'cases:\n  - base: a\n    variants: [{ encoder: b }]\n', ''));
  expectDiagnostic(bad.diagnostics, {
    code: 'encoder-variant-without-encoder',
    message: 'the case has none',
    line: 6,
    column: 26,
  });
});

// ---------------------------------------------------------------- cases: in the front matter

test('cases: with block scalars come before the body cases', () => {
  const text = `---
models:
  - name: m
    config: gpt2
cases:
  - base: |-
      line one
      line two
    variants:
      - "line one\\nline 2"
      - |
        ~ starts with a tilde
  - base: "# hash"
    variants: ['  spaced  ']
---
body base
~ body variant
`;
  const { experiment, diagnostics } = parse(text);
  assert.deepEqual(diagnostics, []);
  assert.ok(experiment);
  assert.deepEqual(
    experiment.cases.map((c) => [c.base.text, ...c.variants.map((v) => v.text)]),
    [
      ['line one\nline two', 'line one\nline 2', '~ starts with a tilde\n'],
      ['# hash', '  spaced  '],
      ['body base', 'body variant'],
    ],
  );
  assert.deepEqual(experiment.cases[0].base.range.start, { line: 5, column: 10 });
  assert.deepEqual(experiment.cases[0].variants[0].range.start, { line: 9, column: 8 });
  assert.deepEqual(experiment.cases[1].range.start, { line: 12, column: 4 });
});

test('cases: and no body is enough', () => {
  const { experiment } = parse(file('', 'cases:\n  - base: a\n    variants: [b]\n', ''));
  assert.ok(experiment);
  assert.equal(experiment.cases.length, 1);
});

test('cases: bad shapes', () => {
  // `cases:` is line 4 of these files.
  expectError(file('', 'cases:\n  - base: 42\n    variants: [b]\n'), {
    code: 'bad-value',
    message: 'YAML reads `42` as a number: put it in quotes ("42")',
    line: 5,
    column: 10,
  });
  expectError(file('', 'cases:\n  - base: a\n    variants: b\n'), {
    code: 'bad-value',
    message: '`variants` must be a list',
    line: 6,
    column: 14,
  });
  expectError(file('', 'cases:\n  - variants: [b]\n'), {
    code: 'missing-key',
    message: 'this case has no `base`',
    line: 5,
    column: 4,
  });
  expectError(file('', 'cases:\n  - base: a\n    variant: [b]\n'), {
    code: 'unknown-key',
    message: 'did you mean `variants`?',
    line: 6,
    column: 4,
  });
  expectError(file('', 'cases:\n  - base: a\n    variants: [""]\n'), {
    code: 'empty-prompt',
    message: 'this variant is empty',
    line: 6,
    column: 15,
  });
  expectError(file('', 'cases:\n  - base: a\n    perturb: [delete_each_token]\n'), {
    code: 'not-supported',
    message: 'not supported yet: `perturb:`',
    line: 6,
    column: 4,
  });
  expectError(file('', 'cases: {base: a}\n'), {
    code: 'bad-value',
    message: '`cases` must be a list',
    line: 4,
    column: 7,
  });
});

// ---------------------------------------------------------------- the front matter's shape

test('no front matter: one error at 1:1 with an example', () => {
  const d = expectError('The cat sat\n~ The dog sat\n', {
    code: 'no-front-matter',
    message: 'starts with its front matter',
    line: 0,
    column: 0,
  });
  assert.ok(d.message.includes('models:\n  - name: gpt2\n    config: gpt2'));
  expectError('', { code: 'no-front-matter', message: '`models:` list', line: 0, column: 0 });
});

test('front matter without its closing line', () => {
  expectError('---\nmodels:\n  - name: m\n    config: gpt2\nThe cat\n', {
    code: 'unclosed-front-matter',
    message: 'no closing `---` line',
    line: 0,
    column: 0,
  });
});

test('no models, empty models, models not a list, a model that is not a map', () => {
  expectError('---\nseed: 1\n---\na\n~ b\n', {
    code: 'missing-key',
    message: 'the front matter has no `models:` list',
    line: 0,
    column: 0,
  });
  expectError('---\n---\na\n~ b\n', {
    code: 'missing-key',
    message: 'the front matter has no `models:` list',
    line: 0,
    column: 0,
  });
  expectError('---\nmodels: []\n---\na\n~ b\n', {
    code: 'bad-value',
    message: '`models` is empty',
    line: 1,
    column: 8,
  });
  expectError('---\nmodels: gpt2\n---\na\n~ b\n', {
    code: 'bad-value',
    message: '`models` must be a list',
    line: 1,
    column: 8,
  });
  expectError('---\nmodels:\n  - gpt2\n---\na\n~ b\n', {
    code: 'bad-value',
    message: 'each model is a map',
    line: 2,
    column: 4,
  });
});

test('no prompts at all is an error at the closing line', () => {
  expectError(file('', '', '# only a comment\n\n'), {
    code: 'no-cases',
    message: 'this file has no prompts',
    line: 4,
    column: 0,
  });
});

test('YAML syntax errors carry the place YAML gives', () => {
  // An unclosed flow sequence: YAML reports it where the front matter ends, at the closing `---`.
  expectError(file('', 'seed: [1\n'), { code: 'yaml-syntax', message: /^YAML: Flow sequence/, line: 5, column: 0 });
  expectError('---\nmodels:\n  - name: m\n\tconfig: gpt2\n---\na\n~ b\n', {
    code: 'yaml-syntax',
    message: 'Tabs are not allowed',
    line: 3,
    column: 0,
  });
  // After a syntax error the keys are not judged (the tree is a guess), but the body still is.
  const result = parse('---\nmodels:\n  - name: m\n   bad: 1\n  nonsense: 2\n---\n~ orphan\n');
  assert.ok(result.diagnostics.some((d) => d.code === 'yaml-syntax' && d.range.start.line === 3));
  assert.ok(!result.diagnostics.some((d) => d.code === 'unknown-key'));
  assert.ok(result.diagnostics.some((d) => d.code === 'variant-without-base'));
});

test('a key written twice is an error at the second', () => {
  expectError(file('n_layer: 2\nn_layer: 3'), {
    code: 'duplicate-key',
    message: '`n_layer` appears twice',
    line: 5,
    column: 4,
  });
});

test('unknown top-level keys: suggestion, list of allowed keys, model keys placed', () => {
  const d = expectError(file('', 'sede: 1\n'), {
    code: 'unknown-key',
    message: '`sede` is not a front-matter key; did you mean `seed`?',
    line: 4,
    column: 0,
  });
  assert.ok(d.message.includes('`models`, `cases`'));
  expectError(file('', 'is_decoder: true\n'), {
    code: 'unknown-key',
    message: '`is_decoder` belongs to one model: write it inside an entry of `models:`',
    line: 4,
    column: 0,
  });
  expectError(file('', 'perturb: [swap_neighbours]\n'), {
    code: 'not-supported',
    message: 'not supported yet: `perturb:`',
    line: 4,
    column: 0,
  });
});

test('bad run settings, at the top and in an entry, point at the value', () => {
  expectError(file('', 'mode: evaluate\n'), {
    code: 'bad-value',
    message: '`mode` must be `train` or `eval`, not "evaluate"',
    line: 4,
    column: 6,
  });
  expectError(file('', 'seed: -1\n'), {
    code: 'bad-value',
    message: '`seed` must be a whole number of at least 0, not -1',
    line: 4,
    column: 6,
  });
  expectError(file('', 'seed: 1.5\n'), {
    code: 'bad-value',
    message: '`seed` must be a whole number',
    line: 4,
    column: 6,
  });
  expectError(file('', 'atol: lots\n'), {
    code: 'bad-value',
    message: '`atol` must be a number of at least 0, not "lots"',
    line: 4,
    column: 6,
  });
  expectError(file('', 'add_special_tokens: yes\n'), {
    code: 'bad-value',
    message: 'not "yes" (YAML 1.2 reads it as text)',
    line: 4,
    column: 20,
  });
  expectError(file('', 'compare: attentions\n'), {
    code: 'bad-value',
    message: '`compare` must be `hidden_states`',
    line: 4,
    column: 9,
  });
  expectError(file('dropout: pairs'), {
    code: 'bad-value',
    message: '`dropout` must be `independent` or `paired`',
    line: 4,
    column: 13,
  });
  expectError(file('mode:'), {
    code: 'bad-value',
    message: '`mode` has no value; write `train` or `eval`',
    line: 4,
    column: 4,
  });
});

// ---------------------------------------------------------------- model entries

test('a model without name or config', () => {
  expectError('---\nmodels:\n  - config: gpt2\n---\na\n~ b\n', {
    code: 'missing-key',
    message: 'this model has no `name`',
    line: 2,
    column: 4,
  });
  expectError('---\nmodels:\n  - name: m\n---\na\n~ b\n', {
    code: 'missing-key',
    message: 'this model has no `config`',
    line: 2,
    column: 4,
  });
  expectError('---\nmodels:\n  - name: 12\n    config: gpt2\n---\na\n~ b\n', {
    code: 'bad-value',
    message: '`name` must be text, not 12',
    line: 2,
    column: 10,
  });
});

test('a duplicate name is an error at the second', () => {
  const text = '---\nmodels:\n  - name: twin\n    config: gpt2\n  - name: twin\n    config: gpt2\n---\na\n~ b\n';
  expectError(text, {
    code: 'duplicate-name',
    message: 'a model named `twin` is already defined on line 3',
    line: 4,
    column: 10,
  });
});

test('a key of the other architecture: error with the right name', () => {
  expectError(bertFile('n_layer: 2'), {
    code: 'unknown-key',
    message: '`n_layer` is not a BERT config key; did you mean `num_hidden_layers`?',
    line: 4,
    column: 4,
  });
  expectError(bertFile('n_embd: 64'), {
    code: 'unknown-key',
    message: 'did you mean `hidden_size`?',
    line: 4,
    column: 4,
  });
  expectError(file('num_hidden_layers: 2'), {
    code: 'unknown-key',
    message: '`num_hidden_layers` is not a GPT-2 config key; did you mean `n_layer`?',
    line: 4,
    column: 4,
  });
  expectError(file('max_position_embeddings: 64'), {
    code: 'unknown-key',
    message: 'did you mean `n_positions`?',
    line: 4,
    column: 4,
  });
  expectError(bertFile('num_hiden_layers: 2'), {
    code: 'unknown-key',
    message: 'did you mean `num_hidden_layers`?',
    line: 4,
    column: 4,
  });
  expectError(file('wieghts: x.safetensors'), {
    code: 'unknown-key',
    message: 'did you mean `weights`?',
    line: 4,
    column: 4,
  });
  expectError(file('cases: []'), {
    code: 'unknown-key',
    message: '`cases` belongs at the top of the front matter, not inside a model entry',
    line: 4,
    column: 4,
  });
  const d = expectError(bertFile('frobnicate: 1'), {
    code: 'unknown-key',
    message: '`frobnicate` is not a BERT config key.',
    line: 4,
    column: 4,
  });
  assert.ok(d.message.includes('`num_hidden_layers`'), 'lists the keys that shape the model');
});

test('is_decoder on GPT-2: it is always causal', () => {
  expectError(file('is_decoder: true'), {
    code: 'not-this-architecture',
    message: 'GPT-2 has no `is_decoder`: it is always causal',
    line: 4,
    column: 4,
  });
  expectError(file('is_decoder: false'), {
    code: 'not-this-architecture',
    message: 'GPT-2 has no `is_decoder`',
    line: 4,
    column: 4,
  });
});

test('keys Hugging Face accepts but the builder does not implement: "not supported yet"', () => {
  const cases: [string, boolean, RegExp][] = [
    [
      'position_embedding_type: relative_key',
      true,
      /not supported yet: `position_embedding_type: relative_key` \(relative position embeddings\)/,
    ],
    ['add_cross_attention: true', true, /not supported yet: `add_cross_attention: true`/],
    ['hidden_act: relu', true, /not supported yet: `hidden_act: relu`.*implements `hidden_act: gelu` only/],
    ['scale_attn_by_inverse_layer_idx: true', false, /not supported yet: `scale_attn_by_inverse_layer_idx: true`/],
    ['reorder_and_upcast_attn: true', false, /not supported yet: `reorder_and_upcast_attn: true`/],
    ['scale_attn_weights: false', false, /not supported yet: `scale_attn_weights: false`/],
    [
      'activation_function: gelu',
      false,
      /not supported yet: `activation_function: gelu`.*`activation_function: gelu_new` only/,
    ],
    ['add_cross_attention: true', false, /not supported yet: `add_cross_attention: true`/],
    ['tie_word_embeddings: false', false, /not supported yet: `tie_word_embeddings: false`/],
  ];
  for (const [line, bert, message] of cases) {
    expectError(bert ? bertFile(line) : file(line), { code: 'not-supported', message, line: 4, column: 4 });
  }
  // The implemented values of the same keys are accepted.
  assert.ok(
    parse(bertFile('position_embedding_type: absolute\nadd_cross_attention: false\nhidden_act: gelu')).experiment,
  );
  assert.ok(
    parse(file('scale_attn_weights: true\nreorder_and_upcast_attn: false\nactivation_function: gelu_new')).experiment,
  );
});

test('keys that do not change the forward pass are accepted', () => {
  const { experiment, diagnostics } = parse(
    file(
      'architectures: [GPT2Model]\ntask_specific_params: {x: 1}\ntransformers_version: "4.57.6"\ndtype: float32\nuse_cache: false\nsummary_type: mean\nbos_token_id: 1\nid2label: {0: A}\nmax_length: 20',
    ),
  );
  assert.deepEqual(diagnostics, []);
  assert.ok(experiment);
  assert.deepEqual(experiment.models[0].config.id2label, { 0: 'A' });
  assert.ok(parse(bertFile('classifier_dropout: 0.2\nuse_cache: true\ntorch_dtype: float32')).experiment);
});

test('bad config values point at the value and say what is allowed', () => {
  expectError(bertFile('num_hidden_layers: 0'), {
    code: 'bad-value',
    message: '`num_hidden_layers` must be a whole number of at least 1, not 0',
    line: 4,
    column: 23,
  });
  expectError(bertFile('hidden_dropout_prob: 1.5'), {
    code: 'bad-value',
    message: '`hidden_dropout_prob` must be a probability from 0 up to (not including) 1, not 1.5',
    line: 4,
    column: 25,
  });
  expectError(bertFile('hidden_dropout_prob: 1'), { code: 'bad-value', message: 'not 1', line: 4, column: 25 });
  expectError(bertFile('is_decoder: yes'), {
    code: 'bad-value',
    message: '`is_decoder` must be `true` or `false`, not "yes" (YAML 1.2 reads it as text)',
    line: 4,
    column: 16,
  });
  expectError(file('n_embd: "768"'), {
    code: 'bad-value',
    message: '`n_embd` must be a whole number of at least 1, not "768"',
    line: 4,
    column: 12,
  });
  expectError(file('n_inner: -4'), {
    code: 'bad-value',
    message: 'a whole number of at least 1 or `null`',
    line: 4,
    column: 13,
  });
  expectError(bertFile('hidden_act: swishy'), {
    code: 'bad-value',
    message: '`hidden_act` must be `gelu`,',
    line: 4,
    column: 16,
  });
  expectError(bertFile('layer_norm_eps: 0'), {
    code: 'bad-value',
    message: 'a number greater than 0',
    line: 4,
    column: 20,
  });
  expectError(bertFile('model_type: gpt2'), {
    code: 'bad-value',
    message: '`model_type` cannot change the architecture',
    line: 4,
    column: 16,
  });
});

test('hidden size must be divisible by the heads; BERT pad id must be a row', () => {
  expectError(bertFile('hidden_size: 100'), {
    code: 'bad-value',
    message: '`hidden_size` (100) must be divisible by `num_attention_heads` (12)',
    line: 4,
    column: 17,
  });
  expectError(file('n_embd: 64\nn_head: 5'), {
    code: 'bad-value',
    message: '`n_embd` (64) must be divisible by `n_head` (5)',
    line: 5,
    column: 12,
  });
  expectError(bertFile('vocab_size: 10\npad_token_id: 10'), {
    code: 'bad-value',
    message: '`pad_token_id` (10) must be less than `vocab_size` (10)',
    line: 5,
    column: 18,
  });
});

// ---------------------------------------------------------------- config and weights files

function writeJson(path: string, value: unknown): void {
  writeFileSync(path, JSON.stringify(value));
}

test('config: a path to a config.json, relative to the prompt file', async () => {
  const dir = freshDir('plab-prompt-');
  mkdirSync(join(dir, 'tiny'));
  writeJson(join(dir, 'tiny', 'config.json'), {
    model_type: 'bert',
    num_hidden_layers: 2,
    hidden_size: 32,
    num_attention_heads: 4,
    vocab_size: 99,
  });
  const text = '---\nmodels:\n  - name: m\n    config: tiny/config.json\n---\na\n~ b\n';
  const parsed = parse(text, dir);
  assert.equal(parsed.experiment, null, 'the parser opens no file: the model waits for loadModelFiles');
  assert.deepEqual(
    parsed.files.map((f) => [f.model, f.key, f.path, f.range.start]),
    [['m', 'config', join(dir, 'tiny', 'config.json'), { line: 3, column: 12 }]],
  );
  const { experiment, diagnostics } = await loadModelFiles(parsed);
  assert.deepEqual(diagnostics, []);
  assert.ok(experiment);
  const m = experiment.models[0];
  assert.equal(m.configSource, join(dir, 'tiny', 'config.json'));
  assert.equal(m.architecture, 'bert');
  assert.equal(m.config.hidden_size, 32);
  assert.equal(m.config.intermediate_size, 3072, 'BertConfig defaults fill what the file leaves out');
  assert.equal(m.mode, 'train');
  // A folder holding a config.json works too.
  assert.ok((await parseAndLoad('---\nmodels:\n  - name: m\n    config: ./tiny\n---\na\n~ b\n', dir)).experiment);
});

test('config file problems point at the `config:` value and name the key and the file', async () => {
  const dir = freshDir('plab-prompt-');
  writeJson(join(dir, 'wrong.json'), { model_type: 'bert', n_layer: 2, position_embedding_type: 'relative_key' });
  writeJson(join(dir, 'roberta.json'), { model_type: 'roberta' });
  writeJson(join(dir, 'untyped.json'), { hidden_size: 8 });
  writeJson(join(dir, 'uneven.json'), { model_type: 'gpt2', n_embd: 10, n_head: 4 });
  writeFileSync(join(dir, 'broken.json'), '{ "model_type": ');
  const at = (config: string) => parseAndLoad(`---\nmodels:\n  - name: m\n    config: ${config}\n---\na\n~ b\n`, dir);

  const wrong = await at('wrong.json');
  assert.equal(wrong.experiment, null);
  expectDiagnostic(wrong.diagnostics, {
    code: 'unknown-key',
    message: `in ${join(dir, 'wrong.json')}: \`n_layer\` is not a BERT config key; did you mean \`num_hidden_layers\`?`,
    line: 3,
    column: 12,
  });
  expectDiagnostic(wrong.diagnostics, {
    code: 'not-supported',
    message: 'not supported yet: `position_embedding_type: relative_key`',
    line: 3,
    column: 12,
  });
  expectDiagnostic((await at('roberta.json')).diagnostics, {
    code: 'not-supported',
    message: 'not supported yet: `model_type: roberta`',
    line: 3,
    column: 12,
  });
  expectDiagnostic((await at('untyped.json')).diagnostics, {
    code: 'bad-config-file',
    message: 'has no `model_type`',
    line: 3,
    column: 12,
  });
  expectDiagnostic((await at('uneven.json')).diagnostics, {
    code: 'bad-value',
    message: `in ${join(dir, 'uneven.json')}: \`n_embd\` (10) must be divisible by \`n_head\` (4)`,
    line: 3,
    column: 12,
  });
  expectDiagnostic((await at('broken.json')).diagnostics, {
    code: 'bad-config-file',
    message: `${join(dir, 'broken.json')} is not valid JSON at line 1 column 17`,
    line: 3,
    column: 12,
  });
  expectDiagnostic((await at('missing/config.json')).diagnostics, {
    code: 'file-not-found',
    message: `no config file at ${join(dir, 'missing', 'config.json')}`,
    line: 3,
    column: 12,
  });
  expectDiagnostic((await at('bert-base-cased')).diagnostics, {
    code: 'unknown-preset',
    message: 'did you mean `bert-base-uncased`?',
    line: 3,
    column: 12,
  });
});

test('weights: a Hugging Face folder brings its config.json, and mode defaults to eval', async () => {
  const hf = join(fixturesDir(), 'hf-reference');
  const text = `---\nmodels:\n  - name: causal\n    weights: ${join(hf, 'bert-causal')}\n  - name: gpt\n    weights: ${join(hf, 'gpt2')}\n    mode: train\n---\na\n~ b\n`;
  const { experiment, diagnostics } = await parseAndLoad(text);
  assert.deepEqual(diagnostics, []);
  assert.ok(experiment);
  const [causal, gpt] = experiment.models;
  assert.equal(causal.weights, join(hf, 'bert-causal'));
  assert.equal(causal.configSource, join(hf, 'bert-causal', 'config.json'));
  assert.equal(causal.architecture, 'bert');
  assert.equal(causal.config.is_decoder, true);
  assert.equal(causal.config.hidden_size, 32);
  assert.equal(causal.mode, 'eval', 'from_pretrained sets eval mode');
  assert.equal(gpt.architecture, 'gpt2');
  assert.equal(gpt.config.n_layer, 2);
  assert.equal(gpt.mode, 'train', 'an explicit mode wins');
});

test('weights: relative paths, single safetensors files, and a folder with config: too', async () => {
  const dir = freshDir('plab-prompt-');
  // A valid (tiny) safetensors file: its header is checked when the file is loaded.
  const tensors = [{ name: 'w', shape: [2] }];
  writeSafetensors(join(dir, 'model.safetensors'), tensors, planSafetensors(tensors, {}), () => new Float32Array(2));
  const single = await parseAndLoad(
    '---\nmodels:\n  - name: m\n    config: gpt2\n    weights: ./model.safetensors\n---\na\n~ b\n',
    dir,
  );
  assert.ok(single.experiment);
  assert.equal(single.experiment.models[0].weights, join(dir, 'model.safetensors'));
  assert.equal(single.experiment.models[0].mode, 'eval');
  const singleAlone = await parseAndLoad(
    '---\nmodels:\n  - name: m\n    weights: ./model.safetensors\n---\na\n~ b\n'.replace('./model', join(dir, 'model')),
  );
  assert.equal(singleAlone.experiment, null);
  expectDiagnostic(singleAlone.diagnostics, {
    code: 'missing-key',
    message: '`weights:` is a single file, so `config:` must say',
    line: 2,
    column: 4,
  });
  const both = await parseAndLoad(
    `---\nmodels:\n  - name: m\n    config: bert-base-uncased\n    weights: ${join(fixturesDir(), 'hf-reference', 'bert')}\n---\na\n~ b\n`,
  );
  assert.ok(both.experiment);
  assert.equal(both.experiment.models[0].config.hidden_size, 768, '`config:` wins');
  expectDiagnostic(both.diagnostics, {
    code: 'config-overrides-folder',
    message: 'is used instead of',
    line: 3,
    column: 4,
    severity: 'warning',
  });
});

test('weights: pickle checkpoints are never loaded', async () => {
  const dir = freshDir('plab-prompt-');
  mkdirSync(join(dir, 'torch'));
  writeFileSync(join(dir, 'torch', 'pytorch_model.bin'), '');
  writeFileSync(join(dir, 'torch', 'config.json'), '{"model_type": "gpt2"}');
  for (const name of ['model.bin', 'model.pt', 'model.pth', 'model.ckpt']) {
    const result = parse(`---\nmodels:\n  - name: m\n    config: gpt2\n    weights: ${name}\n---\na\n~ b\n`, dir);
    expectDiagnostic(result.diagnostics, {
      code: 'pickle-weights',
      message: 'pickle checkpoints are never loaded: they can run code; convert to safetensors',
      line: 4,
      column: 13,
    });
  }
  const folder = await parseAndLoad('---\nmodels:\n  - name: m\n    weights: torch\n---\na\n~ b\n', dir);
  assert.equal(folder.experiment, null);
  expectDiagnostic(folder.diagnostics, {
    code: 'pickle-weights',
    message: 'pickle checkpoints are never loaded',
    line: 3,
    column: 13,
  });
  assert.equal(folder.diagnostics.length, 1, 'no second error about the missing config');
});

test('weights: missing files and folders without safetensors', async () => {
  const dir = freshDir('plab-prompt-');
  mkdirSync(join(dir, 'empty'));
  writeFileSync(join(dir, 'weights.onnx'), '');
  const at = async (weights: string) =>
    (await parseAndLoad(`---\nmodels:\n  - name: m\n    config: gpt2\n    weights: ${weights}\n---\na\n~ b\n`, dir))
      .diagnostics;
  expectDiagnostic(await at('nowhere.safetensors'), {
    code: 'file-not-found',
    message: `no weights at ${join(dir, 'nowhere.safetensors')}`,
    line: 4,
    column: 13,
  });
  expectDiagnostic(await at('empty'), {
    code: 'file-not-found',
    message: 'has no model.safetensors',
    line: 4,
    column: 13,
  });
  expectDiagnostic(await at('weights.onnx'), {
    code: 'bad-weights',
    message: 'must be a .safetensors file or a Hugging Face folder',
    line: 4,
    column: 13,
  });
});

// ---------------------------------------------------------------- every problem at once, loading, outline

test('every problem of a file is reported in one pass, in file order', () => {
  const text = `---
models:
  - name: a
    config: bert-base-uncased
    n_layer: 2
  - name: a
    config: gpt2
    is_decoder: true
sede: 1
---
~ orphan
`;
  const { experiment, diagnostics } = parse(text);
  assert.equal(experiment, null);
  assert.deepEqual(
    diagnostics.map((d) => [d.code, d.range.start.line, d.range.start.column]),
    [
      ['unknown-key', 4, 4],
      ['duplicate-name', 5, 10],
      ['not-this-architecture', 7, 4],
      ['unknown-key', 8, 0],
      ['variant-without-base', 10, 2],
    ],
  );
});

test('loadExperiment reads a file and throws LabInputError with every diagnostic', async () => {
  const dir = freshDir('plab-prompt-');
  const good = join(dir, 'seed.prompt');
  writeFileSync(good, '\uFEFF' + SEED);
  assert.equal((await loadExperiment(good)).models.length, 4);

  const bad = join(dir, 'bad.prompt');
  writeFileSync(bad, bertFile('n_layer: 2'));
  await assert.rejects(
    () => loadExperiment(bad),
    (err: unknown) => {
      assert.ok(err instanceof LabInputError);
      assert.equal(err.diagnostics.length, 1);
      assert.equal(
        err.message,
        `${bad}:5:5: error: \`n_layer\` is not a BERT config key; did you mean \`num_hidden_layers\`?`,
      );
      return true;
    },
  );
  await assert.rejects(
    () => loadExperiment(join(dir, 'absent.prompt')),
    (err: unknown) => err instanceof LabInputError && err.diagnostics[0].code === 'file-not-found',
  );
});

test('the outline keeps cases and models while the front matter is broken', () => {
  const text =
    '---\nmodels:\n  - name: gpt2\n    config: gpt2\n    n_layer: [\n---\nThe cat\n~ The dog\n\n# note\nAlone\n';
  const outline = outlinePromptFile(text);
  assert.deepEqual(outline.frontMatter, {
    range: { start: { line: 0, column: 0 }, end: { line: 5, column: 3 } },
    closed: true,
  });
  assert.equal(outline.bodyStartLine, 6);
  assert.deepEqual(
    outline.bodyLines.map((l) => l.kind),
    ['base', 'variant', 'blank', 'comment', 'base', 'blank'],
  );
  assert.deepEqual(
    outline.cases.map((c) => [c.base.text, c.variants.length]),
    [
      ['The cat', 1],
      ['Alone', 0],
    ],
  );
  assert.equal(outline.models[0]?.name, 'gpt2');

  const good = outlinePromptFile(SEED);
  assert.deepEqual(
    good.models.map((m) => m.name),
    ['gpt2', 'bert-causal', 'bert-causal-eval', 'bert'],
  );
  assert.deepEqual(good.models[1].nameRange?.start, { line: 5, column: 10 });
  assert.equal(outlinePromptFile('---\nmodels:\n').frontMatter?.closed, false);
});

test('the known keys have docs for completion and hover', () => {
  const top = KNOWN_KEYS.topLevel.map((k) => k.key);
  assert.deepEqual(top, [
    'models',
    'cases',
    'seed',
    'mode',
    'dropout',
    'add_special_tokens',
    'atol',
    'rtol',
    'compare',
    'patch',
    'patch_target',
    'lens',
    'heads',
  ]);
  assert.deepEqual(
    KNOWN_KEYS.modelEntry.slice(0, 3).map((k) => k.key),
    ['name', 'config', 'weights'],
  );
  assert.ok(KNOWN_KEYS.config.bert.some((k) => k.key === 'is_decoder' && k.affectsForward));
  assert.ok(!KNOWN_KEYS.config.gpt2.some((k) => k.key === 'is_decoder'));
  for (const k of [
    ...KNOWN_KEYS.topLevel,
    ...KNOWN_KEYS.modelEntry,
    ...KNOWN_KEYS.case,
    ...KNOWN_KEYS.config.bert,
    ...KNOWN_KEYS.config.gpt2,
  ]) {
    assert.ok(k.doc.length > 5 && !k.doc.includes('\n'), `doc of ${k.key}`);
  }
});
