/**
 * An encoder-decoder's cross-attention (`MeasuredResult.crossAttention`): for one layer at a time (the chooser),
 * the base's and the variant's map of decoder positions (rows, queries) × source positions (columns, keys),
 * each the mean over the decoder's heads, on one linear scale from 0 to the layer's largest weight so the two
 * compare. Source positions the padding mask hides are hatched. The tokens label the axes as text elements (never
 * drawn into the canvas, never parsed); the edited tokens are marked. Hover names the cell and gives its weight
 * and, where both tokens have a counterpart on the other side, the other run's weight there.
 */
import type { Alignment, CrossAttentionMaps, MeasuredResult, TokenView } from '../extension/protocol/report';
import { el, place } from './dom';
import { formatNumber } from './format';
import {
  counterparts,
  edited,
  GAP,
  LABEL_WIDTH,
  MAX_CANVAS_SIDE,
  MAX_CELL,
  MIN_CELL,
  MIN_SIDE_BY_SIDE_CELL,
  SideMap,
  type Axes,
  type Side,
} from './crossAttentionMap';
import { asStackResult } from './stacks';
import type { Palette } from './theme';
import { visibleText } from './tokenStrips';
import { hideTooltip, showTooltip } from './tooltip';

export class CrossAttentionView {
  readonly element: HTMLElement;
  private readonly maps: Record<Side, SideMap>;
  private readonly holder = el('div', { class: 'cross-maps' });
  private readonly chooser: HTMLSelectElement;
  private readonly ramp = el('canvas', { class: 'legend-ramp', 'aria-hidden': 'true' });
  private readonly maxLabel = el('span', { class: 'legend-label num' });
  private readonly resize: ResizeObserver;
  private layer: number;
  private lastWidth = -1;
  private readonly decoderAlignment: Alignment;
  private readonly sourceAlignment: Alignment;

  constructor(
    result: MeasuredResult,
    private readonly cross: CrossAttentionMaps,
    private readonly palette: () => Palette,
  ) {
    const stacks = [result, ...result.otherStacks.map((o) => asStackResult(result, o))];
    const decoder = stacks.find((s) => s.stack === 'decoder') ?? result;
    const encoder = stacks.find((s) => s.stack === 'encoder') ?? result;
    this.decoderAlignment = decoder.alignment;
    this.sourceAlignment = encoder.alignment;
    const axes = (side: Side): Axes => ({
      decoder: side === 'base' ? decoder.baseTokens : decoder.variantTokens,
      source: side === 'base' ? encoder.baseTokens : encoder.variantTokens,
      editedDecoder: edited(decoder.alignment, side),
      editedSource: edited(encoder.alignment, side),
    });
    this.maps = { base: new SideMap('base', axes('base')), variant: new SideMap('variant', axes('variant')) };
    this.holder.append(this.maps.base.element, this.maps.variant.element);
    const layers = cross.base.length;
    this.layer = layers - 1;
    this.chooser = el(
      'select',
      { class: 'cross-layer', 'aria-label': 'Cross-attention layer' },
      ...cross.base.map((_, l) => el('option', { value: l, selected: l === this.layer }, `block ${l}`)),
    );
    this.chooser.addEventListener('change', () => {
      this.layer = Number(this.chooser.value);
      this.paint();
    });
    const anyMasked = cross.keep.some((row) => row.some((k) => k === 0));
    this.element = el(
      'div',
      { class: 'cross-attention' },
      el(
        'div',
        { class: 'cross-controls' },
        el('label', {}, 'Block ', this.chooser),
        el(
          'span',
          { class: 'muted' },
          `of 0–${layers - 1}, as Hugging Face’s cross_attentions · rows: decoder positions (queries) · columns: source positions (keys)`,
        ),
      ),
      el(
        'p',
        { class: 'muted cross-caption' },
        'How much each decoder position attends to each source token, averaged over the heads (each row sums to 1, ' +
          'unless attention dropout is on). ' +
          'This is how a source edit reaches every decoder position.',
      ),
      this.holder,
      el(
        'div',
        { class: 'heatmap-legend cross-legend' },
        el(
          'span',
          { class: 'legend-item' },
          'weight:',
          el('span', { class: 'legend-label num' }, '0'),
          this.ramp,
          this.maxLabel,
        ),
        el('span', { class: 'legend-item' }, el('span', { class: 'cross-edited-key' }, 'tok'), 'edited token'),
        anyMasked ? el('span', { class: 'legend-item' }, 'hatched: source padding (masked)') : null,
      ),
    );
    for (const map of Object.values(this.maps)) this.listen(map);
    this.resize = new ResizeObserver(() => {
      if (this.holder.clientWidth !== this.lastWidth) this.draw();
    });
    this.resize.observe(this.holder);
  }

  dispose(): void {
    this.resize.disconnect();
  }

  draw(): void {
    this.lastWidth = this.holder.clientWidth;
    const width = this.lastWidth || 600;
    const columns = Math.max(this.maps.base.axes.source.length, this.maps.variant.axes.source.length, 1);
    const sideBySide = Math.floor(((width - GAP) / 2 - LABEL_WIDTH) / columns);
    const together = sideBySide >= MIN_SIDE_BY_SIDE_CELL;
    let cell = together
      ? Math.min(MAX_CELL, sideBySide)
      : Math.max(MIN_CELL, Math.min(MAX_CELL, Math.floor((width - LABEL_WIDTH) / columns)));
    // A very long input: cells shrink (below a pixel if need be) so no canvas side passes the browser's limit.
    const longest = Math.max(columns, this.maps.base.axes.decoder.length, this.maps.variant.axes.decoder.length);
    cell = Math.min(cell, MAX_CANVAS_SIDE / longest);
    this.holder.classList.toggle('side-by-side', together);
    for (const map of Object.values(this.maps)) {
      map.layout(cell);
      map.mark(map.focused);
    }
    this.paint();
  }

  private paint(): void {
    const palette = this.palette();
    const base = this.cross.base[this.layer] ?? [];
    const variant = this.cross.variant[this.layer] ?? [];
    let max = 0;
    for (const rows of [base, variant]) for (const row of rows) for (const v of row) if (v > max) max = v;
    this.maps.base.paint(base, this.cross.keep, max, palette);
    this.maps.variant.paint(variant, null, max, palette);
    this.maxLabel.textContent = formatNumber(max);
    this.element.dataset.layer = String(this.layer);
    for (const map of Object.values(this.maps))
      map.canvas.setAttribute(
        'aria-label',
        `Cross-attention of the ${map.side}, block ${this.layer}: ${map.axes.decoder.length} decoder × ${map.axes.source.length} source positions, largest weight ${formatNumber(max)}. Use the arrow keys to read cells.`,
      );
    const ratio = window.devicePixelRatio || 1;
    this.ramp.width = Math.round(120 * ratio);
    this.ramp.height = Math.round(10 * ratio);
    place(this.ramp, { width: 120, height: 10 });
    const c = this.ramp.getContext('2d');
    if (!c) return;
    c.setTransform(ratio, 0, 0, ratio, 0, 0);
    for (let x = 0; x < 120; x++) {
      c.fillStyle = palette.heat.at(x / 119);
      c.fillRect(x, 0, 1, 10);
    }
  }

  private listen(map: SideMap): void {
    map.canvas.addEventListener('pointermove', (event) => {
      const at = map.cellAt(event.offsetX, event.offsetY);
      if (!at) return hideTooltip();
      this.explain(map, at.i, at.j, event.clientX, event.clientY);
    });
    map.canvas.addEventListener('pointerleave', () => hideTooltip());
    map.canvas.addEventListener('blur', () => {
      map.mark(null);
      hideTooltip();
    });
    // The arrow keys walk the cells (from the top-left one), with the same tooltip as the pointer.
    const moves: Record<string, [number, number]> = {
      ArrowLeft: [0, -1],
      ArrowRight: [0, 1],
      ArrowUp: [-1, 0],
      ArrowDown: [1, 0],
    };
    map.canvas.addEventListener('keydown', (event) => {
      const move = Object.hasOwn(moves, event.key) ? moves[event.key] : undefined;
      if (!move) return;
      event.preventDefault();
      const at = map.focused
        ? {
            i: Math.min(map.axes.decoder.length - 1, Math.max(0, map.focused.i + move[0])),
            j: Math.min(map.axes.source.length - 1, Math.max(0, map.focused.j + move[1])),
          }
        : { i: 0, j: 0 };
      map.mark(at);
      const box = map.canvas.getBoundingClientRect();
      this.explain(map, at.i, at.j, box.left + (at.j + 1) * map.cell, box.top + (at.i + 1) * map.cell);
    });
  }

  private explain(map: SideMap, i: number, j: number, x: number, y: number): void {
    const values = (side: Side) => (side === 'base' ? this.cross.base : this.cross.variant)[this.layer];
    const value = values(map.side)?.[i]?.[j];
    const token = (t: TokenView | undefined) => el('code', { class: 'tip-token' }, ...visibleText(t?.text ?? ''));
    const masked = map.side === 'base' && this.cross.keep[i]?.[j] === 0;
    const rows: [string, HTMLElement | string][] = [
      ['decoder', token(map.axes.decoder[i])],
      ['source', token(map.axes.source[j])],
      ['weight', masked ? 'masked (source padding)' : formatNumber(value)],
    ];
    const other: Side = map.side === 'base' ? 'variant' : 'base';
    const oi = counterparts(this.decoderAlignment, map.side).get(i) ?? null;
    const oj = counterparts(this.sourceAlignment, map.side).get(j) ?? null;
    const there = oi === null || oj === null ? undefined : values(other)?.[oi]?.[oj];
    if (there !== undefined && value !== undefined) {
      // Always variant − base, whichever map the pointer is on.
      const delta = map.side === 'variant' ? value - there : there - value;
      const sign = delta >= 0 ? '+' : '−';
      rows.push([other, `${formatNumber(there)} (variant − base ${sign}${formatNumber(Math.abs(delta))})`]);
    } else rows.push([other, 'no counterpart (an edited token on either axis)']);
    showTooltip(x, y, `${map.side} · block ${this.layer} · decoder ${i} → source ${j}`, rows);
  }
}
