/**
 * The host → panel messages the panel tests replay, recorded from real runs (test/webview/recorder.ts
 * writes test/webview/recorded/*.json; recorded.test.ts and seedExperiment.test.ts check that they are what
 * the engine produces now): the seed experiment with its four outcomes, appending a token, a mid-sentence edit
 * with two variants, NaN weights and all-zero weights, a run whose file, model, prompt and tokens carry
 * markup, a 512-token prompt, and a file with an error. Only the runner crash is written here: the host
 * makes that message itself from the runner's exit, and no test should kill a process to get its words.
 */
import type { VariantResult, Verdict } from '../../extension/protocol/report';
import type { ToWebview } from '../../extension/protocol/webview';
import { IMG_TOKEN, readRecording, SCRIPT_TEXT, type RecordingName } from './recorder';

export { IMG_TOKEN, SCRIPT_TEXT };
export const PAD_TOKEN = '<pad>';
export const SEED_FILE = 'examples/encoder-vs-decoder.prompt';
export const SEED_BASE = '<pad> Ich will ein';

export const SEED_VERDICTS: Record<string, Verdict> = {
  gpt2: 'causal',
  'bert-causal': 'nondeterministic',
  'bert-causal-eval': 'causal',
  bert: 'bidirectional',
};

/** A recorded run with its run id replaced (a test may replay the same run as two runs). */
export function recordedRun(name: RecordingName, runId = `${name}-run`): ToWebview[] {
  return readRecording(name).map((m): ToWebview =>
    m.type === 'runStarted' ? { ...m, run: { ...m.run, runId } } : { ...m, runId },
  );
}

export const seedRunMessages = (runId = 'seed-run') => recordedRun('seed', runId);

export function resultsOf(messages: readonly ToWebview[]): VariantResult[] {
  return messages.flatMap((m) => (m.type === 'result' ? [m.result] : []));
}

/** Where the finished message sits: everything before it streams in while the run is going. */
export function finishedAt(messages: readonly ToWebview[]): number {
  return messages.findIndex((m) => m.type === 'runFinished' || m.type === 'runFailed');
}

/** What the host posts when the runner process dies mid-run (RunnerClient's words for a kill). */
export const runnerCrashed = (runId: string): ToWebview => ({
  type: 'runFailed',
  runId,
  kind: 'runner-crashed',
  message:
    'The runner process was killed by SIGKILL; its last words: [bert-causal] opening the model | <pad> allocation of 436207616 bytes failed. It restarts on the next run.',
});
