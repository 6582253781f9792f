/** The heatmap's key: the colour ramp from float32 rounding to the largest |Δ|, and what grey, hatching, crosses and the marker lines mean. */
import type { MeasuredResult } from '../extension/protocol/report';
import { el, place } from './dom';
import { formatNumber } from './format';
import type { HeatDomain } from './heatmapScale';
import type { HeatSource } from './heatSource';
import { frontierColumns } from './positions';
import type { Palette } from './theme';

const RAMP_WIDTH = 160;
const SWATCH = 12;

export class HeatmapLegend {
  readonly element: HTMLElement;
  private readonly ramp = el('canvas', { class: 'legend-ramp', 'aria-hidden': 'true' });
  private readonly unchanged = el('canvas', { class: 'legend-swatch', 'aria-hidden': 'true' });
  private readonly missing = el('canvas', { class: 'legend-swatch', 'aria-hidden': 'true' });
  private readonly nonFinite = el('canvas', { class: 'legend-swatch', 'aria-hidden': 'true' });

  constructor(domain: HeatDomain, result: MeasuredResult, sources: readonly HeatSource[]) {
    const anyChanged = domain.max > domain.floor;
    const oneSided = result.alignment.pairs.some((p) => p.base === null || p.variant === null);
    const anyNonFinite = sources.some((s) => s.nonFinite.some((row) => row.some(Boolean)));
    const marks = frontierColumns(result);
    const frontierApart = marks.firstChanged >= 0 && marks.firstChanged !== marks.perturbed;
    this.element = el(
      'div',
      { class: 'heatmap-legend' },
      anyChanged
        ? el(
            'span',
            { class: 'legend-item' },
            'max |Δ|, log scale:',
            el(
              'span',
              { class: 'legend-label' },
              domain.low > domain.floor ? `≤ ${formatNumber(domain.low)}` : `> ${formatNumber(domain.floor)}`,
            ),
            this.ramp,
            el('span', { class: 'legend-label' }, formatNumber(domain.max)),
          )
        : el('span', { class: 'legend-item' }, 'No cell differs by more than float32 rounding.'),
      el(
        'span',
        { class: 'legend-item' },
        this.unchanged,
        el('span', {}, 'unchanged (≤ float32 rounding ', el('span', { class: 'num' }, formatNumber(domain.floor)), ')'),
      ),
      oneSided ? el('span', { class: 'legend-item' }, this.missing, 'no counterpart (new or dropped token)') : null,
      anyNonFinite ? el('span', { class: 'legend-item' }, this.nonFinite, 'NaN or Inf: not measured') : null,
      marks.perturbed >= 0
        ? el('span', { class: 'legend-item' }, el('span', { class: 'legend-line perturbed' }), 'perturbed position')
        : null,
      frontierApart
        ? el('span', { class: 'legend-item' }, el('span', { class: 'legend-line frontier' }), 'first changed position')
        : null,
    );
  }

  draw(palette: Palette): void {
    const ratio = window.devicePixelRatio || 1;
    const fill = (
      canvas: HTMLCanvasElement,
      width: number,
      height: number,
      paint: (c: CanvasRenderingContext2D) => void,
    ) => {
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
      place(canvas, { width, height });
      const context = canvas.getContext('2d');
      if (!context) return;
      context.setTransform(ratio, 0, 0, ratio, 0, 0);
      paint(context);
    };
    fill(this.ramp, RAMP_WIDTH, 10, (c) => {
      for (let x = 0; x < RAMP_WIDTH; x++) {
        c.fillStyle = palette.heat.at(x / (RAMP_WIDTH - 1));
        c.fillRect(x, 0, 1, 10);
      }
    });
    fill(this.unchanged, SWATCH, SWATCH, (c) => {
      c.fillStyle = palette.unchanged;
      c.fillRect(0, 0, SWATCH, SWATCH);
    });
    fill(this.nonFinite, SWATCH, SWATCH, (c) => {
      c.fillStyle = palette.nonFinite;
      c.fillRect(0, 0, SWATCH, SWATCH);
      c.strokeStyle = palette.background;
      c.beginPath();
      c.moveTo(2, 2);
      c.lineTo(SWATCH - 2, SWATCH - 2);
      c.moveTo(SWATCH - 2, 2);
      c.lineTo(2, SWATCH - 2);
      c.stroke();
    });
    fill(this.missing, SWATCH, SWATCH, (c) => {
      c.fillStyle = palette.background;
      c.fillRect(0, 0, SWATCH, SWATCH);
      c.strokeStyle = palette.missingHatch;
      c.beginPath();
      for (let k = -SWATCH; k < SWATCH; k += 6) {
        c.moveTo(k, SWATCH);
        c.lineTo(k + SWATCH, 0);
      }
      c.stroke();
    });
  }
}
