/**
 * One side (base or variant) of the cross-attention view (crossAttention.ts): the decoder × source map of one
 * layer on a canvas, the tokens as text labels on both axes, the edited tokens marked, the padding hatched; and
 * the alignment helpers the view's tooltip uses to find the same tokens on the other side.
 */
import type { Alignment, TokenView } from '../extension/protocol/report';
import { el, place } from './dom';
import { hatchPattern } from './heatmapPaint';
import type { Palette } from './theme';
import { visibleText } from './tokenStrips';

export type Side = 'base' | 'variant';

export const LABEL_WIDTH = 96;
export const MAX_CELL = 22;
/** Below this a cell is too small to point at: the two maps stack instead of sitting side by side. */
export const MIN_SIDE_BY_SIDE_CELL = 12;
export const MIN_CELL = 3;
export const GAP = 16;
/** Chromium refuses canvases wider than 32767 device pixels; stay well under at 2× density. */
export const MAX_CANVAS_SIDE = 15000;
/** Beyond this many cells a map is painted as one scaled image. */
const RECTANGLE_LIMIT = 40_000;

/** "rgb(r, g, b)" (as the palette writes colours) → bytes. */
function rgbBytes(colour: string): number[] {
  return (colour.match(/\d+/g) ?? ['128', '128', '128']).slice(0, 3).map(Number);
}

export interface Axes {
  decoder: TokenView[];
  source: TokenView[];
  /** Positions whose token the edit changed (or added) on this side. */
  editedDecoder: Set<number>;
  editedSource: Set<number>;
}

/** Per side, the index on the other side of the same token (null when it has none). */
export function counterparts(alignment: Alignment, from: Side): Map<number, number | null> {
  const map = new Map<number, number | null>();
  for (const pair of alignment.pairs) {
    const here = from === 'base' ? pair.base : pair.variant;
    const there = from === 'base' ? pair.variant : pair.base;
    if (here !== null) map.set(here, pair.kind === 'same' ? there : null);
  }
  return map;
}

/** Positions of `side` whose token the edit changed or added. */
export function edited(alignment: Alignment, side: Side): Set<number> {
  const out = new Set<number>();
  for (const pair of alignment.pairs) {
    const here = side === 'base' ? pair.base : pair.variant;
    if (here !== null && pair.kind !== 'same') out.add(here);
  }
  return out;
}

/** One run's map (base or variant) with its token labels, painted on a canvas; a cursor for the keyboard. */
export class SideMap {
  readonly element: HTMLElement;
  readonly canvas = el('canvas', { class: 'cross-canvas', tabindex: 0, role: 'img' });
  private readonly columnLabels = el('div', { class: 'cross-columns', 'aria-hidden': 'true' });
  private readonly rowLabels = el('div', { class: 'cross-rows', 'aria-hidden': 'true' });
  private readonly cursor = el('div', { class: 'heat-cursor', hidden: true });
  cell = MAX_CELL;
  /** The cell the arrow keys stand on (null until the map has the focus). */
  focused: { i: number; j: number } | null = null;

  constructor(
    readonly side: Side,
    readonly axes: Axes,
  ) {
    const label = (token: TokenView, position: number, edit: boolean, axis: 'decoder' | 'source') =>
      el(
        'div',
        {
          class: `cross-label${edit ? ' edited' : ''}${token.special ? ' special' : ''}`,
          title: `${axis} position ${position} · id ${token.id}${edit ? ' · edited' : ''}`,
        },
        ...visibleText(token.text),
      );
    this.columnLabels.append(...axes.source.map((t, j) => label(t, j, axes.editedSource.has(j), 'source')));
    this.rowLabels.append(...axes.decoder.map((t, i) => label(t, i, axes.editedDecoder.has(i), 'decoder')));
    this.canvas.dataset.rows = String(axes.decoder.length);
    this.canvas.dataset.columns = String(axes.source.length);
    this.element = el(
      'figure',
      { class: 'cross-map', 'data-side': side },
      el('figcaption', {}, side === 'base' ? 'base' : 'variant'),
      el(
        'div',
        { class: 'cross-scroll' },
        el(
          'div',
          { class: 'cross-grid' },
          el('div', { class: 'cross-corner' }),
          this.columnLabels,
          this.rowLabels,
          el('div', { class: 'cross-canvas-wrap' }, this.canvas, this.cursor),
        ),
      ),
    );
  }

  /** Cell size and the labels' geometry follow it. */
  layout(cell: number): void {
    this.cell = cell;
    for (const label of Array.from(this.columnLabels.children)) place(label as HTMLElement, { width: cell });
    for (const label of Array.from(this.rowLabels.children)) place(label as HTMLElement, { height: cell });
    this.columnLabels.classList.toggle('hidden-text', cell < 10);
    this.rowLabels.classList.toggle('small', cell < 12);
  }

  paint(values: number[][], keep: number[][] | null, max: number, palette: Palette): void {
    const { cell } = this;
    const rows = this.axes.decoder.length;
    const columns = this.axes.source.length;
    const width = columns * cell;
    const height = rows * cell;
    const ratio = window.devicePixelRatio || 1;
    this.canvas.width = Math.max(1, Math.round(width * ratio));
    this.canvas.height = Math.max(1, Math.round(height * ratio));
    place(this.canvas, { width, height });
    const context = this.canvas.getContext('2d');
    if (!context) return;
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.fillStyle = palette.background;
    context.fillRect(0, 0, width, height);
    const colour = (i: number, j: number) => palette.heat.at(max > 0 ? (values[i]?.[j] ?? 0) / max : 0);
    const masked = (i: number, j: number) => keep !== null && keep[i]?.[j] === 0;
    if (rows * columns > RECTANGLE_LIMIT) return this.paintImage(context, rows, columns, colour, masked, palette);
    const hatch = hatchPattern(context, palette);
    const gap = cell >= 8 ? 1 : 0;
    for (let i = 0; i < rows; i++)
      for (let j = 0; j < columns; j++) {
        context.fillStyle = masked(i, j) ? (hatch ?? palette.maskDrop) : colour(i, j);
        context.fillRect(j * cell, i * cell, cell - gap, cell - gap);
      }
  }

  /** A long input: one pixel per cell in an offscreen image, drawn scaled (one drawImage instead of a rectangle each). */
  private paintImage(
    context: CanvasRenderingContext2D,
    rows: number,
    columns: number,
    colour: (i: number, j: number) => string,
    masked: (i: number, j: number) => boolean,
    palette: Palette,
  ): void {
    const image = document.createElement('canvas');
    image.width = columns;
    image.height = rows;
    const pixels = image.getContext('2d');
    if (!pixels) return;
    const data = pixels.createImageData(columns, rows);
    const drop = rgbBytes(palette.maskDrop);
    for (let i = 0; i < rows; i++)
      for (let j = 0; j < columns; j++) {
        const [r, g, b] = masked(i, j) ? drop : rgbBytes(colour(i, j));
        data.data.set([r, g, b, 255], (i * columns + j) * 4);
      }
    pixels.putImageData(data, 0, 0);
    context.imageSmoothingEnabled = false;
    context.drawImage(image, 0, 0, columns * this.cell, rows * this.cell);
  }

  /** Outlines a cell (or none), as the layer × position heatmap does. */
  mark(at: { i: number; j: number } | null): void {
    this.focused = at;
    this.cursor.hidden = at === null;
    if (at) place(this.cursor, { left: at.j * this.cell, top: at.i * this.cell, width: this.cell, height: this.cell });
  }

  cellAt(x: number, y: number): { i: number; j: number } | null {
    const i = Math.floor(y / this.cell);
    const j = Math.floor(x / this.cell);
    if (i < 0 || j < 0 || i >= this.axes.decoder.length || j >= this.axes.source.length) return null;
    return { i, j };
  }
}
