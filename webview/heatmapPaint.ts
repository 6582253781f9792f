/** The heatmap's drawing helpers: the position axis with its marks, the hatch of one-sided pairs, the cross of NaN cells. */
import type { MeasuredResult } from '../extension/protocol/report';
import { frontierColumns } from './positions';
import type { Palette } from './theme';

export interface AxisGeometry {
  cellWidth: number;
  axis: number;
  bottom: number;
  /** Columns wide enough for the token under its position number. */
  withTokens: boolean;
}

/** Position numbers (and tokens when wide), then the perturbed column's line and the first change's dashed one. */
export function paintAxis(
  context: CanvasRenderingContext2D,
  palette: Palette,
  result: MeasuredResult,
  g: AxisGeometry,
): void {
  const { pairs } = result.alignment;
  const w = g.cellWidth;
  const font = getComputedStyle(document.body).getPropertyValue('--vscode-editor-font-family').trim() || 'monospace';
  context.textBaseline = 'middle';
  context.textAlign = 'center';
  context.fillStyle = palette.foreground;
  context.globalAlpha = 0.65;
  context.font = `10px ${font}`;
  const step = niceStep(Math.ceil(30 / w));
  pairs.forEach((pair, column) => {
    const position = pair.base ?? pair.variant ?? 0;
    if (position % step !== 0) return;
    context.fillText(pair.base === null ? `+${pair.variant}` : String(pair.base), column * w + w / 2, 8);
  });
  if (g.withTokens) {
    // Wide columns: the token under its number (the variant's where the base has none).
    context.globalAlpha = 0.9;
    context.font = `11px ${font}`;
    pairs.forEach((pair, column) => {
      const token =
        pair.base !== null
          ? result.baseTokens[pair.base]
          : pair.variant !== null
            ? result.variantTokens[pair.variant]
            : undefined;
      context.fillText(fit(context, token?.text ?? '', w - 4), column * w + w / 2, 23);
    });
  }
  context.globalAlpha = 1;
  const markColumn = (column: number, colour: string, dashed: boolean) => {
    if (column < 0) return;
    const x = column * w - 0.5;
    context.strokeStyle = colour;
    context.lineWidth = 2;
    context.setLineDash(dashed ? [3, 3] : []);
    context.beginPath();
    context.moveTo(Math.max(1, x), g.axis - 2);
    context.lineTo(Math.max(1, x), g.bottom);
    context.stroke();
    context.setLineDash([]);
  };
  const marks = frontierColumns(result);
  if (marks.firstChanged !== marks.perturbed) markColumn(marks.firstChanged, palette.frontier, true);
  markColumn(marks.perturbed, palette.perturbed, false);
}

/** `text` cut with an ellipsis to fit `width` pixels in the context's font. */
function fit(context: CanvasRenderingContext2D, text: string, width: number): string {
  if (context.measureText(text).width <= width) return text;
  let end = text.length;
  while (end > 0 && context.measureText(text.slice(0, end) + '…').width > width) end--;
  return end === 0 ? '' : text.slice(0, end) + '…';
}

/** 1, 2, 5, 10, 20, 50, … at least `minimum`. */
function niceStep(minimum: number): number {
  for (let decade = 1; ; decade *= 10) for (const m of [1, 2, 5]) if (m * decade >= minimum) return m * decade;
}

/** An × over a NaN/Inf cell, so it reads as "no number" even where colours are hard to tell apart. */
export function crossOut(
  context: CanvasRenderingContext2D,
  palette: Palette,
  x: number,
  y: number,
  w: number,
  h: number,
): void {
  if (w < 6) return;
  context.strokeStyle = palette.background;
  context.lineWidth = 1;
  context.beginPath();
  context.moveTo(x + 2, y + 2);
  context.lineTo(x + w - 2, y + h - 2);
  context.moveTo(x + w - 2, y + 2);
  context.lineTo(x + 2, y + h - 2);
  context.stroke();
}

export function hatchPattern(context: CanvasRenderingContext2D, palette: Palette): CanvasPattern | null {
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
