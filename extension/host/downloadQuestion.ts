/**
 * The question before a large download from the Hugging Face Hub: a modal dialog with the total, each repo's
 * share and where the files go, answered Download or Cancel. The runner waits for the answer and fetches
 * nothing meanwhile; a run cancelled or crashed while the dialog is open drops its answer.
 */
import * as vscode from 'vscode';
import type { RunnerToHost } from '../protocol/runner';
import type { DownloadProgress } from '../protocol/run';
import { formatBytes } from '../protocol/sizes';

type Question = Extract<RunnerToHost, { type: 'confirmDownload' }>;

export const DOWNLOAD = 'Download';

/** The dialog's texts (the repo ids and revisions are the user's own text, shown as plain text). */
export function downloadQuestionText(q: Question): { message: string; detail: string } {
  const repos = q.repos.map(
    (r) =>
      `${r.repoId}${r.revision === 'main' ? '' : ` @ ${r.revision}`}: ${formatBytes(r.bytes)} (${r.models.join(', ')})`,
  );
  return {
    message: `Download ${formatBytes(q.total)} from the Hugging Face Hub?`,
    detail:
      `${repos.join('\n')}\n\nInto ${q.cacheDir}, the cache Python's huggingface_hub shares: downloaded once, then used with no network. ` +
      `Downloads above ${formatBytes(q.threshold)} are confirmed first (setting perturbationLab.hub.confirmDownloadAbove).`,
  };
}

/** Asks; true when the user chose Download. */
export async function askToDownload(q: Question): Promise<boolean> {
  const { message, detail } = downloadQuestionText(q);
  const choice = await vscode.window.showWarningMessage(message, { modal: true, detail }, DOWNLOAD);
  return choice === DOWNLOAD;
}

export function percentOf(d: DownloadProgress): number {
  return d.total > 0 ? Math.floor((100 * d.bytes) / d.total) : 100;
}
