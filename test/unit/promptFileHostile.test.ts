/**
 * The parser and the validator against hostile prompt files, with exact places: the parser opens
 * nothing (paths are recorded for the trust check), the validator opens only regular files, and every
 * odd value — YAML aliases and depth, NaN, empty values, Object.prototype names, lone CRs — gets a
 * message of its own at the value.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModelFiles, parsePromptFile } from '../../extension/lab/promptFile';
import type { LabDiagnostic } from '../../extension/lab/types';
import { hostileFolder } from '../helpers/hostileFiles';
import { freshDir } from '../helpers/paths';

const hostile = hostileFolder();
const file = join(hostile.dir, 'test.prompt');
const parse = (text: string) => parsePromptFile(text, file);
const load = (text: string) => loadModelFiles(parse(text));
const simplified = (ds: LabDiagnostic[]) =>
  ds.map((d) => [d.code, d.range.start.line, d.range.start.column, d.message]);

/** One GPT-2 model with extra entry lines (from line 4) and top-level lines. */
const gpt2 = (entry = '', top = '') =>
  `---\nmodels:\n  - name: m\n    config: gpt2\n${entry}${top}---\nthe cat sat\n~ the dog sat\n`;

test('the parser opens nothing: a FIFO, /dev/zero and a secret are only recorded, with their places', async () => {
  const text = `---\nmodels:\n  - name: a\n    config: ${hostile.fifo}\n  - name: b\n    config: /dev/zero\n    weights: ../w.safetensors\n---\nx\n~ y\n`;
  const started = Date.now();
  const parsed = parse(text);
  assert.deepEqual(parsed.diagnostics, []);
  assert.equal(parsed.experiment, null, 'not complete until the files are loaded');
  assert.deepEqual(
    parsed.files.map((f) => [f.model, f.key, f.path, f.range.start.line, f.range.start.column]),
    [
      ['a', 'config', hostile.fifo, 3, 12],
      ['b', 'weights', join(hostile.dir, '..', 'w.safetensors'), 6, 13],
      ['b', 'config', '/dev/zero', 5, 12],
    ],
  );
  const loaded = await loadModelFiles(parsed);
  assert.deepEqual(
    loaded.diagnostics.map((d) => [d.code, d.range.start.line, d.range.start.column]),
    [
      ['not-a-regular-file', 3, 12],
      ['not-a-regular-file', 5, 12],
      ['file-not-found', 6, 13],
    ],
  );
  assert.ok(Date.now() - started >= 0);
});

test('ENOTDIR, ELOOP and ENAMETOOLONG are input errors at the config: value', async () => {
  for (const [path, code, message] of [
    [hostile.fileInTheWay, 'bad-path', `${join(hostile.dir, 'x.prompt')} is a file, not a folder`],
    [hostile.loop, 'bad-path', 'leads into a loop of symbolic links'],
    [hostile.tooLong, 'bad-path', 'is too long for the file system'],
    [join(hostile.dir, 'sub'), 'file-not-found', 'has no config.json'],
  ] as const) {
    const [d] = (await load(gpt2().replace('config: gpt2', `config: ${path}`))).diagnostics;
    assert.equal(d.code, code, path);
    assert.ok(d.message.includes(message), d.message);
    assert.deepEqual(d.range.start, { line: 3, column: 12 });
  }
});

test('a config.json over the cap, and keys named like Object.prototype members in it', async () => {
  const dir = freshDir();
  writeFileSync(join(dir, 'big.json'), `{"model_type": "gpt2", "x": "${'y'.repeat(1 << 20)}"}`);
  mkdirSync(join(dir, 'proto'));
  writeFileSync(
    join(dir, 'proto', 'config.json'),
    '{"model_type": "gpt2", "__proto__": {"n_layer": 1}, "constructor": 1}',
  );
  const parsed = parsePromptFile(gpt2().replace('config: gpt2', 'config: proto'), join(dir, 'p.prompt'));
  const { diagnostics } = await loadModelFiles(parsed);
  assert.deepEqual(
    diagnostics.map((d) => [d.code, d.range.start.line, d.range.start.column]),
    [
      ['unknown-key', 3, 12],
      ['unknown-key', 3, 12],
    ],
  );
  assert.match(diagnostics[0].message, /`__proto__` is not a GPT-2 config key/);
  assert.match(diagnostics[1].message, /`constructor` is not a GPT-2 config key/);
  const bigParsed = parsePromptFile(gpt2().replace('config: gpt2', 'config: big.json'), join(dir, 'b.prompt'));
  const [tooLarge] = (await loadModelFiles(bigParsed)).diagnostics;
  assert.equal(tooLarge.code, 'file-too-large');
  assert.match(tooLarge.message, /big\.json is 10\d{5} bytes; a config file may be at most 1048576 bytes$/);
});

test('keys named like Object.prototype members, in an entry and at the top', () => {
  const keys = ['constructor', '__proto__', 'toString', 'hasOwnProperty'];
  const entry = keys.map((k) => `    ${k}: 1\n`).join('');
  const top = keys
    .filter((k) => k !== '__proto__')
    .map((k) => `${k}: 1\n`)
    .join('');
  const { diagnostics, experiment } = parse(gpt2(entry, top));
  assert.equal(experiment, null);
  assert.deepEqual(
    simplified(diagnostics).map(([code, line, column]) => [code, line, column]),
    [
      ['unknown-key', 4, 4],
      ['unknown-key', 5, 4],
      ['unknown-key', 6, 4],
      ['unknown-key', 7, 4],
      ['unknown-key', 8, 0],
      ['unknown-key', 9, 0],
      ['unknown-key', 10, 0],
    ],
  );
  for (const d of diagnostics) {
    assert.match(d.message, /^`(constructor|__proto__|toString|hasOwnProperty)` is not a/);
    assert.doesNotMatch(d.message, /function Object|\[object/);
  }
});

test('YAML alias bombs and deep nesting are refused at their place, fast', () => {
  const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 9; i++)
    lines.push(
      `a${i}: &a${i} [${Array(9)
        .fill(`*a${i - 1}`)
        .join(', ')}]`,
    );
  const bomb = parse(gpt2(`    task_specific_params: {${lines.join(', ')}}\n`));
  assert.deepEqual(
    simplified(bomb.diagnostics).map(([code, line, column]) => [code, line, column]),
    [['yaml-aliases', 4, 26]],
  );
  const atTop = parse(gpt2('', `atol: {${lines.join(', ')}}\n`));
  assert.equal(atTop.diagnostics[0].code, 'yaml-aliases');

  const deep = parse(gpt2(`    task_specific_params: ${'['.repeat(100_000)}\n`));
  assert.deepEqual(simplified(deep.diagnostics), [
    [
      'yaml-syntax',
      4,
      90,
      'the front matter nests more than 64 lists or maps inside each other here; YAML cannot read that deep',
    ],
  ]);
  const compact = parse(gpt2('', `cases: ${'- '.repeat(10_000)}x\n`));
  assert.equal(compact.diagnostics[0].code, 'yaml-syntax');
  const deepValue = parse(
    gpt2(
      `    task_specific_params: ${'{a: '.repeat(60)}1${'}'.repeat(60)}\n    id2label: ${'[x, '.repeat(40)}${']'.repeat(40)}\n`,
    ),
  );
  assert.deepEqual(deepValue.diagnostics, [], 'sixty levels are fine');
  const complexKey = parse(gpt2('    task_specific_params: {? [a, b]: c}\n'));
  assert.match(complexKey.diagnostics[0].message, /a key inside this value is a list or a map/);
});

test('NaN, infinities and empty values: what is wrong, at the value', () => {
  const cases: [string, string, number, number][] = [
    ['atol: .nan\n', '`atol` must be a number of at least 0, not NaN: NaN is not a tolerance', 4, 6],
    ['rtol: -.Inf\n', '`rtol` must be a number of at least 0, not -Infinity', 4, 6],
    ['atol:\n', '`atol` has no value; write a number such as 1e-3', 4, 0],
    ['seed:\n', '`seed` has no value; write a whole number such as 0', 4, 0],
    ['add_special_tokens: ~\n', '`add_special_tokens` has no value; write `true` or `false`', 4, 20],
  ];
  for (const [top, message, line, column] of cases) {
    const { diagnostics } = parse(gpt2('', top));
    assert.deepEqual(simplified(diagnostics), [['bad-value', line, column, message]], top);
  }
  const entry = parse(gpt2('    n_layer:\n    resid_pdrop: .nan\n'));
  assert.deepEqual(simplified(entry.diagnostics), [
    ['bad-value', 4, 4, '`n_layer` has no value; write a whole number such as 1'],
    [
      'bad-value',
      5,
      17,
      '`resid_pdrop` must be a probability from 0 up to (not including) 1, not NaN: NaN is not a probability',
    ],
  ]);
  const emptyName = parse('---\nmodels:\n  - name:\n    config:\n---\na\n~ b\n');
  assert.deepEqual(simplified(emptyName.diagnostics), [
    ['bad-value', 2, 4, "`name` has no value; write the model's name, such as `gpt2`"],
    [
      'bad-value',
      3,
      4,
      '`config` has no value; write a preset (`gpt2`, `bert-base-uncased`) or the path of a config.json',
    ],
  ]);
});

test('lone CRs are line breaks, as editors show them; every place stays inside its line', () => {
  const cr = gpt2().replace(/\n/g, '\r');
  const parsed = parse(cr);
  assert.deepEqual(parsed.diagnostics, []);
  assert.deepEqual(
    parsed.experiment?.cases.map((c) => [c.base.text, c.variants.map((v) => v.text)]),
    [['the cat sat', ['the dog sat']]],
  );
  const mixed = parse('---\r\nmodels:\r  - name: m\n    config: gpt2\r\n    n_layer: {a: [\r\n---\r~\r');
  for (const d of mixed.diagnostics) {
    const lines = '---\r\nmodels:\r  - name: m\n    config: gpt2\r\n    n_layer: {a: [\r\n---\r~\r'.split(/\r\n|\r|\n/);
    assert.ok(d.range.end.column <= lines[d.range.end.line].length, JSON.stringify(d));
  }
  // A lone `~` is an empty variant: its error stands at the line's end, column 1 (there is no column 2).
  const tilde = parse(gpt2().replace('~ the dog sat', '~'));
  assert.deepEqual(simplified(tilde.diagnostics), [
    ['empty-prompt', 6, 1, 'this variant is empty: write the perturbed prompt after `~ `'],
  ]);
  assert.deepEqual(tilde.diagnostics[0].range.end, { line: 6, column: 1 });
});

test('a file whose every variant is invalid is an error on the closing line, beside each warning', () => {
  const { experiment, diagnostics } = parse(gpt2().replace('~ the dog sat', '~the dog sat'));
  assert.equal(experiment, null);
  assert.deepEqual(
    simplified(diagnostics).map(([code, line, column]) => [code, line, column]),
    [
      ['no-variants', 4, 0],
      ['no-variant', 5, 0],
      ['tilde-without-space', 6, 0],
      ['no-variant', 6, 0],
    ],
  );
});
