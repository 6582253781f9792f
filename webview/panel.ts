/**
 * The panel's parts and what each message updates: the header and summary are updated in place,
 * the detail view only when the selected result changes, the canvases when the theme changes.
 */
import type { VariantResult } from '../extension/protocol/report';
import type { FromWebview, ToWebview } from '../extension/protocol/webview';
import { AnswerView } from './answer';
import { DetailView } from './detail';
import { el } from './dom';
import { FailureBanner } from './failureBanner';
import { Header } from './header';
import { findResult, sameCell, type CellKey, type ViewState } from './state';
import { SummaryTable } from './summaryTable';
import { readPalette, type Palette } from './theme';

export class Panel {
  private readonly header: Header;
  private readonly banner = new FailureBanner();
  private readonly answer = new AnswerView();
  private readonly summary: SummaryTable;
  private readonly detail: DetailView;
  private palette: Palette | null = null;

  constructor(root: HTMLElement, post: (message: FromWebview) => void, select: (cell: CellKey) => void) {
    this.header = new Header(post);
    this.summary = new SummaryTable(select, post);
    this.detail = new DetailView(() => (this.palette ??= readPalette()), post);
    root.replaceChildren(
      this.header.element,
      el(
        'main',
        { class: 'panel-body' },
        this.banner.element,
        this.answer.element,
        this.summary.element,
        this.detail.element,
      ),
    );
    // VS Code swaps the body class (vscode-light / vscode-dark / vscode-high-contrast) and the variables on a theme change.
    new MutationObserver(() => this.themeChanged()).observe(document.body, {
      attributes: true,
      attributeFilter: ['class'],
    });
  }

  render(state: ViewState): void {
    this.header.update(state);
    this.banner.update(state.failure);
    this.answer.render(state);
    this.summary.render(state);
    this.detail.show(findResult(state, state.selected), state.outline?.models ?? []);
    document.body.dataset.status = state.status.kind;
  }

  progress(state: ViewState): void {
    this.header.update(state);
    this.summary.render(state);
  }

  result(state: ViewState, result: VariantResult): void {
    this.header.update(state);
    this.answer.render(state);
    this.summary.render(state);
    if (sameCell(state.selected, result))
      this.detail.show(findResult(state, state.selected), state.outline?.models ?? []);
  }

  /** Rows of a patching grid arrived: the detail's patching card follows if that result is shown. */
  patching(state: ViewState, ref: CellKey): void {
    if (sameCell(state.selected, ref)) this.detail.updatePatching(findResult(state, state.selected));
  }

  /** The answer to a heatmap click: the layer's heads on the selected result, or why there are none. */
  heads(state: ViewState, message: Extract<ToWebview, { type: 'heads' }>): void {
    if (!sameCell(state.selected, message)) return;
    if (message.heads === null) this.detail.headsUnavailable(message.layer, message.message ?? 'no heads came back');
    else this.detail.show(findResult(state, state.selected), state.outline?.models ?? []);
  }

  selectionChanged(state: ViewState): void {
    this.summary.render(state);
    this.detail.show(findResult(state, state.selected), state.outline?.models ?? []);
  }

  themeChanged(): void {
    this.palette = null;
    this.detail.redraw();
  }
}
