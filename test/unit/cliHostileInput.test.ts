/**
 * The command line against hostile input, as a user would meet it: real FIFOs, `/dev/zero`, loops of
 * symbolic links, over-long names, YAML alias bombs, NaN, prototype keys, terminal control characters,
 * files whose variants are all invalid, and exports that would overwrite the user's files. Each must end
 * (a deadline catches a hang) with exit 2, the place, and nothing raw on the terminal.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostileFolder, makeFifo } from '../helpers/hostileFiles';
import { fixturesDir, freshDir, repoRoot } from '../helpers/paths';
import { writeRawSafetensors } from '../helpers/safetensorsFiles';
import { TINY_BERT_KEYS } from '../helpers/tinyPrompts';

const cache = freshDir();
const work = freshDir();
const hostile = hostileFolder();
/** A hang is a failure: no hostile input may keep the CLI waiting this long. */
const DEADLINE_MS = 60_000;

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [join(repoRoot(), 'bin', 'perturbation-lab.js'), ...args], {
    cwd: work,
    encoding: 'utf8',
    env: { ...process.env, PERTURBATION_LAB_CACHE: cache, NO_COLOR: '1' },
    timeout: DEADLINE_MS,
    maxBuffer: 64 * 1024 * 1024,
  });
  assert.notEqual(r.signal, 'SIGTERM', `perturbation-lab ${args.join(' ')} did not end within ${DEADLINE_MS} ms`);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function promptFile(name: string, text: string): string {
  const path = join(work, name);
  writeFileSync(path, text);
  return path;
}

const TINY_ENTRY = `${TINY_BERT_KEYS}
`;

/** A prompt file with one model whose `config:` is the given value (line 4, column 13). */
const withConfig = (value: string) =>
  `---\nmodels:\n  - name: m\n    config: ${value}\n---\nthe cat sat\n~ the dog sat\n`;

const escaped = (path: string) => path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Any character a terminal acts on, other than the line breaks the CLI writes itself. */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

test('a config: that is a FIFO, /dev/zero, a loop, an over-long name or sits under a file: exit 2 at its place', () => {
  const cases: [string, RegExp][] = [
    [hostile.fifo, /is a FIFO \(named pipe\), not a regular file/],
    ['/dev/zero', /\/dev\/zero is a character device, not a regular file/],
    [hostile.loop, /leads into a loop of symbolic links/],
    [hostile.tooLong, /is too long for the file system/],
    [hostile.fileInTheWay, /x\.prompt is a file, not a folder/],
  ];
  for (const [value, message] of cases) {
    const file = promptFile('hostile-config.prompt', withConfig(value));
    const r = cli(['compare', file]);
    assert.equal(r.code, 2, `${value}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`^${escaped(file)}:4:13: error: `), value);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /\n\s+at |internal error/);
  }
});

test('the .prompt file itself must be a regular file: a FIFO or a device is refused at once', () => {
  for (const path of [makeFifo(freshDir(), 'fifo.prompt'), '/dev/zero']) {
    const r = cli(['compare', path]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /not a regular file/);
  }
});

test('states --out refuses a FIFO (it would block) and a folder, before any model is built', () => {
  const fifo = makeFifo(freshDir(), 'out.json');
  const r = cli(['states', '--config', 'gpt2', '--ids', '1', '--out', fifo]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /--out: .* is a FIFO \(named pipe\), not a regular file.*leave out --out/);
  const folder = cli(['states', '--config', 'gpt2', '--ids', '1', '--out', hostile.dir]);
  assert.equal(folder.code, 2);
  assert.match(folder.stderr, /is a folder; give the path of a \.json file/);
});

test('a YAML alias bomb inside a model entry is an input error at the value, found at once', () => {
  const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 8; i++)
    lines.push(
      `a${i}: &a${i} [${Array(10)
        .fill(`*a${i - 1}`)
        .join(', ')}]`,
    );
  const text = `---\nmodels:\n  - name: m\n    config: gpt2\n    task_specific_params:\n      ${lines.join('\n      ')}\n---\na\n~ b\n`;
  const file = promptFile('bomb.prompt', text);
  const r = cli(['compare', file]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, new RegExp(`${escaped(file)}:6:7: error: this value expands YAML aliases`));
});

test('NaN, Infinity and empty values say what is wrong', () => {
  const top = (line: string) => `---\nmodels:\n  - name: m\n    config: gpt2\n${line}\n---\na\n~ b\n`;
  const nan = cli(['compare', promptFile('nan.prompt', top('atol: .nan'))]);
  assert.equal(nan.code, 2);
  assert.match(nan.stderr, /:5:7: error: `atol` must be a number of at least 0, not NaN: NaN is not a tolerance/);
  const inf = cli(['compare', promptFile('inf.prompt', top('rtol: .inf'))]);
  assert.match(inf.stderr, /`rtol` must be a number of at least 0, not Infinity/);
  const empty = cli(['compare', promptFile('empty.prompt', top('atol:'))]);
  assert.equal(empty.code, 2);
  assert.match(empty.stderr, /:5:1: error: `atol` has no value; write a number such as 1e-3/);
  const emptyConfig = cli(['compare', promptFile('empty-config.prompt', withConfig(''))]);
  assert.match(emptyConfig.stderr, /`config` has no value; write a preset \(`gpt2`, `bert-base-uncased`\) or the path/);
});

test('keys named like Object.prototype members are ordinary unknown keys', () => {
  for (const key of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) {
    const entry = `---\nmodels:\n  - name: m\n    config: gpt2\n    ${key}: 1\n${key === '__proto__' ? '' : `${key}: 2\n`}---\na\n~ b\n`;
    const r = cli(['compare', promptFile('proto.prompt', entry)]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`:5:5: error: \`${key}\` is not a GPT-2 config key`));
    assert.doesNotMatch(r.stderr, /function Object|\[object|native code/, r.stderr);
  }
  const command = cli(['constructor']);
  assert.equal(command.code, 2);
  assert.match(command.stderr, /unknown command "constructor"/);
});

test('a file whose variants are all invalid runs nothing: its warnings and exit 2', () => {
  const head = `---\nmodels:\n  - name: m\n${TINY_ENTRY}---\n`;
  const tilde = cli(['compare', promptFile('tilde.prompt', `${head}the cat sat\n~the dog sat\n`)]);
  assert.equal(tilde.code, 2, tilde.stderr);
  assert.match(tilde.stderr, /:11:1: warning: this line starts with `~` but not `~ `/);
  assert.match(tilde.stderr, /:9:1: error: nothing to compare: no case in this file has a variant/);
  // Lone CRs are line breaks, as every editor shows them: this file has one case with one variant.
  const cr = promptFile('cr.prompt', `${head}the cat sat\r~ the dog sat\r`.replace(/\n/g, '\r'));
  const crRun = cli(['compare', cr, '--json']);
  assert.equal(crRun.code, 0, crRun.stderr);
  assert.equal(JSON.parse(crRun.stdout).results[0].variantText, 'the dog sat');
});

test('control characters in names and prompts never reach the terminal raw', () => {
  const evil = '\u001b]0;pwned\u0007\u001b[2Jx\r\u009b31m\u202e';
  const dup = `---\nmodels:\n  - name: "${JSON.stringify(evil).slice(1, -1)}"\n    config: gpt2\n  - name: "${JSON.stringify(evil).slice(1, -1)}"\n    config: gpt2\n---\na\n~ b\n`;
  const r = cli(['compare', promptFile('evil-dup.prompt', dup)]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /duplicate|already defined/);
  assert.doesNotMatch(r.stderr, RAW_CONTROL, JSON.stringify(r.stderr));
  assert.match(r.stderr, /\\x1b\]0;pwned\\x07\\x1b\[2Jx\\r\\x9b31m\\u202e/);

  const run = `---\nmodels:\n  - name: "${JSON.stringify(evil).slice(1, -1)}"\n${TINY_ENTRY}mode: eval\n---\nthe cat sat \u009b\n~ the dog sat \u202e\n`;
  const ran = cli(['compare', promptFile('evil-run.prompt', run)]);
  assert.equal(ran.code, 0, ran.stderr);
  assert.doesNotMatch(ran.stdout, RAW_CONTROL, JSON.stringify(ran.stdout));
  assert.doesNotMatch(ran.stderr, RAW_CONTROL, JSON.stringify(ran.stderr));
  assert.match(ran.stdout, /\\x1b\]0;pwned/);
  const json = cli(['compare', join(work, 'evil-run.prompt'), '--json']);
  assert.doesNotMatch(json.stdout, RAW_CONTROL);
  assert.equal(JSON.parse(json.stdout).models[0].name, evil, 'the JSON keeps the exact name, escaped');
});

test('export never overwrites without --force, never writes into the folder it reads, leaves no temp folder', () => {
  const tiny = ['--config', 'bert-base-uncased', '--hidden_size', '32', '--num_hidden_layers', '2'];
  const tinyModel = [...tiny, '--num_attention_heads', '4', '--intermediate_size', '37'];
  const out = join(work, 'mine');
  mkdirSync(out);
  writeFileSync(join(out, 'config.json'), 'my own config');
  writeFileSync(join(out, 'notes.txt'), 'keep me');
  const refused = cli(['export', ...tinyModel, '--out', out]);
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, /is not empty \(it holds 2 entries\).*add --force/);
  assert.equal(readFileSync(join(out, 'config.json'), 'utf8'), 'my own config', 'untouched');

  const forced = cli(['export', ...tinyModel, '--out', out, '--force']);
  assert.equal(forced.code, 0, forced.stderr);
  assert.equal(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).hidden_size, 32);
  assert.ok(existsSync(join(out, 'model.safetensors')));
  assert.equal(readFileSync(join(out, 'notes.txt'), 'utf8'), 'keep me', '--force replaces only the two files');

  // A checkpoint's own folder, named through a symbolic link: the real paths are the same.
  const checkpoint = join(work, 'checkpoint');
  cpSync(join(fixturesDir(), 'hf-reference', 'bert'), checkpoint, { recursive: true });
  symlinkSync(checkpoint, join(work, 'link-to-checkpoint'));
  const before = readFileSync(join(checkpoint, 'model.safetensors'));
  for (const target of [checkpoint, join(work, 'link-to-checkpoint')]) {
    const self = cli(['export', '--weights', checkpoint, '--out', target, '--force']);
    assert.equal(self.code, 2, self.stderr);
    assert.match(self.stderr, /is the folder this model is read from/);
  }
  assert.ok(readFileSync(join(checkpoint, 'model.safetensors')).equals(before), 'the checkpoint is untouched');
  const intoCache = cli(['export', ...tinyModel, '--out', join(cache, 'models', 'x')]);
  assert.equal(intoCache.code, 2);
  assert.match(intoCache.stderr, /inside the model cache/);

  const fresh = join(work, 'new', 'folder');
  assert.equal(cli(['export', ...tinyModel, '--out', fresh]).code, 0);
  // The model and its tokenizer (the bundled BERT vocabulary as a fast tokenizer's files).
  assert.deepEqual(readdirSync(fresh).sort(), [
    'config.json',
    'model.safetensors',
    'special_tokens_map.json',
    'tokenizer.json',
    'tokenizer_config.json',
  ]);
  assert.deepEqual(
    readdirSync(work).filter((n) => n.includes('.partial')),
    [],
    'no temporary folder is left beside the targets',
  );
  assert.deepEqual(readdirSync(join(work, 'new')), ['folder']);
});

test('a sharded checkpoint loads like the single file; an index pointing outside its folder is refused', () => {
  const bert = join(fixturesDir(), 'hf-reference', 'bert');
  const single = cli(['states', '--weights', bert, '--ids', '1,2,3']);
  assert.equal(single.code, 0, single.stderr);

  // The same tensors split over two shards (raw bytes copied as they are).
  const sharded = join(work, 'sharded');
  mkdirSync(sharded);
  cpSync(join(bert, 'config.json'), join(sharded, 'config.json'));
  const bytes = readFileSync(join(bert, 'model.safetensors'));
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')) as Record<
    string,
    { data_offsets: number[] }
  >;
  const names = Object.keys(header).filter((n) => n !== '__metadata__');
  const weightMap: Record<string, string> = {};
  [names.slice(0, names.length / 2), names.slice(names.length / 2)].forEach((part, i) => {
    const shard = `model-0000${i + 1}-of-00002.safetensors`;
    const shardHeader: Record<string, unknown> = { __metadata__: { format: 'pt' } };
    const chunks: Buffer[] = [];
    let cursor = 0;
    for (const name of part) {
      const [begin, end] = header[name].data_offsets;
      chunks.push(bytes.subarray(8 + headerLength + begin, 8 + headerLength + end));
      shardHeader[name] = { ...header[name], data_offsets: [cursor, cursor + end - begin] };
      cursor += end - begin;
      weightMap[name] = shard;
    }
    writeRawSafetensors(join(sharded, shard), shardHeader, Buffer.concat(chunks));
  });
  writeFileSync(join(sharded, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: weightMap }));
  const fromShards = cli(['states', '--weights', sharded, '--ids', '1,2,3']);
  assert.equal(fromShards.code, 0, fromShards.stderr);
  assert.deepEqual(JSON.parse(fromShards.stdout).hidden_states, JSON.parse(single.stdout).hidden_states);

  const fifoShard = join(work, 'fifo-shard');
  mkdirSync(fifoShard);
  makeFifo(fifoShard, 'evil.safetensors');
  for (const [target, message] of [
    [
      '../model.safetensors',
      /names \.\.\/model\.safetensors; every shard must be a \.safetensors file beside the index/,
    ],
    ['/etc/passwd', /names \/etc\/passwd; every shard must be/],
    ['sub/x.safetensors', /every shard must be/],
    ['evil.safetensors', /evil\.safetensors is a FIFO \(named pipe\), not a regular file/],
  ] as const) {
    const dir = target === 'evil.safetensors' ? fifoShard : freshDir();
    writeFileSync(join(dir, 'config.json'), readFileSync(join(bert, 'config.json')));
    writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify({ weight_map: { 'a.weight': target } }));
    const text = `---\nmodels:\n  - name: m\n    weights: ${dir}\n---\na\n~ b\n`;
    const r = cli(['compare', promptFile('shards.prompt', text)]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /:4:14: error: /);
    assert.match(r.stderr, message);
  }
});

test('forged safetensors headers are refused at the weights: value', () => {
  const dir = freshDir();
  const forged: [string, unknown, number, RegExp][] = [
    [
      'overlap.safetensors',
      {
        a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] },
        b: { dtype: 'F32', shape: [4], data_offsets: [8, 24] },
      },
      24,
      /tensors a and b overlap in the file/,
    ],
    [
      'outside.safetensors',
      { a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } },
      8,
      /tensor a lies outside the file/,
    ],
    [
      'metadata.safetensors',
      { __metadata__: 'pt', a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } },
      4,
      /`__metadata__` must be a map of text to text/,
    ],
    [
      'metadata-values.safetensors',
      { __metadata__: { format: 1 }, a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } },
      4,
      /`__metadata__` must be a map of text to text \(format is not text\)/,
    ],
    [
      'dtype.safetensors',
      { a: { dtype: 'constructor', shape: [1], data_offsets: [0, 4] } },
      4,
      /tensor a has an unknown dtype constructor/,
    ],
  ];
  for (const [name, header, dataBytes, message] of forged) {
    writeRawSafetensors(join(dir, name), header, Buffer.alloc(dataBytes));
    const text = `---\nmodels:\n  - name: m\n    config: gpt2\n    weights: ${join(dir, name)}\n---\na\n~ b\n`;
    const r = cli(['compare', promptFile('forged.prompt', text)]);
    assert.equal(r.code, 2, `${name}: ${r.stderr}`);
    assert.match(r.stderr, /:5:14: error: /, name);
    assert.match(r.stderr, message, name);
  }
});
