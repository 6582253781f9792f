/**
 * The summary: one block per variant (its prompt texts on top), one row per model with the verdict as
 * a badge and the two lines of evidence behind it. Blocks sit side by side when the panel is wide and
 * stack when it is narrow, so no variant hides behind a horizontal scrollbar. Cells are updated in
 * place as results stream in (the blocks are rebuilt only when the run's models or variants change),
 * so nothing flickers and scroll positions stay.
 */
import type { ModelSummary, VariantResult } from '../extension/protocol/report';
import type { FromWebview } from '../extension/protocol/webview';
import { cellEvidence } from './cellEvidence';
import { el } from './dom';
import { modelMeta, VERDICT_MEANING, variantLabel } from './format';
import { columnsOf, findResult, keyOf, modelsOf, type CellKey, type Column, type ViewState } from './state';

interface CellView {
  button: HTMLButtonElement;
  /** What the cell shows now, so an unchanged cell is not touched. */
  shown: VariantResult | string | null;
  stale: boolean;
}

export class SummaryTable {
  readonly element: HTMLElement;
  private readonly blocks = el('div', { class: 'variant-blocks' });
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
    this.element = el('section', { class: 'summary', 'aria-label': 'Summary' }, this.empty, this.blocks);
  }

  render(state: ViewState): void {
    const models = modelsOf(state.outline, state.results);
    const columns = columnsOf(state.outline, state.results);
    const summaries = models.map((m) => state.outline?.models.find((s) => s.name === m) ?? null);
    const signature = JSON.stringify([summaries, models, columns.map((c) => [c.caseIndex, c.variantIndex, c.text])]);
    if (signature !== this.signature) {
      this.signature = signature;
      this.build(state, models, columns);
    }
    // After a run that ended without results the banner says why; "results appear here" would not be true.
    this.empty.hidden = models.length > 0 || state.status.kind === 'failed' || state.status.kind === 'finished';
    for (const model of models)
      for (const column of columns)
        this.updateCell(state, { model, caseIndex: column.caseIndex, variantIndex: column.variantIndex });
    this.markSelected(state.selected);
  }

  private build(state: ViewState, models: string[], columns: Column[]): void {
    this.cells = new Map();
    const blocks = columns.map((column) => {
      const shown = whereTheyDiffer(column.baseText, column.text);
      const rows = models.map((model) => {
        const cell: CellKey = { model, caseIndex: column.caseIndex, variantIndex: column.variantIndex };
        const button = el('button', { class: 'result-cell', type: 'button', 'aria-pressed': 'false' });
        button.addEventListener('click', () => this.onSelect(cell));
        this.cells.set(keyOf(cell), { button, shown: null, stale: false });
        return el(
          'tr',
          { 'data-model': model },
          el('th', { scope: 'row', class: 'model-head' }, ...this.modelHead(model, state.outline?.models)),
          el('td', { 'data-case': column.caseIndex, 'data-variant': column.variantIndex }, button),
        );
      });
      return el(
        'section',
        { class: 'variant-block', 'data-case': column.caseIndex, 'data-variant': column.variantIndex },
        el(
          'header',
          { class: 'variant-head' },
          el('div', { class: 'variant-label' }, variantLabel(column.caseIndex, column.variantIndex)),
          el(
            'div',
            { class: 'variant-texts' },
            el('code', { class: 'variant-base', title: column.baseText }, shown.base),
            el('span', { class: 'variant-arrow', 'aria-label': 'becomes' }, '→'),
            el('code', { class: 'variant-text', title: column.text }, shown.variant),
          ),
        ),
        el('table', { class: 'summary-table' }, el('tbody', {}, ...rows)),
      );
    });
    this.blocks.replaceChildren(...blocks);
  }

  private modelHead(model: string, summaries: readonly ModelSummary[] | undefined): Node[] {
    const summary = summaries?.find((m) => m.name === model);
    const name = el(
      'button',
      { class: 'model-link', type: 'button', title: `Show ${model} in the .prompt file` },
      model,
    );
    name.addEventListener('click', () => this.post({ type: 'revealModel', model }));
    if (!summary) return [name];
    const meta = modelMeta(summary);
    return [
      name,
      el(
        'div',
        {
          class: 'model-meta',
          title: summary.weights.kind === 'checkpoint' ? summary.weights.path : summary.weights.description,
        },
        // Each part unbroken with the dot after it, so a wrapped line never starts with "·".
        ...meta.flatMap((part, i) => [
          i > 0 ? ' ' : null,
          el('span', { class: 'meta-part' }, i < meta.length - 1 ? `${part} ·` : part),
        ]),
      ),
    ];
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
        ? 'From the previous run of this file (waiting for the new result)'
        : `Show the details of ${cell.model}, ${variantLabel(cell.caseIndex, cell.variantIndex)}`;
      view.button.replaceChildren(...cellContent(found.result, stale));
    } else if (shown !== 'missing') {
      view.button.title = 'Running…';
      view.button.replaceChildren(
        el('span', { class: 'spinner', 'aria-hidden': 'true' }),
        el('span', { class: 'pending' }, stage),
      );
    } else {
      view.button.title = 'No result in this run';
      view.button.replaceChildren(el('span', { class: 'pending' }, 'no result'));
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

/** The badge and the evidence lines behind it; a result of the last run says so on screen, not only in a tooltip. */
export function cellContent(result: VariantResult, stale = false): Node[] {
  const evidence =
    result.kind === 'measured'
      ? cellEvidence(result).map((line) => el('span', { class: 'evidence-line' }, ...line))
      : [el('span', { class: 'evidence-line' }, 'no encoder: the encoder: line does not apply')];
  return [
    el(
      'span',
      { class: 'badge', 'data-verdict': result.verdict, title: VERDICT_MEANING[result.verdict] },
      result.verdict,
    ),
    el(
      'span',
      { class: 'evidence' },
      stale ? el('span', { class: 'evidence-line stale-tag' }, 'last run — this run’s result is coming') : null,
      ...evidence,
    ),
  ];
}

/**
 * Long prompts lose their common beginning ("…alert(4)</script> ein" → "…alert(4)</script> das"), so the
 * part that differs is what fits; the whole texts are in the tooltip and in the detail view.
 */
export function whereTheyDiffer(base: string, variant: string, limit = 40): { base: string; variant: string } {
  if (base.length <= limit && variant.length <= limit) return { base, variant };
  let common = 0;
  while (common < base.length && common < variant.length && base[common] === variant[common]) common++;
  // Back to a word start, keeping one word of context before the difference.
  const wordStart = base.lastIndexOf(' ', common - 1);
  const cut = wordStart <= 0 ? 0 : Math.max(0, base.lastIndexOf(' ', wordStart - 1) + 1);
  if (cut < 8) return { base, variant };
  return { base: `…${base.slice(cut)}`, variant: `…${variant.slice(cut)}` };
}
