/**
 * The selected result in full: the diagnosis first (the answer), then the aligned token strips, the
 * layer × position heatmap, and the attention mask, next-token shift and control run. Rebuilt only
 * when the selected result itself changes, keeping the horizontal scroll of its strips and heatmap.
 */
import type { VariantResult } from '../extension/protocol/report';
import type { FromWebview } from '../extension/protocol/webview';
import { AttentionMaskView } from './attentionMask';
import { controlView } from './controlRun';
import { diagnosisView, evidenceView } from './diagnosis';
import { el, type Child } from './dom';
import { variantLabel } from './format';
import { Heatmap } from './heatmap';
import { nextTokenView } from './nextToken';
import { keyOf } from './state';
import type { Palette } from './theme';
import { TokenStrips } from './tokenStrips';
import { hideTooltip } from './tooltip';

export class DetailView {
  readonly element = el('section', { class: 'detail', 'aria-label': 'Details', hidden: true });
  private shown: { key: string; result: VariantResult; stale: boolean } | null = null;
  private heatmap: Heatmap | null = null;
  private mask: AttentionMaskView | null = null;
  private strips: TokenStrips | null = null;

  constructor(
    private readonly palette: () => Palette,
    private readonly post: (message: FromWebview) => void,
  ) {}

  show(found: { result: VariantResult; stale: boolean } | null): void {
    if (found === null) {
      this.heatmap?.dispose();
      this.heatmap = null;
      this.shown = null;
      this.element.hidden = true;
      this.element.replaceChildren();
      return;
    }
    const { result, stale } = found;
    const key = keyOf(result);
    if (this.shown && this.shown.result === result && this.shown.stale === stale) return;
    const sameCell = this.shown?.key === key;
    const keepScroll = sameCell
      ? { heatmap: this.heatmap?.scrollLeft ?? 0, strips: this.strips?.scroller?.scrollLeft ?? 0 }
      : null;
    this.shown = { key, result, stale };
    this.heatmap?.dispose();
    hideTooltip();

    const strips = new TokenStrips(result);
    const heatmap = new Heatmap(result, this.palette, (pair) => strips.highlight(pair));
    strips.onHover((pair) => heatmap.highlightColumn(pair));
    const mask = new AttentionMaskView(result, this.palette);
    this.strips = strips;
    this.heatmap = heatmap;
    this.mask = mask;

    this.element.classList.toggle('stale', stale);
    this.element.hidden = false;
    this.element.replaceChildren(
      el(
        'div',
        { class: 'detail-head' },
        el(
          'h2',
          {},
          el('span', { class: 'detail-model' }, result.model),
          el('span', { class: 'detail-variant' }, variantLabel(result.caseIndex, result.variantIndex)),
        ),
        stale ? el('span', { class: 'stale-note' }, 'from the previous run — waiting for the new result') : null,
      ),
      el(
        'dl',
        { class: 'prompt-texts' },
        el('dt', {}, 'base'),
        el('dd', {}, el('code', {}, result.baseText)),
        el('dt', {}, 'variant'),
        el('dd', {}, el('code', {}, result.variantText)),
      ),
      card(
        'Diagnosis',
        'diagnosis-card',
        el(
          'div',
          { class: 'diagnosis-layout' },
          diagnosisView(result, ({ code }) => {
            const { model, caseIndex, variantIndex } = result;
            this.post({ type: 'applyFix', model, caseIndex, variantIndex, code });
          }),
          evidenceView(result),
        ),
      ),
      card('Tokens', 'tokens-card', strips.element),
      card('Max |Δ| of the hidden state, by layer and position', 'heatmap-card', heatmap.element),
      el(
        'div',
        { class: 'card-row' },
        card('Attention mask', 'mask-card', mask.element),
        card('Next token', 'next-token-card', nextTokenView(result.nextToken)),
        card('Control run', 'control-card', controlView(result.control)),
      ),
    );
    mask.draw();
    if (keepScroll) {
      heatmap.draw();
      heatmap.scrollLeft = keepScroll.heatmap;
      if (strips.scroller) strips.scroller.scrollLeft = keepScroll.strips;
    } else {
      strips.revealEdit();
    }
  }

  /** After a theme change: the canvases read the new colours. */
  redraw(): void {
    this.heatmap?.draw();
    this.mask?.draw();
  }
}

function card(title: string, className: string, ...content: Child[]): HTMLElement {
  return el('section', { class: `card ${className}` }, el('h3', {}, title), ...content);
}
