/**
 * Records the panel's messages from real runs: each recording is a `.prompt` file run by the runner's own
 * `executeRun` (tokenizers, models and comparison for real, in this process), its events turned into
 * panel messages by the host's own `panelMessageFor`. The panel tests replay these files
 * (test/webview/recorded/*.json); `recorded.test.ts` and `seedExperiment.test.ts` check that they are
 * what the engine produces now, and rewrite them when run with PLAB_REGENERATE=1.
 */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { panelMessageFor } from '../../extension/host/panelMessages';
import type { ModelStore } from '../../extension/lab/models/modelStore';
import type { ComparisonReport } from '../../extension/protocol/report';
import type { RunnerToHost } from '../../extension/protocol/runner';
import type { ToWebview } from '../../extension/protocol/webview';
import { DownloadConfirmations } from '../../extension/runner/hub';
import { executeRun } from '../../extension/runner/executeRun';
import { writeNonFiniteGpt2 } from '../helpers/nonFiniteCheckpoint';
import { repoRoot } from '../helpers/paths';
import { referenceFolder } from '../helpers/hfReference';

/** How paths under the recording's temporary folder are written in the recorded messages. */
export const WORKSPACE = '/workspace';

const TINY_BERT = 'hidden_size: 32\n    num_hidden_layers: 2\n    num_attention_heads: 4\n    intermediate_size: 37';
export const IMG_TOKEN = '<img src=x onerror=alert(1)>';
export const SCRIPT_TEXT = '<script>alert(4)</script>';

interface RecordingSpec {
  /** The file as the panel names it (the host shows the workspace-relative path). */
  label: string;
  /** Full-size models (gpt2, bert-base): recorded and checked where those models are built anyway. */
  fullSize: boolean;
  /** The file's text; for an example, read from examples/. */
  text: () => string;
  /** Files the prompt needs beside it (a checkpoint). */
  setup?: (dir: string) => Promise<void>;
}

const example = (name: string) => () => readFileSync(join(repoRoot(), 'examples', name), 'utf8');

export const RECORDINGS = {
  seed: { label: 'examples/encoder-vs-decoder.prompt', fullSize: true, text: example('encoder-vs-decoder.prompt') },
  append: { label: 'examples/append-a-token.prompt', fullSize: true, text: example('append-a-token.prompt') },
  midSentence: {
    label: 'examples/mid-sentence-edit.prompt',
    fullSize: true,
    text: example('mid-sentence-edit.prompt'),
  },
  numerics: {
    label: 'untrustworthy-numbers.prompt',
    fullSize: false,
    text: () =>
      '---\nmodels:\n  - name: nan-gpt2\n    weights: nan-gpt2\n' +
      `  - name: zero-bert\n    config: bert-base-uncased\n    is_decoder: true\n    initializer_range: 0\n    ${TINY_BERT}\n` +
      'mode: eval\nadd_special_tokens: false\n---\nI will see you\n~ I will see them\n',
    setup: async (dir) => {
      await writeNonFiniteGpt2(join(dir, 'nan-gpt2'), join(dir, 'export-cache'), NaN);
    },
  },
  hostile: {
    label: `${IMG_TOKEN}.prompt`,
    fullSize: false,
    text: () =>
      `---\nmodels:\n  - name: tiny-<b>bert</b>\n    config: bert-base-uncased\n    is_decoder: true\n    ${TINY_BERT}\n` +
      'mode: eval\nadd_special_tokens: false\n---\n' +
      `<pad> ${IMG_TOKEN} ${SCRIPT_TEXT} ein\n~ <pad> ${IMG_TOKEN} ${SCRIPT_TEXT} das\n`,
  },
  long: {
    label: 'long-prompt.prompt',
    fullSize: false,
    text: () => {
      const words = Array.from({ length: 512 }, (_, i) => ['the', 'cat', 'sat', 'on', 'a', 'mat'][i % 6]);
      const variant = [...words.slice(0, 300), 'very', ...words.slice(300)];
      return (
        `---\nmodels:\n  - name: tiny-bert\n    config: bert-base-uncased\n    max_position_embeddings: 520\n    ${TINY_BERT}\n` +
        `mode: eval\nadd_special_tokens: false\n---\n${words.join(' ')}\n~ ${variant.join(' ')}\n`
      );
    },
  },
  article: {
    label: 'encoder-decoder-article.prompt',
    fullSize: false,
    text: () =>
      '---\nmodels:\n  - name: marian\n    weights: marian\n  - name: tiny-gpt2\n    config: gpt2\n' +
      '    n_layer: 2\n    n_embd: 32\n    n_head: 4\nmode: eval\n---\n' +
      'encoder: I want to buy a car\n<pad> Ich will ein\n~ <pad> Ich will das\n~ encoder: I want to buy a house\n',
    // Hugging Face's tiny MarianMT with its tokenizer, copied so its paths read the same on every machine.
    setup: async (dir) => {
      cpSync(referenceFolder('marian'), join(dir, 'marian'), { recursive: true });
    },
  },
  patching: {
    label: 'patching.prompt',
    fullSize: false,
    text: () =>
      '---\nmodels:\n  - name: llama\n    weights: llama\n    patch: residual\n' +
      '  - name: llama-heads\n    weights: llama\n    patch: heads\n---\n' +
      'Ich will ein Auto kaufen\n~ Ich will dein Auto kaufen\n',
    // Hugging Face's tiny Llama with its tokenizer (Hugging Face's hooks give the same grid: patching.json).
    setup: async (dir) => {
      cpSync(referenceFolder('llama'), join(dir, 'llama'), { recursive: true });
    },
  },
  patchingSeq2seq: {
    label: 'patching-marian.prompt',
    fullSize: false,
    text: () =>
      '---\nmodels:\n  - name: marian\n    weights: marian\n    patch: residual\n' +
      '  - name: marian-heads\n    weights: marian\n    patch: heads\n' +
      '  - name: marian-cross\n    weights: marian\n    patch: cross_heads\n---\n' +
      'encoder: I want to buy a car\n<pad> Ich will ein\n~ <pad> Du will ein\n~ encoder: I want to buy a cat\n',
    // Hugging Face's tiny MarianMT: a decoder edit patches the decoder, a source edit the encoder (streams or heads);
    // cross_heads patches the decoder's cross-attention heads for both.
    setup: async (dir) => {
      cpSync(referenceFolder('marian'), join(dir, 'marian'), { recursive: true });
    },
  },
  // Version 4 read-outs: the logit lens and one layer's heads, on Hugging Face's tiny Llama and MarianMT
  // (their own tokenizers) and a tiny random bidirectional BERT (its leak heads).
  lens: {
    label: 'lens-and-heads.prompt',
    fullSize: false,
    text: () =>
      '---\nmodels:\n  - name: llama\n    weights: llama\n  - name: marian\n    weights: marian\n' +
      `  - name: tiny-bert\n    config: bert-base-uncased\n    ${TINY_BERT}\n` +
      'mode: eval\nadd_special_tokens: false\nlens: 3\nheads: 1\n---\n' +
      'encoder: I want to buy a car\n<pad> Ich will ein Auto\n~ <pad> Ich will das Auto\n',
    setup: async (dir) => {
      cpSync(referenceFolder('llama'), join(dir, 'llama'), { recursive: true });
      cpSync(referenceFolder('marian'), join(dir, 'marian'), { recursive: true });
    },
  },
  inputError: {
    label: 'broken.prompt',
    fullSize: false,
    text: () => '---\nmodels:\n  - name: gpt2\n    config: gpt2\n    n_layers: 2\n---\nhello\n~ hullo\n',
  },
} satisfies Record<string, RecordingSpec>;

export type RecordingName = keyof typeof RECORDINGS;

export interface Recorded {
  messages: ToWebview[];
  /** The report the run ended with (runs that fail have none). */
  report: ComparisonReport | null;
}

/** Runs one recording in `dir` with `store` and returns the messages the host would post to the panel. */
export async function record(name: RecordingName, dir: string, store: ModelStore): Promise<Recorded> {
  const spec: RecordingSpec = RECORDINGS[name];
  mkdirSync(dir, { recursive: true });
  await spec.setup?.(dir);
  const file = join(dir, spec.label.split('/').pop()!);
  const text = spec.text();
  writeFileSync(file, text);
  const runId = `${name}-run`;
  const messages: ToWebview[] = [{ type: 'runStarted', run: { runId, file: spec.label } }];
  let report: ComparisonReport | null = null;
  const started = Date.now();
  await executeRun(
    { requestId: runId, file, text },
    { cacheDir: store.cacheDir, threads: 0, trusted: true },
    store,
    new AbortController().signal,
    (event: RunnerToHost) => {
      if (event.type === 'ready' || event.type === 'initError') return;
      if (event.type === 'done') report = event.report;
      messages.push(panelMessageFor(runId, event, Date.now() - started));
    },
    new DownloadConfirmations(),
  );
  // Paths of the temporary folder read the same on every machine.
  const stable = (x: unknown) => JSON.parse(JSON.stringify(x).split(dir).join(WORKSPACE));
  return { messages: stable(messages), report: report && stable(report) };
}

export function recordedPath(name: RecordingName): string {
  return join(repoRoot(), 'test', 'webview', 'recorded', `${name}.json`);
}

export function writeRecording(name: RecordingName, messages: ToWebview[]): void {
  writeFileSync(recordedPath(name), JSON.stringify(messages) + '\n');
}

export function readRecording(name: RecordingName): ToWebview[] {
  return JSON.parse(readFileSync(recordedPath(name), 'utf8')) as ToWebview[];
}

export const regenerating = (): boolean => process.env.PLAB_REGENERATE === '1';
