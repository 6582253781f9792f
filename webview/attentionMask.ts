/**
 * The attention mask the base input actually ran with (keep[i][j] = 1: query i may see key j) as a
 * small grid: a lower triangle for a causal model, a full square for a bidirectional one.
 */
import type { MeasuredResult } from '../extension/protocol/report';
import { el, place } from './dom';
import type { Palette } from './theme';
import { visibleText } from './tokenStrips';
import { hideTooltip, showTooltip } from './tooltip';

const TARGET_SIZE = 200;
const LABELS = 16;
/** Up to this many positions every cell is a rectangle with a gap; beyond, the mask is one scaled image. */
const GRID_LIMIT = 48;

const RULE_TEXT = {
  causal:
    'Causal: each position sees itself and the positions before it, so a later edit cannot reach an earlier position.',
  bidirectional: 'Bidirectional: every position sees every other, so an edit anywhere can reach every position.',
} as const;

/** Mistral's and Qwen2's window, in words (the grid above is the mask of the layers without one). */
function slidingText(result: MeasuredResult): HTMLElement | null {
  const sliding = result.attentionMask.sliding;
  if (!sliding) return null;
  const layers = sliding.layers.length === 1 ? `Layer ${sliding.layers[0]}` : `Layers ${sliding.layers.join(', ')}`;
  return el(
    'p',
    { class: 'mask-caption mask-sliding' },
    `${layers} use a sliding window of ${sliding.window} positions: query i sees only keys i − ${sliding.window - 1} to i, so an edit reaches at most ${sliding.window - 1} positions further per layer.`,
  );
}

export class AttentionMaskView {
  readonly element: HTMLElement;
  private readonly canvas = el('canvas', { class: 'mask-canvas', role: 'img' });
  private readonly n: number;
  private readonly cell: number;
  private readonly margin: number;

  constructor(
    private readonly result: MeasuredResult,
    private readonly palette: () => Palette,
  ) {
    const { keep, rule } = result.attentionMask;
    this.n = keep.length;
    // Long inputs are scaled down to TARGET_SIZE (a cell may be less than a pixel).
    this.cell =
      this.n > GRID_LIMIT ? TARGET_SIZE / this.n : Math.min(18, Math.floor(TARGET_SIZE / Math.max(1, this.n)));
    this.margin = this.cell >= 12 ? LABELS : 0;
    this.canvas.dataset.size = String(this.n);
    this.canvas.setAttribute('aria-label', `${rule} attention mask over ${this.n} positions`);
    this.element = el(
      'div',
      { class: 'attention-mask' },
      el(
        'div',
        { class: 'mask-rule' },
        el('span', { class: 'rule-badge', 'data-rule': rule }, rule),
        el('span', { class: 'mask-axes' }, 'rows: query · columns: key'),
      ),
      this.canvas,
      el('p', { class: 'mask-caption' }, RULE_TEXT[rule]),
      slidingText(result),
    );
    this.canvas.addEventListener('pointermove', (event) => this.explain(event));
    this.canvas.addEventListener('pointerleave', () => hideTooltip());
  }

  draw(): void {
    const { n, cell, margin } = this;
    const palette = this.palette();
    const size = margin + n * cell;
    const ratio = window.devicePixelRatio || 1;
    this.canvas.width = Math.round(size * ratio);
    this.canvas.height = Math.round(size * ratio);
    place(this.canvas, { width: size, height: size });
    const context = this.canvas.getContext('2d');
    if (!context) return;
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.fillStyle = palette.background;
    context.fillRect(0, 0, size, size);
    if (n > GRID_LIMIT) this.paintImage(context, palette);
    else {
      const gap = cell >= 6 ? 1 : 0;
      this.result.attentionMask.keep.forEach((row, i) => {
        row.forEach((keep, j) => {
          context.fillStyle = keep ? palette.maskKeep : palette.maskDrop;
          context.fillRect(margin + j * cell, margin + i * cell, cell - gap, cell - gap);
        });
      });
    }
    if (margin > 0) {
      context.fillStyle = palette.foreground;
      context.globalAlpha = 0.7;
      context.font = `9px ${getComputedStyle(document.body).getPropertyValue('--vscode-editor-font-family') || 'monospace'}`;
      context.textAlign = 'center';
      context.textBaseline = 'middle';
      for (let k = 0; k < n; k++) {
        context.fillText(String(k), margin + k * cell + cell / 2, margin / 2);
        context.fillText(String(k), margin / 2, margin + k * cell + cell / 2);
      }
      context.globalAlpha = 1;
    }
  }

  /** One pixel per cell in an offscreen image, drawn scaled: 512 × 512 cells cost one drawImage. */
  private paintImage(context: CanvasRenderingContext2D, palette: Palette): void {
    const { n } = this;
    const image = document.createElement('canvas');
    image.width = image.height = n;
    const pixels = image.getContext('2d');
    if (!pixels) return;
    const data = pixels.createImageData(n, n);
    const [keep, drop] = [rgbBytes(palette.maskKeep), rgbBytes(palette.maskDrop)];
    this.result.attentionMask.keep.forEach((row, i) => {
      row.forEach((k, j) => {
        const colour = k ? keep : drop;
        data.data.set([colour[0], colour[1], colour[2], 255], (i * n + j) * 4);
      });
    });
    pixels.putImageData(data, 0, 0);
    context.imageSmoothingEnabled = true;
    context.drawImage(image, this.margin, this.margin, n * this.cell, n * this.cell);
  }

  private explain(event: PointerEvent): void {
    const i = Math.floor((event.offsetY - this.margin) / this.cell);
    const j = Math.floor((event.offsetX - this.margin) / this.cell);
    const keep = this.result.attentionMask.keep[i]?.[j];
    if (keep === undefined) return hideTooltip();
    const token = (k: number) =>
      el('code', { class: 'tip-token' }, ...visibleText(this.result.baseTokens[k]?.text ?? ''));
    showTooltip(event.clientX, event.clientY, `query ${i} → key ${j}`, [
      ['query', token(i)],
      ['key', token(j)],
      ['attends', keep ? 'yes' : 'no (masked)'],
    ]);
  }
}

/** "rgb(r, g, b)" (as the palette writes colours) → bytes. */
function rgbBytes(colour: string): number[] {
  return (colour.match(/\d+/g) ?? ['128', '128', '128']).slice(0, 3).map(Number);
}
