/**
 * The question before a large download from the Hugging Face Hub: a notification with the total, each repo's
 * share and where the files go, answered Download or Cancel (closing it is Cancel). The runner waits for the
 * answer and fetches nothing meanwhile. A notification, not a modal dialog, so the run can still be cancelled
 * from its progress notification, the status bar or the panel while the question waits; a run that ended
 * meanwhile drops its answer.
 */
import * as vscode from 'vscode';
import type { RunnerToHost } from '../protocol/runner';
import type { DownloadProgress } from '../protocol/run';
import { formatBytes } from '../protocol/sizes';

type Question = Extract<RunnerToHost, { type: 'confirmDownload' }>;

export const DOWNLOAD = 'Download';
export const CANCEL = 'Cancel';

/** The question's text (the repo ids and revisions are the user's own text, shown as plain text). */
export function downloadQuestionText(q: Question): string {
  const repos = q.repos.map(
    (r) =>
      `${r.repoId}${r.revision === 'main' ? '' : ` @ ${r.revision}`}: ${formatBytes(r.bytes)} (${r.models.join(', ')})`,
  );
  return (
    `Perturbation Lab: download ${formatBytes(q.total)} from the Hugging Face Hub? ${repos.join('; ')}. ` +
    `Into ${q.cacheDir}, the cache Python's huggingface_hub shares: downloaded once, then used with no network. ` +
    `(Downloads above ${formatBytes(q.threshold)} are confirmed first: perturbationLab.hub.confirmDownloadAbove.)`
  );
}

/** Asks; true when the user chose Download (closing the notification is Cancel). */
export async function askToDownload(q: Question): Promise<boolean> {
  const choice = await vscode.window.showWarningMessage(downloadQuestionText(q), DOWNLOAD, CANCEL);
  return choice === DOWNLOAD;
}

export function percentOf(d: DownloadProgress): number {
  return d.total > 0 ? Math.floor((100 * d.bytes) / d.total) : 100;
}
