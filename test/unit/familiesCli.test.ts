/**
 * Fidelity through the real pipeline: Hugging Face's own tiny Llama, Qwen2, BART and Marian folders (saved by
 * `save_pretrained` with their tokenizers) given as `--weights FOLDER` to `perturbation-lab states`, a real child
 * process — config.json → model_type → registry record → the one build path → the session — compute every
 * hidden state, attention and cross-attention within 1e-5 of reference.json and the logits within 1e-4, for
 * every run: the left-padded one (`--attention-mask`, positions not shifted) and BART's and Marian's shorter
 * decoder input included. The folder's tokenizer gives Hugging Face's ids for the ten texts with and without
 * special tokens (in process, through the spec the command line resolves), and the command line's `--text`
 * and `--encoder-text` give the article's ids.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { modelSpecFromOptions } from '../../extension/lab/config';
import { loadTokenizer } from '../../extension/lab/tokenizers';
import { freshDir, repoRoot } from '../helpers/paths';
import { maxAbsDiff, referenceFolder } from '../helpers/hfReference';
import {
  DECODER_FIXTURES,
  loadFamilyReference,
  SEQ2SEQ_FIXTURES,
  type DecoderRun,
  type Seq2SeqRun,
} from '../helpers/familyReference';

const cache = freshDir();
const work = freshDir();

function states(args: string[]): Record<string, unknown> {
  const r = spawnSync(process.execPath, [join(repoRoot(), 'bin', 'perturbation-lab.js'), 'states', ...args], {
    cwd: work,
    encoding: 'utf8',
    env: { ...process.env, PERTURBATION_LAB_CACHE: cache, NO_COLOR: '1' },
    timeout: 120_000,
    maxBuffer: 256 * 1024 * 1024,
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

/** Nested lists flattened row-major, as reference.json stores a layer. */
const flat = (x: unknown): number[] => (Array.isArray(x) ? x.flatMap(flat) : [x as number]);

interface Worst {
  hidden: number;
  attention: number;
  cross: number;
  logits: number;
}

function check(worst: Worst, kind: keyof Worst, what: string, actual: unknown, expected: number[], tol: number) {
  const diff = maxAbsDiff(flat(actual), expected);
  worst[kind] = Math.max(worst[kind], diff);
  assert.ok(diff <= tol, `${what} differs by ${diff}`);
}

function checkLayers(
  worst: Worst,
  kind: keyof Worst,
  what: string,
  actual: unknown,
  expected: number[][],
  tol: number,
) {
  const layers = actual as unknown[];
  assert.equal(layers.length, expected.length, `${what}: number of layers`);
  expected.forEach((e, l) => check(worst, kind, `${what}.${l}`, layers[l], e, tol));
}

const list = (ids: number[]) => ids.join(',');

for (const model of DECODER_FIXTURES) {
  test(`${model} through \`states --weights\`: every run within 1e-5 (logits 1e-4), the left-padded one included`, async (t) => {
    const reference = loadFamilyReference<DecoderRun>(model);
    const worst: Worst = { hidden: 0, attention: 0, cross: 0, logits: 0 };
    for (const [name, run] of Object.entries(reference.runs)) {
      const mask = run.attention_mask?.[0];
      const out = states([
        '--weights',
        referenceFolder(model),
        '--ids',
        list(run.input_ids[0]),
        ...(mask ? ['--attention-mask', list(mask)] : []),
      ]);
      assert.deepEqual(out.input_ids, run.input_ids[0]);
      checkLayers(worst, 'hidden', `${model}/${name}/hidden_states`, out.hidden_states, run.hidden_states.data, 1e-5);
      checkLayers(worst, 'attention', `${model}/${name}/attentions`, out.attentions, run.attentions.data, 1e-5);
      check(worst, 'logits', `${model}/${name}/logits`, out.logits, run.logits.data, 1e-4);
    }
    t.diagnostic(
      `${model}: largest difference vs Hugging Face: hidden ${worst.hidden.toExponential(2)}, attention ${worst.attention.toExponential(2)}, logits ${worst.logits.toExponential(2)}`,
    );
  });
}

for (const model of SEQ2SEQ_FIXTURES) {
  test(`${model} through \`states --weights --encoder-ids\`: both stacks, cross-attention and logits of every run`, async (t) => {
    const reference = loadFamilyReference<Seq2SeqRun>(model);
    const worst: Worst = { hidden: 0, attention: 0, cross: 0, logits: 0 };
    for (const [name, run] of Object.entries(reference.runs)) {
      const out = states([
        '--weights',
        referenceFolder(model),
        '--encoder-ids',
        list(run.input_ids[0]),
        '--ids',
        list(run.decoder_input_ids[0]),
      ]);
      assert.deepEqual([out.input_ids, out.decoder_input_ids], [run.input_ids[0], run.decoder_input_ids[0]]);
      const at = `${model}/${name}`;
      checkLayers(
        worst,
        'hidden',
        `${at}/encoder_hidden_states`,
        out.encoder_hidden_states,
        run.encoder_hidden_states.data,
        1e-5,
      );
      checkLayers(
        worst,
        'hidden',
        `${at}/decoder_hidden_states`,
        out.decoder_hidden_states,
        run.decoder_hidden_states.data,
        1e-5,
      );
      checkLayers(
        worst,
        'attention',
        `${at}/encoder_attentions`,
        out.encoder_attentions,
        run.encoder_attentions.data,
        1e-5,
      );
      checkLayers(
        worst,
        'attention',
        `${at}/decoder_attentions`,
        out.decoder_attentions,
        run.decoder_attentions.data,
        1e-5,
      );
      checkLayers(worst, 'cross', `${at}/cross_attentions`, out.cross_attentions, run.cross_attentions.data, 1e-5);
      check(worst, 'logits', `${at}/logits`, out.logits, run.logits.data, 1e-4);
    }
    t.diagnostic(
      `${model}: largest difference vs Hugging Face: hidden ${worst.hidden.toExponential(2)}, attention ${worst.attention.toExponential(2)}, cross-attention ${worst.cross.toExponential(2)}, logits ${worst.logits.toExponential(2)}`,
    );
  });
}

for (const model of [...DECODER_FIXTURES, ...SEQ2SEQ_FIXTURES]) {
  test(`${model}: the folder's own tokenizer gives Hugging Face's ids for the ten texts, with and without special tokens`, async () => {
    const spec = await modelSpecFromOptions(new Map([['weights', referenceFolder(model)]]), work);
    assert.deepEqual(spec.tokenizer, { kind: 'folder', folder: referenceFolder(model) });
    const tokenizer = await loadTokenizer(spec.tokenizer, cache);
    const cases = loadFamilyReference(model).tokenizer;
    assert.equal(cases.length, 10);
    for (const c of cases) {
      assert.deepEqual(tokenizer.encode(c.text, false).ids, c.ids, `${model}: ${JSON.stringify(c.text)}`);
      assert.deepEqual(
        tokenizer.encode(c.text, true).ids,
        c.ids_special,
        `${model}: ${JSON.stringify(c.text)} (special)`,
      );
      assert.deepEqual(
        tokenizer.encode(c.text, false).tokens.map((x) => x.text),
        c.tokens,
        `${model}: tokens of ${JSON.stringify(c.text)}`,
      );
    }
  });
}

test("the article's inputs as text: the source with special tokens, the decoder input as written", () => {
  const marian = loadFamilyReference<Seq2SeqRun>('marian').runs.base;
  const fromText = states([
    '--weights',
    referenceFolder('marian'),
    '--encoder-text',
    'I want to buy a car',
    '--text',
    '<pad> Ich will ein',
  ]);
  // Marian's `<pad>` is a special token: it becomes the pad id, its decoder start token.
  assert.deepEqual(
    [fromText.input_ids, fromText.decoder_input_ids],
    [marian.input_ids[0], marian.decoder_input_ids[0]],
  );
  assert.equal((fromText.decoder_tokens as string[])[0], '<pad>');
  const bart = loadFamilyReference<Seq2SeqRun>('bart').runs.base;
  const bartText = states([
    '--weights',
    referenceFolder('bart'),
    '--encoder-text',
    'I want to buy a car',
    '--text',
    '</s>Ich will ein',
  ]);
  assert.deepEqual([bartText.input_ids, bartText.decoder_input_ids], [bart.input_ids[0], bart.decoder_input_ids[0]]);
  const llama = loadFamilyReference<DecoderRun>('llama');
  const llamaText = states(['--weights', referenceFolder('llama'), '--text', 'Ich will ein']);
  assert.deepEqual(llamaText.input_ids, llama.tokenizer.find((c) => c.text === 'Ich will ein')!.ids_special);
});

test('states refuses what does not fit the model with a usage error, never a stack', () => {
  const run = (args: string[]) =>
    spawnSync(process.execPath, [join(repoRoot(), 'bin', 'perturbation-lab.js'), 'states', ...args], {
      cwd: work,
      encoding: 'utf8',
      env: { ...process.env, PERTURBATION_LAB_CACHE: cache, NO_COLOR: '1' },
      timeout: 120_000,
    });
  const marian = referenceFolder('marian');
  const cases: [string[], RegExp][] = [
    [['--weights', marian, '--ids', '2,41'], /encoder-decoder: give its source as --encoder-text/],
    [['--weights', referenceFolder('llama'), '--ids', '1,2', '--encoder-ids', '3'], /has no encoder/],
    [['--weights', marian, '--ids', '2,41', '--encoder-ids', '1,2', '--attention-mask', '1'], /1 values for 2 tokens/],
    [['--weights', marian, '--ids', '2,41', '--encoder-ids', '1,2', '--attention-mask', '0,2'], /"2" is not 0 or 1/],
    [['--weights', marian, '--ids', '2,41', '--encoder-ids', '1,2', '--attention-mask', '0,0'], /masks every token/],
    [
      ['--config', 'Qwen/Qwen2.5-0.5B', '--num_hidden_layers', '1', '--text', 'hello'],
      /needs a tokenizer: the lab ships no Qwen2 tokenizer/,
    ],
  ];
  for (const [args, message] of cases) {
    const r = run(args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
});
