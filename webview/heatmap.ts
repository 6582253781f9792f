/**
 * Layers (rows, 0 = embeddings … L) × aligned positions (columns) of max |Δ|, drawn on one
 * <canvas> so a 512-token × 13-layer comparison is a few thousand rectangles, not thousands of
 * elements. Cells within float32 rounding are drawn flat grey, apart from the colour scale; pairs
 * where a side has no token are hatched; NaN or ±Inf is drawn in the foreground colour with a cross.
 * Hover (or the arrow keys) shows the cell's numbers. The same view draws the control run's grid.
 */
import type { MeasuredResult } from '../extension/protocol/report';
import { el, place } from './dom';
import { describeCell } from './heatmapCell';
import { formatNumber } from './format';
import type { HeatDomain } from './heatmapScale';
import type { HeatSource } from './heatSource';
import { crossOut, hatchPattern, paintAxis } from './heatmapPaint';
import type { Palette } from './theme';
import { hideTooltip, showTooltip } from './tooltip';

/** Height of the position axis above the cells: numbers only, or numbers and tokens when columns are wide. */
const AXIS = 18;
const AXIS_WITH_TOKENS = 34;
const TOKEN_LABEL_MIN_WIDTH = 36;
const MIN_CELL_WIDTH = 4;
const MAX_CELL_WIDTH = 64;
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
  private readonly axisSpacer: HTMLElement;
  private readonly resize: ResizeObserver;
  private cellWidth = 12;
  private cellHeight = 18;
  private axis = AXIS;
  private focused: Cell | null = null;
  private lastWidth = -1;
  /** Until the user (or a kept scroll position) moves it, a long comparison opens scrolled to the edit. */
  private scrollToEdit = true;

  constructor(
    private readonly result: MeasuredResult,
    private readonly source: HeatSource,
    private readonly domain: HeatDomain,
    private readonly palette: () => Palette,
    private readonly onHoverColumn: (pairIndex: number | null) => void,
    /** A click (or Enter) on a cell: the hidden-state layer of its row (asks for that layer's heads). */
    private readonly onPickLayer?: (layer: number) => void,
  ) {
    const rows = source.layers.length;
    this.cellHeight = rows <= 16 ? 18 : rows <= 32 ? 12 : 8;
    this.axisSpacer = el('div', { class: 'heatmap-axis-spacer' });
    const rowLabels = el('div', { class: 'heatmap-rows', 'aria-hidden': 'true' }, this.axisSpacer);
    for (const layer of source.layers) {
      const label = el('div', { class: 'heatmap-row-label' }, layer === 0 ? 'emb' : String(layer));
      place(label, { height: this.cellHeight });
      rowLabels.appendChild(label);
    }
    this.scroller = el(
      'div',
      { class: 'heatmap-scroll' },
      el('div', { class: 'heatmap-canvas-wrap' }, this.canvas, this.columnCursor, this.cursor),
    );
    this.element = el(
      'div',
      { class: 'heatmap', 'data-source': source.kind },
      el('div', { class: 'heatmap-body' }, rowLabels, this.scroller),
    );
    this.canvas.dataset.rows = String(rows);
    this.canvas.dataset.columns = String(result.alignment.pairs.length);
    this.canvas.setAttribute('aria-label', this.describe());
    this.listen();
    // Drawn once the element has a width, and again when the panel is resized.
    this.resize = new ResizeObserver(() => {
      if (this.scroller.clientWidth !== this.lastWidth) this.draw();
    });
    this.resize.observe(this.scroller);
  }

  dispose(): void {
    this.resize.disconnect();
  }

  get scrollLeft(): number {
    return this.scroller.scrollLeft;
  }

  set scrollLeft(value: number) {
    this.scrollToEdit = false;
    this.scroller.scrollLeft = value;
  }

  draw(): void {
    this.lastWidth = this.scroller.clientWidth;
    const columns = this.result.alignment.pairs.length;
    const available = (this.lastWidth || 600) - 2;
    this.cellWidth = Math.max(MIN_CELL_WIDTH, Math.min(MAX_CELL_WIDTH, Math.floor(available / Math.max(1, columns))));
    if (columns * this.cellWidth > MAX_CANVAS_WIDTH)
      this.cellWidth = Math.max(1, Math.floor(MAX_CANVAS_WIDTH / columns));
    this.axis = this.cellWidth >= TOKEN_LABEL_MIN_WIDTH ? AXIS_WITH_TOKENS : AXIS;
    place(this.axisSpacer, { height: this.axis });
    const width = columns * this.cellWidth;
    const height = this.axis + this.source.layers.length * this.cellHeight;
    const ratio = window.devicePixelRatio || 1;
    this.canvas.width = Math.round(width * ratio);
    this.canvas.height = Math.round(height * ratio);
    place(this.canvas, { width, height });
    this.canvas.dataset.cellWidth = String(this.cellWidth);
    this.canvas.dataset.cellHeight = String(this.cellHeight);
    this.canvas.dataset.axisHeight = String(this.axis);
    const context = this.canvas.getContext('2d');
    if (!context) return;
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    const palette = this.palette();
    this.paint(context, palette, width, height);
    if (this.focused) this.moveCursor(this.focused);
    if (this.scrollToEdit) {
      this.scrollToEdit = false;
      const edit = this.result.alignment.pairs.findIndex((p) => p.kind !== 'same');
      const left = edit * this.cellWidth;
      if (edit >= 0 && left > this.scroller.clientWidth * 0.8)
        this.scroller.scrollLeft = left - this.scroller.clientWidth / 3;
    }
  }

  /** Outlines a column (the token strip's hovered pair). */
  highlightColumn(pairIndex: number | null): void {
    this.columnCursor.hidden = pairIndex === null;
    if (pairIndex !== null)
      place(this.columnCursor, {
        left: pairIndex * this.cellWidth,
        top: this.axis,
        width: this.cellWidth,
        height: this.source.layers.length * this.cellHeight,
      });
  }

  private paint(context: CanvasRenderingContext2D, palette: Palette, width: number, height: number): void {
    const { cellWidth: w, cellHeight: h } = this;
    const gap = w >= 6 ? 1 : 0;
    context.fillStyle = palette.background;
    context.fillRect(0, 0, width, height);
    const hatch = hatchPattern(context, palette);
    this.source.values.forEach((values, row) => {
      const y = this.axis + row * h;
      for (let column = 0; column < values.length; column++) {
        const cell = this.domain.classify(values[column], this.source.nonFinite[row][column]);
        context.fillStyle =
          cell.kind === 'changed'
            ? palette.heat.at(cell.t)
            : cell.kind === 'unchanged'
              ? palette.unchanged
              : cell.kind === 'non-finite'
                ? palette.nonFinite
                : (hatch ?? palette.unchanged);
        context.fillRect(column * w, y, w - gap, h - 1);
        if (cell.kind === 'non-finite') crossOut(context, palette, column * w, y, w - gap, h - 1);
      }
    });
    paintAxis(context, palette, this.result, {
      cellWidth: this.cellWidth,
      axis: this.axis,
      bottom: this.axis + this.source.layers.length * this.cellHeight,
      withTokens: this.axis === AXIS_WITH_TOKENS,
    });
  }

  private cellAt(x: number, y: number): Cell | null {
    const column = Math.floor(x / this.cellWidth);
    const row = Math.floor((y - this.axis) / this.cellHeight);
    if (column < 0 || column >= this.result.alignment.pairs.length || row < 0 || row >= this.source.layers.length)
      return null;
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
    this.canvas.addEventListener('click', (event) => {
      const cell = this.cellAt(event.offsetX, event.offsetY);
      if (cell) this.onPickLayer?.(this.source.layers[cell.row]);
    });
    this.canvas.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && this.focused) {
        this.onPickLayer?.(this.source.layers[this.focused.row]);
        return;
      }
      const moves: Record<string, [number, number]> = {
        ArrowLeft: [0, -1],
        ArrowRight: [0, 1],
        ArrowUp: [-1, 0],
        ArrowDown: [1, 0],
      };
      const move = moves[event.key];
      if (!move) return;
      event.preventDefault();
      const at = this.focused ?? {
        row: 0,
        column: Math.max(
          0,
          this.result.alignment.pairs.findIndex((p) => p.kind !== 'same'),
        ),
      };
      const cell = {
        row: Math.min(this.source.layers.length - 1, Math.max(0, at.row + (this.focused ? move[0] : 0))),
        column: Math.min(this.result.alignment.pairs.length - 1, Math.max(0, at.column + (this.focused ? move[1] : 0))),
      };
      this.moveCursor(cell);
      const left = cell.column * this.cellWidth;
      if (
        left < this.scroller.scrollLeft ||
        left + this.cellWidth > this.scroller.scrollLeft + this.scroller.clientWidth
      ) {
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
    place(this.cursor, {
      left: cell.column * this.cellWidth,
      top: this.axis + cell.row * this.cellHeight,
      width: this.cellWidth,
      height: this.cellHeight,
    });
  }

  private leave(): void {
    this.focused = null;
    this.cursor.hidden = true;
    this.onHoverColumn(null);
    hideTooltip();
  }

  private explain(cell: Cell, x: number, y: number): void {
    const { title, rows } = describeCell(this.result, this.source, cell.row, cell.column, this.domain);
    showTooltip(x, y, title, rows);
  }

  private describe(): string {
    let changed = 0;
    let nonFinite = 0;
    this.source.values.forEach((values, row) =>
      values.forEach((value, column) => {
        const kind = this.domain.classify(value, this.source.nonFinite[row][column]).kind;
        if (kind === 'changed') changed++;
        if (kind === 'non-finite') nonFinite++;
      }),
    );
    const what = this.source.kind === 'variant' ? 'Max |Δ|' : 'The same input twice: max |Δ|';
    return `${what} by layer and position: ${this.source.layers.length} layers × ${this.result.alignment.pairs.length} positions, ${changed} cells above float32 rounding ${formatNumber(this.domain.floor)}${nonFinite ? `, ${nonFinite} cells NaN or Inf` : ''}. Use the arrow keys to read cells.`;
  }
}
