/**
 * The colours the canvases draw with, read from the computed CSS of the page: panel.css maps
 * VS Code's theme variables onto a few `--plab-*` roles, and this module resolves them to RGB.
 * Read again whenever the theme changes (VS Code swaps the body class and the variables).
 */
import { css, mix, sequentialScale, type Rgb, type SequentialScale } from './colorScale';

export interface Palette {
  /** The surface the canvases sit on (a card), which every other colour is mixed against. */
  background: string;
  foreground: string;
  /** Cells at or below the noise floor: unchanged. */
  unchanged: string;
  /** Pairs where one side has no token (inserted / deleted): hatched. */
  missingHatch: string;
  /** Cells whose state holds NaN or ±Inf: not a difference, so off the scale (near the foreground). */
  nonFinite: string;
  grid: string;
  perturbed: string;
  frontier: string;
  maskKeep: string;
  maskDrop: string;
  heat: SequentialScale;
  /**
   * A diverging scale for signed values in [-1, 1] (activation patching's fraction restored, the head maps'
   * differences): 0 is the card's background, +1 the theme's red, -1 its blue, mixed perceptually.
   */
  diverging: (t: number) => string;
  /** Attention weights 0 … 1, background to foreground. */
  weight: (t: number) => string;
  /** Whether the foreground is lighter than the background (dark themes). */
  dark: boolean;
}

let probe: HTMLElement | null = null;
let pixel: CanvasRenderingContext2D | null = null;

/** Any CSS colour expression, resolved by the browser, as opaque RGB over `over`. */
function resolve(expression: string, over?: Rgb): Rgb {
  if (probe === null) {
    probe = document.createElement('span');
    probe.className = 'color-probe';
    probe.setAttribute('aria-hidden', 'true');
    document.body.appendChild(probe);
  }
  probe.style.setProperty('color', expression);
  const computed = getComputedStyle(probe).color;
  // The canvas parses every colour syntax the browser knows (rgb, color(), oklab, …) and composites alpha.
  if (pixel === null) {
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 1;
    pixel = canvas.getContext('2d', { willReadFrequently: true });
  }
  if (pixel === null) return [128, 128, 128];
  pixel.clearRect(0, 0, 1, 1);
  if (over) {
    pixel.fillStyle = css(over);
    pixel.fillRect(0, 0, 1, 1);
  }
  pixel.fillStyle = computed;
  pixel.fillRect(0, 0, 1, 1);
  const [r, g, b] = pixel.getImageData(0, 0, 1, 1).data;
  return [r, g, b];
}

export function readPalette(): Palette {
  const page = resolve('var(--plab-bg)', [255, 255, 255]);
  const background = resolve('var(--plab-card-bg)', page);
  const role = (name: string) => resolve(`var(${name})`, background);
  const foreground = role('--plab-fg');
  const dark = luminance(foreground) > luminance(background);
  const [yellow, orange, red] = [role('--plab-heat-yellow'), role('--plab-heat-orange'), role('--plab-heat-red')];
  // Hot colours away from the background: red → orange → yellow on dark, yellow → orange → red on light.
  const hues = dark ? [red, orange, yellow] : [yellow, orange, red];
  return {
    background: css(background),
    foreground: css(foreground),
    unchanged: css(mix(background, foreground, 0.09)),
    missingHatch: css(mix(background, foreground, 0.28)),
    nonFinite: css(mix(background, foreground, 0.8)),
    grid: css(background),
    perturbed: css(role('--plab-perturbed')),
    frontier: css(role('--plab-frontier')),
    maskKeep: css(mix(background, role('--plab-mask-keep'), 0.85)),
    maskDrop: css(mix(background, foreground, 0.07)),
    heat: sequentialScale(background, foreground, hues),
    diverging: divergingScale(background, role('--plab-frontier'), red),
    weight: (t) => css(mix(background, foreground, Math.max(0, Math.min(1, t)))),
    dark,
  };
}

function divergingScale(background: Rgb, negative: Rgb, positive: Rgb): (t: number) => string {
  const steps = 64;
  const side = (hue: Rgb) => Array.from({ length: steps + 1 }, (_, i) => css(mix(background, hue, i / steps)));
  const [neg, pos] = [side(negative), side(positive)];
  return (t) => {
    const x = Number.isFinite(t) ? Math.max(-1, Math.min(1, t)) : 0;
    return (x < 0 ? neg : pos)[Math.round(Math.abs(x) * steps)];
  };
}

function luminance([r, g, b]: Rgb): number {
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
