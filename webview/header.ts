/**
 * The panel's header: which file, how the run is going (one line per model while models build or
 * run — the first use of a full-size model takes seconds), and the Cancel / Re-run / Export buttons.
 * Built once; `update` only changes texts and visibility.
 */
import type { FromWebview } from '../extension/protocol/webview';
import type { DownloadProgress } from '../extension/protocol/run';
import { el } from './dom';
import { baseName } from './format';
import { columnsOf, modelsOf, type ViewState } from './state';

export class Header {
  readonly element: HTMLElement;
  private readonly fileName = el('h1', { class: 'file-name' }, 'Perturbation Lab');
  private readonly filePath = el('span', { class: 'file-path' });
  private readonly statusIcon = el('span', { class: 'status-icon', 'aria-hidden': 'true' });
  private readonly statusText = el(
    'span',
    { class: 'status-text' },
    'No results yet: run “Perturbation Lab: Compare” on a .prompt file.',
  );
  private readonly statusRow = el(
    'div',
    { class: 'status-row', role: 'status', 'aria-live': 'polite' },
    this.statusIcon,
    this.statusText,
  );
  private readonly progressBar = el(
    'div',
    { class: 'progress-bar', hidden: true },
    el('div', { class: 'progress-bar-fill' }),
  );
  private readonly modelProgress = el('ul', { class: 'model-progress', hidden: true });
  private readonly cancelButton = el(
    'button',
    { class: 'button secondary', type: 'button', hidden: true, 'data-action': 'cancel' },
    'Cancel',
  );
  private readonly rerunButton = el(
    'button',
    { class: 'button', type: 'button', disabled: true, 'data-action': 'rerun' },
    'Re-run',
  );
  private readonly exportButton = el(
    'button',
    { class: 'button secondary', type: 'button', disabled: true, 'data-action': 'export' },
    'Export JSON',
  );
  private runId: string | null = null;

  constructor(post: (message: FromWebview) => void) {
    this.cancelButton.addEventListener('click', () => {
      if (this.runId !== null) post({ type: 'cancel', runId: this.runId });
    });
    this.rerunButton.addEventListener('click', () => post({ type: 'rerun' }));
    this.exportButton.addEventListener('click', () => post({ type: 'exportJson' }));
    this.element = el(
      'header',
      { class: 'panel-header' },
      el(
        'div',
        { class: 'title-row' },
        el('div', { class: 'title' }, this.fileName, this.filePath),
        el('div', { class: 'actions' }, this.cancelButton, this.rerunButton, this.exportButton),
      ),
      this.statusRow,
      this.progressBar,
      this.modelProgress,
    );
  }

  update(state: ViewState): void {
    const { outline, status } = state;
    this.runId = outline?.runId ?? null;
    if (outline) {
      this.fileName.textContent = baseName(outline.file);
      this.filePath.textContent = outline.file === baseName(outline.file) ? '' : outline.file;
    }
    const running = status.kind === 'running';
    this.statusRow.dataset.kind = status.kind;
    this.statusText.textContent = this.statusLine(state);
    this.cancelButton.hidden = !running;
    this.progressBar.hidden = !running;
    this.rerunButton.disabled = outline === null;
    // The host exports the report of the last run that finished: only this run's, once it has finished.
    this.exportButton.disabled = status.kind !== 'finished';
    this.updateModelProgress(state, running);
  }

  private statusLine(state: ViewState): string {
    const { status, results, outline } = state;
    const expected = outline ? columnsOf(outline, []).length * outline.models.length : results.length;
    const known = outline !== null && outline.models.length > 0;
    const count = known ? `${results.length} of ${expected} result${expected === 1 ? '' : 's'}` : 'no results';
    if (!known && status.kind === 'running') return 'Reading the file…';
    switch (status.kind) {
      case 'idle':
        return (
          status.message ??
          (results.length
            ? `${results.length} results`
            : 'No results yet: run “Perturbation Lab: Compare” on a .prompt file.')
        );
      case 'running':
        return `Running — ${count}`;
      case 'finished':
        return `${status.message ?? 'Finished'} · ${count}`;
      case 'failed':
        return state.failure?.kind === 'cancelled' ? `Cancelled · ${count}` : `Failed · ${count}`;
    }
  }

  private updateModelProgress(state: ViewState, running: boolean): void {
    this.modelProgress.hidden = !running;
    if (!running || !state.outline) return;
    const perModel = columnsOf(state.outline, []).length;
    const items = modelsOf(state.outline, state.results).map((model) => {
      const done = state.results.filter((r) => r.model === model).length;
      const progress = state.progress[model];
      const stage = done >= perModel ? 'done' : (progress?.stage ?? 'waiting');
      const message =
        done >= perModel ? `${done} result${done === 1 ? '' : 's'}` : (progress?.message ?? 'waiting for its turn');
      return el(
        'li',
        { class: 'model-progress-item', 'data-stage': stage },
        el('span', { class: 'stage-icon', 'aria-hidden': 'true' }),
        el('span', { class: 'model-name' }, model),
        el('span', { class: 'stage' }, stage),
        el(
          'span',
          { class: 'stage-message' },
          ...(progress?.download && done < perModel ? [downloadBar(progress.download)] : []),
          message,
        ),
      );
    });
    this.modelProgress.replaceChildren(...items);
  }
}

/** Bytes of a Hub download as a bar (the message beside it says the numbers). */
function downloadBar(d: DownloadProgress): HTMLProgressElement {
  const total = Math.max(d.total, 1);
  return el('progress', {
    class: 'download-bar',
    max: total,
    value: Math.min(d.bytes, total),
    'aria-label': `downloaded ${Math.floor((100 * d.bytes) / total)} %`,
  });
}
