/**
 * The selected result in full: the diagnosis first (the answer), then the aligned token strips, the
 * layer × position heatmap (and, for a nondeterministic model, the control run's heatmap on the same
 * scale: the evidence that the edit's change is noise), and the attention mask, next-token shift and
 * control run. Rebuilt only when the selected result itself changes, keeping the horizontal scroll of
 * its strips and heatmaps.
 */
import type { MeasuredResult, ModelSummary, NotApplicableResult, VariantResult } from '../extension/protocol/report';
import type { FromWebview } from '../extension/protocol/webview';
import { AttentionMaskView } from './attentionMask';
import { controlView } from './controlRun';
import { CrossAttentionView } from './crossAttention';
import { diagnosisView, evidenceView } from './diagnosis';
import { el, type Child } from './dom';
import { modelMeta, variantLabel } from './format';
import { Heatmap } from './heatmap';
import { HeatmapLegend } from './heatmapLegend';
import { heatDomain } from './heatmapScale';
import { controlSource, variantSource } from './heatSource';
import { nextTokenView } from './nextToken';
import { editedStackWords, otherStackView } from './stacks';
import { keyOf } from './state';
import type { Palette } from './theme';
import { TokenStrips } from './tokenStrips';
import { hideTooltip } from './tooltip';
import { PatchingView } from './patchingView';
import { HeadGrid } from './headGrid';
import { logitLensView } from './logitLens';

export class DetailView {
  readonly element = el('section', { class: 'detail', 'aria-label': 'Details', hidden: true });
  private shown: { key: string; result: MeasuredResult; stale: boolean } | null = null;
  private heatmaps: Heatmap[] = [];
  private legend: HeatmapLegend | null = null;
  private mask: AttentionMaskView | null = null;
  private strips: TokenStrips | null = null;
  private readonly patching: PatchingView;
  private patchingCard: HTMLElement | null = null;
  private headGrid: HeadGrid | null = null;
  /** Says what a heatmap click set off (computing a layer's heads, or why they did not come). */
  private headsStatus: HTMLElement | null = null;
  private cross: CrossAttentionView | null = null;
  private otherLegends: HeatmapLegend[] = [];

  constructor(
    private readonly palette: () => Palette,
    private readonly post: (message: FromWebview) => void,
  ) {
    this.patching = new PatchingView(palette);
  }

  /** A patching grid grew (rows stream in): only its card is redrawn, the rest of the detail stays. */
  updatePatching(found: { result: VariantResult; stale: boolean } | null): void {
    const result = found?.result;
    if (!result || result.kind !== 'measured' || this.shown?.key !== keyOf(result) || !this.patchingCard) return;
    this.shown.result = result;
    this.patching.update(result);
    this.patchingCard.hidden = result.patching === undefined;
  }

  show(found: { result: VariantResult; stale: boolean } | null, models: readonly ModelSummary[]): void {
    if (found === null) {
      this.dispose();
      this.shown = null;
      this.element.hidden = true;
      this.element.replaceChildren();
      return;
    }
    if (found.result.kind === 'not-applicable') {
      this.showNotApplicable(found.result, models);
      return;
    }
    const { stale } = found;
    const result = found.result;
    const key = keyOf(result);
    if (this.shown && this.shown.result === result && this.shown.stale === stale) return;
    const sameCell = this.shown?.key === key;
    const keepScroll = sameCell
      ? { heatmap: this.heatmaps[0]?.scrollLeft ?? 0, strips: this.strips?.scroller?.scrollLeft ?? 0 }
      : null;
    this.shown = { key, result, stale };
    this.dispose();
    hideTooltip();

    const model = models.find((m) => m.name === result.model);
    const strips = new TokenStrips(result);
    const sources = [variantSource(result)];
    // The same input twice differs beyond rounding: its own grid is the evidence, on the same colour scale.
    const noisy = !result.control.identical && result.evidence.noiseFloor > result.evidence.roundingFloor;
    if (noisy) sources.push(controlSource(result));
    const domain = heatDomain(result.evidence.roundingFloor, sources);
    // A click on a row asks the runner for the heads of the block that wrote that hidden state
    // (hidden_states[l] comes out of attentions[l − 1]; the embeddings' row asks for the first block).
    const pickLayer = (state: number) => {
      const layer = Math.max(0, state - 1);
      const { model, caseIndex, variantIndex } = result;
      if (this.headsStatus) this.headsStatus.textContent = `Computing the heads of block ${layer}…`;
      this.post({ type: 'requestHeads', model, caseIndex, variantIndex, layer });
    };
    const heatmaps = sources.map(
      (source, i) =>
        new Heatmap(result, source, domain, this.palette, (pair) => hover(pair), i === 0 ? pickLayer : undefined),
    );
    const hover = (pair: number | null) => {
      strips.highlight(pair);
      for (const h of heatmaps) h.highlightColumn(pair);
    };
    strips.onHover(hover);
    const legend = new HeatmapLegend(domain, result, sources);
    const mask = new AttentionMaskView(result, this.palette);
    // An encoder-decoder: every other stack with its own heatmap, and the cross-attention between them.
    const others = result.otherStacks.map((o) => otherStackView(result, o, this.palette));
    const cross = result.crossAttention ? new CrossAttentionView(result, result.crossAttention, this.palette) : null;
    this.strips = strips;
    this.heatmaps = [...heatmaps, ...others.map((o) => o.heatmap)];
    this.otherLegends = others.map((o) => o.legend);
    this.cross = cross;
    this.legend = legend;
    this.mask = mask;
    const headGrid = result.attentionHeads ? new HeadGrid(result, result.attentionHeads, this.palette) : null;
    this.headGrid = headGrid;
    const headsStatus = el(
      'p',
      { class: 'muted heads-status', role: 'status' },
      headGrid ? '' : 'Click a row of the heatmap above to see that layer’s attention, head by head.',
    );
    this.headsStatus = headsStatus;

    this.element.classList.toggle('stale', stale);
    this.element.hidden = false;
    this.element.replaceChildren(
      detailHead(result, model, stale),
      el(
        'dl',
        { class: 'prompt-texts' },
        el('dt', {}, result.edits === 'encoder' ? 'source' : 'base'),
        el('dd', {}, el('code', {}, result.baseText)),
        el('dt', {}, result.edits === 'encoder' ? 'source variant' : 'variant'),
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
      card(
        result.stack === 'model'
          ? 'Max |Δ| of the hidden state, by layer and position'
          : `Max |Δ| of the ${result.stack}'s hidden state, by layer and position`,
        'heatmap-card',
        editedStackWords(result),
        heatmaps[0].element,
        noisy
          ? el(
              'div',
              { class: 'control-heatmap' },
              el('h4', {}, 'The same input run twice (the control run), on the same scale'),
              el(
                'p',
                { class: 'muted control-caption' },
                'Dropout or other randomness changes these cells with no edit at all: where they look like the grid above, ' +
                  'the edit’s change cannot be told from noise.',
              ),
              heatmaps[1].element,
            )
          : null,
        legend.element,
      ),
      ...others.map((o) => o.element),
      ...(cross
        ? [card('Cross-attention: decoder × source, mean over heads', 'cross-attention-card', cross.element)]
        : []),
      (this.patchingCard = card('Activation patching', 'patching-card', this.patching.element)),
      el(
        'div',
        { class: 'card-row' },
        card('Attention mask', 'mask-card', mask.element),
        card('Next token', 'next-token-card', nextTokenView(result.nextToken, model)),
        card('Control run', 'control-card', controlView(result.control, result.nonFinite !== null)),
      ),
      // Asked for with `lens:` / `heads:` (report version 4).
      ...(result.logitLens ? [card('Logit lens', 'lens-card', logitLensView(result, result.logitLens))] : []),
      card('Attention, head by head', 'heads-card', headsStatus, headGrid ? headGrid.element : null),
    );
    this.patching.update(result);
    this.patchingCard.hidden = result.patching === undefined;
    mask.draw();
    headGrid?.draw();
    legend.draw(this.palette());
    for (const l of this.otherLegends) l.draw(this.palette());
    cross?.draw();
    if (keepScroll) {
      for (const h of heatmaps) {
        h.draw();
        h.scrollLeft = keepScroll.heatmap;
      }
      if (strips.scroller) strips.scroller.scrollLeft = keepScroll.strips;
    } else {
      strips.revealEdit();
    }
  }

  /** A variant the model cannot read: why, and nothing measured. */
  private showNotApplicable(result: NotApplicableResult, models: readonly ModelSummary[]): void {
    this.dispose();
    hideTooltip();
    this.shown = null;
    const model = models.find((m) => m.name === result.model);
    this.element.classList.remove('stale');
    this.element.hidden = false;
    this.element.replaceChildren(
      detailHead(result, model, false),
      el(
        'dl',
        { class: 'prompt-texts' },
        el('dt', {}, 'source variant'),
        el('dd', {}, el('code', {}, result.variantText)),
      ),
      card('Not applicable', 'diagnosis-card', el('p', { class: 'explanation' }, result.explanation)),
    );
  }

  /** The heads of `layer` could not be computed: said where they would be. */
  headsUnavailable(layer: number, message: string): void {
    if (this.headsStatus)
      this.headsStatus.textContent = `The heads of block ${layer} could not be computed: ${message}`;
  }

  /** After a theme change: the canvases read the new colours. */
  redraw(): void {
    for (const h of this.heatmaps) h.draw();
    this.legend?.draw(this.palette());
    for (const l of this.otherLegends) l.draw(this.palette());
    this.mask?.draw();
    this.patching.redraw();
    this.headGrid?.draw();
    this.cross?.draw();
  }

  private dispose(): void {
    for (const h of this.heatmaps) h.dispose();
    this.heatmaps = [];
    this.legend = null;
    this.headGrid = null;
    this.cross?.dispose();
    this.cross = null;
    this.otherLegends = [];
  }
}

/** The model and the variant a detail is about, the model as it ran, and whether it is from the previous run. */
function detailHead(result: VariantResult, model: ModelSummary | undefined, stale: boolean): HTMLElement {
  return el(
    'div',
    { class: 'detail-head' },
    el(
      'h2',
      {},
      el('span', { class: 'detail-model' }, result.model),
      el('span', { class: 'detail-variant' }, variantLabel(result.caseIndex, result.variantIndex)),
    ),
    model ? el('div', { class: 'detail-meta model-meta' }, modelMeta(model).join(' · ')) : null,
    stale
      ? el('span', { class: 'stale-note' }, 'from the previous run of this file — waiting for the new result')
      : null,
  );
}

function card(title: string, className: string, ...content: Child[]): HTMLElement {
  return el('section', { class: `card ${className}` }, el('h3', {}, title), ...content);
}
