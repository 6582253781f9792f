/**
 * Layers (rows, 0 = embeddings … L) × aligned positions (columns) of max |Δ|, drawn on one
 * <canvas> so a 512-token × 13-layer comparison is a few thousand rectangles, not thousands of
 * elements. Cells at or below the noise floor are drawn flat grey, apart from the colour scale;
 * pairs where a side has no token are hatched. Hover (or the arrow keys) shows the cell's numbers.
 */
import type { VariantResult } from '../extension/protocol/report';
import { el, place } from './dom';
import { formatNumber, layerName } from './format';
import { HeatmapLegend } from './heatmapLegend';
import { heatDomain, type HeatDomain } from './heatmapScale';
import type { Palette } from './theme';
import { positionLabel } from './tokenStrips';
import { hideTooltip, showTooltip } from './tooltip';
import { quote } from './tokenText';

/** Height of the position axis above the cells. */
const AXIS = 18;
const MIN_CELL_WIDTH = 4;
const MAX_CELL_WIDTH = 44;
/** Chromium refuses canvases wider than 32767 device pixels; stay well under at 2× density. */
const MAX_CANVAS_WIDTH = 15000;

interface Cell {
  row: number;
  column: number;
}

export class Heatmap {
  readonly element: HTMLElement;
  private readonly canvas = el('canvas', { class: 'heatmap-canvas', tabindex: 0, role: 'img' });
  private readonly cursor = el('div', { class: 'heat-cursor', hidden: true });
  private readonly columnCursor = el('div', { class: 'heat-column-cursor', hidden: true });
  private readonly scroller: HTMLElement;
  private readonly legend: HeatmapLegend;
  private readonly domain: HeatDomain;
  private readonly layers;
  private cellWidth = 12;
  private cellHeight = 18;
  private focused: Cell | null = null;
  private lastWidth = -1;

  constructor(
    private readonly result: VariantResult,
    private readonly palette: () => Palette,
    private readonly onHoverColumn: (pairIndex: number | null) => void,
  ) {
    this.layers = [...result.layers].sort((a, b) => a.layer - b.layer);
    this.domain = heatDomain(result);
    this.cellHeight = this.layers.length <= 16 ? 18 : this.layers.length <= 32 ? 12 : 8;
    const rowLabels = el('div', { class: 'heatmap-rows', 'aria-hidden': 'true' }, el('div', { class: 'heatmap-axis-spacer' }));
    for (const layer of this.layers) {
      const label = el('div', { class: 'heatmap-row-label' }, layer.layer === 0 ? 'emb' : String(layer.layer));
      place(label, { height: this.cellHeight });
      rowLabels.appendChild(label);
    }
    place(rowLabels.firstChild as HTMLElement, { height: AXIS });
    this.scroller = el('div', { class: 'heatmap-scroll' }, el('div', { class: 'heatmap-canvas-wrap' }, this.canvas, this.columnCursor, this.cursor));
    this.legend = new HeatmapLegend(this.domain, result);
    this.element = el('div', { class: 'heatmap' }, el('div', { class: 'heatmap-body' }, rowLabels, this.scroller), this.legend.element);
    this.canvas.dataset.rows = String(this.layers.length);
    this.canvas.dataset.columns = String(result.alignment.pairs.length);
    this.canvas.setAttribute('aria-label', this.describe());
    this.listen();
    // Drawn once the element has a width, and again when the panel is resized.
    new ResizeObserver(() => {
      if (this.scroller.clientWidth !== this.lastWidth) this.draw();
    }).observe(this.scroller);
  }

  get scrollLeft(): number {
    return this.scroller.scrollLeft;
  }

  set scrollLeft(value: number) {
    this.scroller.scrollLeft = value;
  }

  draw(): void {
    this.lastWidth = this.scroller.clientWidth;
    const columns = this.result.alignment.pairs.length;
    const available = (this.lastWidth || 600) - 2;
    this.cellWidth = Math.max(MIN_CELL_WIDTH, Math.min(MAX_CELL_WIDTH, Math.floor(available / Math.max(1, columns))));
    if (columns * this.cellWidth > MAX_CANVAS_WIDTH) this.cellWidth = Math.max(1, Math.floor(MAX_CANVAS_WIDTH / columns));
    const width = columns * this.cellWidth;
    const height = AXIS + this.layers.length * this.cellHeight;
    const ratio = window.devicePixelRatio || 1;
    this.canvas.width = Math.round(width * ratio);
    this.canvas.height = Math.round(height * ratio);
    place(this.canvas, { width, height });
    this.canvas.dataset.cellWidth = String(this.cellWidth);
    this.canvas.dataset.cellHeight = String(this.cellHeight);
    const context = this.canvas.getContext('2d');
    if (!context) return;
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    const palette = this.palette();
    this.paint(context, palette, width, height);
    this.legend.draw(palette);
    if (this.focused) this.moveCursor(this.focused);
  }

  /** Outlines a column (the token strip's hovered pair). */
  highlightColumn(pairIndex: number | null): void {
    this.columnCursor.hidden = pairIndex === null;
    if (pairIndex !== null) place(this.columnCursor, { left: pairIndex * this.cellWidth, top: AXIS, width: this.cellWidth, height: this.layers.length * this.cellHeight });
  }

  private paint(context: CanvasRenderingContext2D, palette: Palette, width: number, height: number): void {
    const { cellWidth: w, cellHeight: h } = this;
    const gap = w >= 6 ? 1 : 0;
    context.fillStyle = palette.background;
    context.fillRect(0, 0, width, height);
    const hatch = hatchPattern(context, palette);
    this.layers.forEach((layer, row) => {
      const y = AXIS + row * h;
      for (let column = 0; column < layer.maxAbsDiff.length; column++) {
        const cell = this.domain.classify(layer.maxAbsDiff[column]);
        context.fillStyle = cell.kind === 'changed' ? palette.heat.at(cell.t) : cell.kind === 'unchanged' ? palette.unchanged : (hatch ?? palette.unchanged);
        context.fillRect(column * w, y, w - gap, h - 1);
      }
    });
    this.paintAxis(context, palette);
  }

  private paintAxis(context: CanvasRenderingContext2D, palette: Palette): void {
    const { pairs } = this.result.alignment;
    const w = this.cellWidth;
    const bottom = AXIS + this.layers.length * this.cellHeight;
    context.font = `10px ${getComputedStyle(document.body).getPropertyValue('--vscode-editor-font-family') || 'monospace'}`;
    context.textBaseline = 'middle';
    context.textAlign = 'center';
    context.fillStyle = palette.foreground;
    context.globalAlpha = 0.7;
    const step = niceStep(Math.ceil(30 / w));
    pairs.forEach((pair, column) => {
      if (column % step !== 0) return;
      context.fillText(pair.base === null ? `+${pair.variant}` : String(pair.base), column * w + w / 2, AXIS / 2 - 1);
    });
    context.globalAlpha = 1;
    const markColumn = (position: number | null, colour: string, dashed: boolean) => {
      const column = pairs.findIndex((p) => p.base !== null && p.base === position);
      if (column < 0) return;
      const x = column * w - 0.5;
      context.strokeStyle = colour;
      context.fillStyle = colour;
      context.lineWidth = 2;
      context.setLineDash(dashed ? [3, 3] : []);
      context.beginPath();
      context.moveTo(Math.max(1, x), AXIS - 2);
      context.lineTo(Math.max(1, x), bottom);
      context.stroke();
      context.setLineDash([]);
    };
    const { firstPerturbed, firstChanged } = this.result.frontier;
    if (firstChanged !== null && firstChanged !== firstPerturbed) markColumn(firstChanged, palette.frontier, true);
    markColumn(firstPerturbed, palette.perturbed, false);
  }

  private cellAt(x: number, y: number): Cell | null {
    const column = Math.floor(x / this.cellWidth);
    const row = Math.floor((y - AXIS) / this.cellHeight);
    if (column < 0 || column >= this.result.alignment.pairs.length || row < 0 || row >= this.layers.length) return null;
    return { row, column };
  }

  private listen(): void {
    this.canvas.addEventListener('pointermove', (event) => {
      const cell = this.cellAt(event.offsetX, event.offsetY);
      this.onHoverColumn(cell?.column ?? null);
      if (!cell) return this.leave();
      this.moveCursor(cell);
      this.explain(cell, event.clientX, event.clientY);
    });
    this.canvas.addEventListener('pointerleave', () => this.leave());
    this.canvas.addEventListener('blur', () => this.leave());
    this.canvas.addEventListener('keydown', (event) => {
      const moves: Record<string, [number, number]> = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] };
      const move = moves[event.key];
      if (!move) return;
      event.preventDefault();
      const at = this.focused ?? { row: 0, column: Math.max(0, this.result.alignment.pairs.findIndex((p) => p.kind !== 'same')) };
      const cell = {
        row: Math.min(this.layers.length - 1, Math.max(0, at.row + (this.focused ? move[0] : 0))),
        column: Math.min(this.result.alignment.pairs.length - 1, Math.max(0, at.column + (this.focused ? move[1] : 0))),
      };
      this.moveCursor(cell);
      const left = cell.column * this.cellWidth;
      if (left < this.scroller.scrollLeft || left + this.cellWidth > this.scroller.scrollLeft + this.scroller.clientWidth) {
        this.scroller.scrollLeft = left - this.scroller.clientWidth / 2;
      }
      const box = this.cursor.getBoundingClientRect();
      this.onHoverColumn(cell.column);
      this.explain(cell, box.right, box.bottom);
    });
  }

  private moveCursor(cell: Cell): void {
    this.focused = cell;
    this.cursor.hidden = false;
    place(this.cursor, { left: cell.column * this.cellWidth, top: AXIS + cell.row * this.cellHeight, width: this.cellWidth, height: this.cellHeight });
  }

  private leave(): void {
    this.focused = null;
    this.cursor.hidden = true;
    this.onHoverColumn(null);
    hideTooltip();
  }

  private explain(cell: Cell, x: number, y: number): void {
    const { result } = this;
    const layer = this.layers[cell.row];
    const pair = result.alignment.pairs[cell.column];
    const value = layer.maxAbsDiff[cell.column];
    const kind = this.domain.classify(value).kind;
    const base = pair.base === null ? null : result.baseTokens[pair.base];
    const variant = pair.variant === null ? null : result.variantTokens[pair.variant];
    const tokens =
      pair.kind === 'same' ? quote(base?.text ?? '') : pair.kind === 'inserted' ? `inserted ${quote(variant?.text ?? '')}` : pair.kind === 'deleted' ? `deleted ${quote(base?.text ?? '')}` : `${quote(base?.text ?? '')} → ${quote(variant?.text ?? '')}`;
    const change =
      kind === 'missing'
        ? 'no counterpart on the other side'
        : kind === 'unchanged'
          ? `${formatNumber(value)} (≤ noise floor ${formatNumber(this.domain.floor)}: unchanged)`
          : `${formatNumber(value)} (${this.domain.floor > 0 ? `×${formatNumber((value ?? 0) / this.domain.floor)} the noise floor` : 'above an exact control'})`;
    const allclose = layer.allclose[cell.column];
    showTooltip(x, y, `${layerName(layer.layer)} · position ${positionLabel(pair.base, pair.variant)}`, [
      ['tokens', tokens],
      ['max |Δ|', change],
      ['cosine distance', formatNumber(layer.cosineDistance[cell.column])],
      [`allclose`, allclose === null ? '—' : `${allclose} (atol ${formatNumber(result.evidence.atol)}, rtol ${formatNumber(result.evidence.rtol)})`],
    ]);
  }

  private describe(): string {
    let changed = 0;
    for (const layer of this.layers) for (const value of layer.maxAbsDiff) if (this.domain.classify(value).kind === 'changed') changed++;
    return `Max |Δ| by layer and position: ${this.layers.length} layers × ${this.result.alignment.pairs.length} positions, ${changed} cells above the noise floor ${formatNumber(this.domain.floor)}. Use the arrow keys to read cells.`;
  }
}

/** 1, 2, 5, 10, 20, 50, … at least `minimum`. */
function niceStep(minimum: number): number {
  for (let decade = 1; ; decade *= 10) for (const m of [1, 2, 5]) if (m * decade >= minimum) return m * decade;
}

function hatchPattern(context: CanvasRenderingContext2D, palette: Palette): CanvasPattern | null {
  const tile = document.createElement('canvas');
  tile.width = tile.height = 6;
  const t = tile.getContext('2d');
  if (!t) return null;
  t.fillStyle = palette.background;
  t.fillRect(0, 0, 6, 6);
  t.strokeStyle = palette.missingHatch;
  t.lineWidth = 1;
  t.beginPath();
  t.moveTo(0, 6);
  t.lineTo(6, 0);
  t.stroke();
  return context.createPattern(tile, 'repeat');
}
