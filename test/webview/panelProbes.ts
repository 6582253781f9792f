/** Reading the panel's canvases and tooltips from a test: hover a heatmap cell, read the tooltip, sample pixels. */
import type { Page } from 'playwright-core';

interface CanvasGeometry {
  cellWidth: number;
  cellHeight: number;
  axis: number;
}

async function geometry(page: Page, heatmap: number): Promise<CanvasGeometry> {
  return page
    .locator('.heatmap-canvas')
    .nth(heatmap)
    .evaluate((c: HTMLCanvasElement) => ({
      cellWidth: Number(c.dataset.cellWidth),
      cellHeight: Number(c.dataset.cellHeight),
      axis: Number(c.dataset.axisHeight),
    }));
}

/** Hovers the cell at `row` (0 = embeddings) and `column` (alignment pair) of the `heatmap`-th heatmap. */
export async function hoverCell(page: Page, heatmap: number, row: number, column: number): Promise<void> {
  const g = await geometry(page, heatmap);
  await page
    .locator('.heatmap-canvas')
    .nth(heatmap)
    .hover({
      position: { x: column * g.cellWidth + g.cellWidth / 2, y: g.axis + row * g.cellHeight + g.cellHeight / 2 },
    });
  await page.locator('.tooltip').waitFor({ state: 'visible' });
}

export async function tooltipText(page: Page): Promise<string> {
  return (await page.locator('.tooltip').textContent()) ?? '';
}

/** The pixel at the middle of a cell, and the legend's "unchanged" swatch, as RGB. */
export async function heatmapCellPixel(
  page: Page,
  heatmap: number,
  row: number,
  column: number,
): Promise<{ cell: number[]; unchangedSwatch: number[] }> {
  const g = await geometry(page, heatmap);
  const cell = await page
    .locator('.heatmap-canvas')
    .nth(heatmap)
    .evaluate(
      (canvas: HTMLCanvasElement, at) => {
        const ratio = canvas.width / parseFloat(canvas.style.width);
        const context = canvas.getContext('2d') as CanvasRenderingContext2D;
        return [...context.getImageData(Math.floor(at.x * ratio), Math.floor(at.y * ratio), 1, 1).data.slice(0, 3)];
      },
      { x: column * g.cellWidth + g.cellWidth / 2, y: g.axis + row * g.cellHeight + 1 },
    );
  const unchangedSwatch = await page
    .locator('.heatmap-legend .legend-swatch')
    .first()
    .evaluate((canvas: HTMLCanvasElement) => {
      const context = canvas.getContext('2d') as CanvasRenderingContext2D;
      return [...context.getImageData(canvas.width / 2, canvas.height / 2, 1, 1).data.slice(0, 3)];
    });
  return { cell, unchangedSwatch };
}

/** The geometry of the `heatmap`-th heatmap's cells (for clicks at a given row). */
export const heatmapGeometry = geometry;
