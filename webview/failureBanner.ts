/** Says why a run did not finish: the runner died (and why), the file has errors (each message), it was cancelled. */
import { el, prose } from './dom';
import { icon } from './icons';
import type { FailureInfo } from './state';

const TITLE: Record<FailureInfo['kind'], string> = {
  'runner-crashed': 'The runner process died',
  input: 'The prompt file has errors',
  untrusted: 'Models from this workspace are not run in Restricted Mode',
  cancelled: 'Run cancelled',
  internal: 'Something went wrong inside Perturbation Lab',
};

const HINT: Record<FailureInfo['kind'], string> = {
  'runner-crashed': 'It restarts on the next run; the results this run received before it died are kept below.',
  input: 'Fix them in the editor (they are also listed in the Problems panel), then re-run.',
  untrusted:
    'Trust this workspace (Manage Workspace Trust) to run models from its paths; presets without workspace files still run.',
  cancelled: 'The results this run received before the cancel are kept below.',
  internal: 'The output channel “Perturbation Lab” has the details.',
};

export class FailureBanner {
  readonly element = el('div', { class: 'banner', role: 'alert', hidden: true });

  update(failure: FailureInfo | null): void {
    this.element.hidden = failure === null;
    if (failure === null) {
      this.element.replaceChildren();
      return;
    }
    this.element.dataset.kind = failure.kind;
    const details = failure.details.length
      ? el('ul', { class: 'banner-details' }, ...failure.details.map((line) => el('li', {}, prose(line))))
      : null;
    this.element.replaceChildren(
      el(
        'div',
        { class: 'banner-icon' },
        icon(failure.kind === 'cancelled' || failure.kind === 'untrusted' ? 'info' : 'warning'),
      ),
      el(
        'div',
        { class: 'banner-body' },
        el('div', { class: 'banner-title' }, TITLE[failure.kind]),
        el('div', { class: 'banner-message' }, failure.message),
        details,
        el('div', { class: 'banner-hint' }, HINT[failure.kind]),
      ),
    );
  }
}
