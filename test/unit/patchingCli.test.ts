/**
 * Activation patching through the command line, a real child process: `patch:` in a `.prompt` file and
 * `--patch` / `--patch-target`, the grid in `compare --json` (and nothing of it in a plain comparison's JSON),
 * the table's top cells, and the refusals with their place: a variant that does not align with its base token
 * by token, train mode with dropout, an unknown `--patch` value.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freshDir, repoRoot } from '../helpers/paths';
import { referenceFolder } from '../helpers/hfReference';
import { REPORT_VERSION, type ComparisonReport } from '../../extension/protocol/report';
import { measured } from '../helpers/results';
import { writeNonFiniteGpt2 } from '../helpers/nonFiniteCheckpoint';

const cache = freshDir();
const work = freshDir();

function compare(file: string, args: string[] = []) {
  return spawnSync(process.execPath, [join(repoRoot(), 'bin', 'perturbation-lab.js'), 'compare', file, ...args], {
    cwd: work,
    encoding: 'utf8',
    env: { ...process.env, PERTURBATION_LAB_CACHE: cache, NO_COLOR: '1' },
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
}

function promptFile(name: string, header: string, body: string): string {
  const path = join(work, name);
  writeFileSync(path, `---\n${header}\n---\n${body}\n`);
  return path;
}

const llama = `models:
  - name: llama
    weights: ${JSON.stringify(referenceFolder('llama'))}`;

test('compare --json: patch: residual gives a grid per variant; a plain comparison carries none', async () => {
  const file = promptFile(
    'patch.prompt',
    `${llama}\npatch: residual`,
    'Ich will ein Auto kaufen\n~ Ich will dein Auto kaufen',
  );
  const r = compare(file, ['--json']);
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as ComparisonReport;
  assert.equal(report.version, REPORT_VERSION);
  const result = measured(report.results[0]);
  const grid = result.patching;
  assert.ok(grid, 'the result carries its patching grid');
  assert.equal(grid.kind, 'residual');
  assert.equal(grid.columns, result.baseTokens.length);
  assert.equal(grid.target, result.baseTokens.length - 1, 'the default target is the last token');
  assert.equal(grid.rows.length, grid.layers);
  const edit = result.frontier.firstPerturbed!;
  assert.ok((grid.rows[0].effect[edit] ?? 0) > 0, 'the edited position at block 0 moves the target');
  assert.equal(grid.rows[0].fraction![edit], 1, 'patching the only edited token at block 0 restores all of it');
  assert.ok(
    grid.rows.every((row) => row.effect.slice(0, edit).every((x) => x === 0)),
    'causal: nothing before the edit',
  );
  assert.ok(grid.logit && grid.logit.text.length > 0);

  const table = compare(file);
  assert.equal(table.status, 0, table.stderr);
  assert.match(
    table.stdout,
    /patching \(residual: the stream entering each block, one position at a time\), measured at position \d+/,
  );
  assert.match(table.stdout, /block 0, position \d+ "[^"]+": effect [\d.e-]+, restores 1 of the logit change/);

  const plainFile = promptFile('plain.prompt', llama, 'Ich will ein Auto kaufen\n~ Ich will dein Auto kaufen');
  const plain = compare(plainFile, ['--json']);
  assert.equal(plain.status, 0, plain.stderr);
  assert.ok(!('patching' in (JSON.parse(plain.stdout) as ComparisonReport).results[0]));

  // The command line asks for patching of the plain file, heads this time, at position 2.
  const heads = compare(plainFile, ['--json', '--patch', 'heads', '--patch-target', '2']);
  assert.equal(heads.status, 0, heads.stderr);
  const headsGrid = measured((JSON.parse(heads.stdout) as ComparisonReport).results[0]).patching!;
  assert.equal(headsGrid.kind, 'heads');
  assert.equal(headsGrid.target, 2);
  assert.equal(headsGrid.columns, report.models[0].numHeads);
  // Cross-attention heads: Llama has no cross-attention, said at the entry, nothing run.
  const cross = compare(plainFile, ['--patch', 'cross_heads']);
  assert.equal(cross.status, 2);
  assert.match(
    cross.stderr,
    /plain\.prompt:3:5: error: llama: `patch: cross_heads` patches cross-attention heads, but Llama has no cross-attention/,
  );
});

test('patching refuses a variant whose tokens do not align, at the variant, saying which tokens differ', () => {
  const file = promptFile(
    'misaligned.prompt',
    `${llama}\npatch: residual`,
    'Ich will ein Auto kaufen\n~ Ich will ein großes Auto kaufen',
  );
  const r = compare(file);
  assert.equal(r.status, 2, r.stderr);
  assert.match(
    r.stderr,
    /misaligned\.prompt:8:3: error: llama: patching needs the variant to align with its base position by position, but it has \d+ tokens and the base \d+; they differ from position \d+: base .+, variant .+/,
  );
  assert.doesNotMatch(r.stderr, /    at /, 'no stack trace');
});

test('patching refuses train mode with dropout and names the fix; a bad --patch is a usage error', () => {
  const file = promptFile(
    'train.prompt',
    'models:\n  - name: tiny-gpt2\n    config: gpt2\n    n_layer: 2\n    n_embd: 32\n    n_head: 2',
    'The cat sat\n~ The dog sat',
  );
  const r = compare(file, ['--patch', 'residual']);
  assert.equal(r.status, 2, r.stderr);
  assert.match(
    r.stderr,
    /train\.prompt:3:5: error: tiny-gpt2: `patch: residual` needs deterministic runs, but this model is in train mode with dropout \(.*\).*Set `mode: eval`/,
  );
  const bad = compare(file, ['--patch', 'everything']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--patch takes residual, heads or cross_heads, not "everything"/);
});

test('NaN weights: every patched cell is no number (null in --json, said in the table), never an effect of 0', async () => {
  const folder = join(work, 'nan-gpt2');
  await writeNonFiniteGpt2(folder, join(work, 'export-cache'), NaN);
  const file = promptFile(
    'nan.prompt',
    `models:\n  - name: nan-gpt2\n    weights: ${JSON.stringify(folder)}\nmode: eval\npatch: residual\nadd_special_tokens: false`,
    'I will see you\n~ I will see them',
  );
  const r = compare(file, ['--json']);
  assert.equal(r.status, 0, r.stderr);
  const result = measured((JSON.parse(r.stdout) as ComparisonReport).results[0]);
  assert.equal(result.verdict, 'non-finite');
  const grid = result.patching!;
  // Cells equal to the base are not run, but the base's own output is NaN: no cell has a number, skipped or not.
  assert.equal(grid.nonFinite, grid.layers * grid.columns);
  assert.ok(grid.rows.every((row) => row.effect.every((x) => x === null)));
  assert.equal(grid.logit, null);
  const table = compare(file);
  assert.equal(table.status, 0, table.stderr);
  assert.match(table.stdout, new RegExp(`${grid.nonFinite} cells give NaN or ±Inf at the target: no number`));
});

test('an encoder-decoder: a decoder edit patches the decoder, a source edit the encoder, both measured at the decoder', () => {
  const marian = `models:\n  - name: marian\n    weights: ${JSON.stringify(referenceFolder('marian'))}`;
  const body = 'encoder: I want to buy a car\n<pad> Ich will ein\n~ <pad> Du will ein\n~ encoder: I want to buy a cat';
  const file = promptFile('marian.prompt', `${marian}\npatch: residual`, body);
  const r = compare(file, ['--json']);
  assert.equal(r.status, 0, r.stderr);
  const [decoderEdit, sourceEdit] = (JSON.parse(r.stdout) as ComparisonReport).results.map(measured);
  const decoderGrid = decoderEdit.patching!;
  assert.equal(decoderGrid.stack, 'decoder');
  assert.equal(decoderGrid.columns, decoderEdit.baseTokens.length);
  assert.equal(decoderGrid.target, decoderEdit.baseTokens.length - 1);
  const sourceGrid = sourceEdit.patching!;
  assert.equal(sourceGrid.stack, 'encoder');
  assert.equal(sourceGrid.columns, sourceEdit.baseTokens.length, 'a column per source token');
  assert.equal(sourceGrid.target, decoderGrid.target, 'measured at the decoder');
  assert.equal(sourceGrid.targetText, decoderGrid.targetText);
  const edit = sourceEdit.frontier.firstPerturbed!;
  assert.ok((sourceGrid.rows[0].effect[edit] ?? 0) > 0);
  assert.ok(Math.abs((sourceGrid.rows[0].fraction?.[edit] ?? 0) - 1) < 1e-4, 'the edited source token restores it all');
  const table = compare(file);
  assert.equal(table.status, 0, table.stderr);
  assert.match(table.stdout, /measured at the decoder's position \d+/);
  // Heads patching: the self-attention heads of the stack each variant edits, block × head, measured at the decoder.
  const heads = compare(file, ['--patch', 'heads', '--json']);
  assert.equal(heads.status, 0, heads.stderr);
  const [decoderHeads, sourceHeads] = (JSON.parse(heads.stdout) as ComparisonReport).results.map(
    (x) => measured(x).patching!,
  );
  const config = JSON.parse(readFileSync(join(referenceFolder('marian'), 'config.json'), 'utf8')) as Record<
    string,
    number
  >;
  for (const [grid, stack] of [
    [decoderHeads, 'decoder'],
    [sourceHeads, 'encoder'],
  ] as const) {
    assert.equal(grid.kind, 'heads');
    assert.equal(grid.stack, stack);
    assert.equal(grid.layers, config[`${stack}_layers`]);
    assert.equal(grid.columns, config[`${stack}_attention_heads`]);
    assert.equal(grid.target, decoderGrid.target, 'measured at the decoder');
    assert.equal(grid.skipped, 0);
    // Every head of every block carries some of the edit to the last decoder position (all attend to it).
    assert.ok(grid.rows.every((row) => row.effect.every((x) => x !== null && x > 0)));
  }
  const headsTable = compare(file, ['--patch', 'heads']);
  assert.equal(headsTable.status, 0, headsTable.stderr);
  assert.match(headsTable.stdout, /each decoder self-attention head's output/);
  assert.match(headsTable.stdout, /each encoder self-attention head's output/);
  // Cross-attention heads: the decoder's blocks × heads for both edits, measured at the decoder.
  const cross = compare(file, ['--patch', 'cross_heads', '--json']);
  assert.equal(cross.status, 0, cross.stderr);
  const crossGrids = (JSON.parse(cross.stdout) as ComparisonReport).results.map((x) => measured(x).patching!);
  for (const grid of crossGrids)
    assert.deepEqual(
      [grid.kind, grid.stack, grid.layers, grid.columns, grid.target],
      ['cross_heads', 'decoder', config.decoder_layers, config.decoder_attention_heads, decoderGrid.target],
    );
  // The source edit reaches the decoder only through cross-attention: every cross head carries some of it.
  assert.ok(crossGrids[1].rows.every((row) => row.effect.every((x) => x !== null && x > 0)));
  const crossTable = compare(file, ['--patch', 'cross_heads']);
  assert.equal(crossTable.status, 0, crossTable.stderr);
  assert.match(crossTable.stdout, /patching \(cross_heads: each decoder cross-attention head's output\)/);
  // After the decoder edit every cross-attention head moves the output by ~1e-7 (the tiny model's cross-attention is
  // nearly uniform): within float32 rounding, and said so instead of listed.
  // base 0.38 and variant 0.38 at two digits: the change itself is said.
  assert.match(crossTable.stdout, /base [\d.]+, variant [\d.]+ \(change [\d.e-]+\)/);
  const floor = crossGrids[0].roundingFloor;
  assert.ok(crossGrids[0].rows.every((row) => row.effect.every((x) => x !== null && x <= floor)));
  assert.match(crossTable.stdout, /no patch moves the output at the target beyond float32 rounding \(≤ [\d.e-]+\)/);

  // Beside a decoder-only model: the encoder-decoder is patched, the other left out with a warning at its entry.
  const mixed = promptFile('mixed.prompt', `${marian}\n${llama.replace('models:\n', '')}`, body);
  const both = compare(mixed, ['--patch', 'cross_heads', '--json']);
  assert.equal(both.status, 0, both.stderr);
  assert.match(
    both.stderr,
    /mixed\.prompt:5:5: warning: llama is not patched: Llama has no cross-attention .*from --patch/,
  );
  const results = (JSON.parse(both.stdout) as ComparisonReport).results.filter((x) => x.kind === 'measured');
  assert.deepEqual([...new Set(results.filter((x) => measured(x).patching).map((x) => x.model))], ['marian']);
  assert.ok(
    results.some((x) => x.model === 'llama'),
    'llama still compared',
  );
  // Asked at the top of the file, and again with --patch: llama's warning is said once.
  const top = promptFile('top.prompt', `${marian}\n${llama.replace('models:\n', '')}\npatch: cross_heads`, body);
  for (const extra of [[], ['--patch', 'cross_heads']]) {
    const run = compare(top, ['--json', ...extra]);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stderr.match(/llama is not patched/g)?.length, 1, run.stderr);
    assert.match(run.stderr, /top\.prompt:5:5: warning: llama is not patched: .* at the top of the file leaves it out/);
  }
});
