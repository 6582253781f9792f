/**
 * One row per model, one column per variant; each cell the verdict as a badge and the evidence
 * behind it. Cells are updated in place as results stream in (the table is rebuilt only when the
 * run's models or variants change), so nothing flickers and scroll positions stay.
 */
import type { ModelSummary, VariantResult } from '../extension/protocol/report';
import type { FromWebview } from '../extension/protocol/webview';
import { el } from './dom';
import { formatNumber, VERDICT_MEANING, variantLabel } from './format';
import { columnsOf, findResult, keyOf, modelsOf, type CellKey, type Column, type ViewState } from './state';

interface CellView {
  button: HTMLButtonElement;
  /** What the cell shows now, so an unchanged cell is not touched. */
  shown: VariantResult | string | null;
  stale: boolean;
}

export class SummaryTable {
  readonly element: HTMLElement;
  private readonly table = el('table', { class: 'summary-table' });
  private readonly empty = el(
    'p',
    { class: 'empty-note' },
    'Results appear here, one row per model, as each comparison finishes.',
  );
  private cells = new Map<string, CellView>();
  private signature = '';

  constructor(
    private readonly onSelect: (cell: CellKey) => void,
    private readonly post: (message: FromWebview) => void,
  ) {
    this.element = el(
      'section',
      { class: 'summary', 'aria-label': 'Summary' },
      el('h2', {}, 'Summary'),
      this.empty,
      el('div', { class: 'table-scroll' }, this.table),
    );
  }

  render(state: ViewState): void {
    const models = modelsOf(state.outline, state.results);
    const columns = columnsOf(state.outline, state.results);
    // Each row's settings too: a re-run after a FIX (say `mode: eval`) has the same models with new settings.
    const metas = state.outline?.models.map(modelMeta);
    const signature = JSON.stringify([models, metas, columns.map((c) => [c.caseIndex, c.variantIndex, c.text])]);
    if (signature !== this.signature) {
      this.signature = signature;
      this.build(state, models, columns);
    }
    this.empty.hidden = models.length > 0;
    for (const model of models)
      for (const column of columns)
        this.updateCell(state, { model, caseIndex: column.caseIndex, variantIndex: column.variantIndex });
    this.markSelected(state.selected);
  }

  private build(state: ViewState, models: string[], columns: Column[]): void {
    this.cells = new Map();
    const head = el(
      'tr',
      {},
      el('th', { class: 'corner', scope: 'col' }, 'Model'),
      ...columns.map((c) =>
        el(
          'th',
          { scope: 'col', class: 'variant-head', title: `${c.baseText}\n→ ${c.text}` },
          el('div', { class: 'variant-label' }, variantLabel(c.caseIndex, c.variantIndex)),
          el('div', { class: 'variant-text' }, c.text),
        ),
      ),
    );
    const rows = models.map((model) => {
      const summary = state.outline?.models.find((m) => m.name === model);
      const name = el(
        'button',
        { class: 'model-link', type: 'button', title: `Show ${model} in the .prompt file` },
        model,
      );
      name.addEventListener('click', () => this.post({ type: 'revealModel', model }));
      const cells = columns.map((column) => {
        const cell: CellKey = { model, caseIndex: column.caseIndex, variantIndex: column.variantIndex };
        const button = el('button', { class: 'result-cell', type: 'button', 'aria-pressed': 'false' });
        button.addEventListener('click', () => this.onSelect(cell));
        this.cells.set(keyOf(cell), { button, shown: null, stale: false });
        return el('td', { 'data-case': column.caseIndex, 'data-variant': column.variantIndex }, button);
      });
      return el(
        'tr',
        { 'data-model': model },
        el(
          'th',
          { scope: 'row', class: 'model-head' },
          name,
          summary ? el('div', { class: 'model-meta' }, modelMeta(summary)) : null,
        ),
        ...cells,
      );
    });
    this.table.replaceChildren(el('thead', {}, head), el('tbody', {}, ...rows));
  }

  private updateCell(state: ViewState, cell: CellKey): void {
    const view = this.cells.get(keyOf(cell));
    if (!view) return;
    const found = findResult(state, cell);
    const stage = state.progress[cell.model]?.stage ?? 'waiting';
    const shown = found ? found.result : state.status.kind === 'running' ? `pending:${stage}` : 'missing';
    const stale = found?.stale ?? false;
    if (view.shown === shown && view.stale === stale) return;
    view.shown = shown;
    view.stale = stale;
    view.button.classList.toggle('stale', stale);
    view.button.disabled = !found;
    if (found) {
      view.button.title = stale
        ? 'From the previous run (waiting for the new result)'
        : `Show the details of ${cell.model}, ${variantLabel(cell.caseIndex, cell.variantIndex)}`;
      view.button.replaceChildren(...cellContent(found.result));
    } else if (shown !== 'missing') {
      view.button.title = 'Running…';
      view.button.replaceChildren(
        el('span', { class: 'spinner', 'aria-hidden': 'true' }),
        el('span', { class: 'pending' }, stage),
      );
    } else {
      view.button.title = 'Not part of the last run';
      view.button.replaceChildren(el('span', { class: 'pending' }, '—'));
    }
  }

  private markSelected(selected: CellKey | undefined): void {
    for (const [key, view] of this.cells) {
      const on = selected !== undefined && key === keyOf(selected);
      view.button.classList.toggle('selected', on);
      view.button.setAttribute('aria-pressed', String(on));
    }
  }
}

function modelMeta(model: ModelSummary): string {
  const causal = model.architecture === 'gpt2' || model.config['is_decoder'] === true;
  return [
    model.architecture === 'gpt2' ? 'GPT-2' : 'BERT',
    causal ? 'causal mask' : 'no causal mask',
    `${model.mode} mode`,
    `${model.numLayers} layers`,
  ].join(' · ');
}

/** The badge and three lines of evidence: where change starts, the earlier positions against the noise floor, allclose at 0. */
export function cellContent(result: VariantResult): Node[] {
  const { evidence, frontier, verdict } = result;
  const earlier =
    evidence.earlierMaxAbsDiff === null
      ? 'no earlier position'
      : `before: max |Δ| ${formatNumber(evidence.earlierMaxAbsDiff)} ${evidence.earlierMaxAbsDiff > evidence.noiseFloor ? '>' : '≤'} noise ${formatNumber(evidence.noiseFloor)}`;
  const allclose = evidence.allcloseAtPosition0 === null ? '—' : String(evidence.allcloseAtPosition0);
  return [
    el('span', { class: 'badge', 'data-verdict': verdict, title: VERDICT_MEANING[verdict] }, verdict),
    el(
      'span',
      { class: 'evidence' },
      el(
        'span',
        { class: 'evidence-line' },
        `first changed ${frontier.firstChanged ?? 'none'} · perturbed ${frontier.firstPerturbed ?? '—'}`,
      ),
      el('span', { class: 'evidence-line' }, earlier),
      el('span', { class: 'evidence-line' }, `allclose @0: ${allclose}`),
    ),
  ];
}
