/**
 * A sequential colour scale built from the theme's own chart colours, ordered perceptually: the
 * stops are placed in OKLab and forced to move steadily away from the background in lightness, so
 * a bigger |Δ| always reads as "more" in light, dark and high-contrast themes alike.
 */

export type Rgb = readonly [number, number, number];
type Lab = [number, number, number];

const toLinear = (c: number) => {
  const x = c / 255;
  return x <= 0.04045 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
};
const fromLinear = (x: number) => {
  const c = x <= 0.0031308 ? 12.92 * x : 1.055 * x ** (1 / 2.4) - 0.055;
  return Math.round(Math.min(1, Math.max(0, c)) * 255);
};

export function rgbToOklab([r8, g8, b8]: Rgb): Lab {
  const r = toLinear(r8),
    g = toLinear(g8),
    b = toLinear(b8);
  const l = Math.cbrt(0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b);
  const m = Math.cbrt(0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b);
  const s = Math.cbrt(0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b);
  return [
    0.2104542553 * l + 0.793617785 * m - 0.0040720468 * s,
    1.9779984951 * l - 2.428592205 * m + 0.4505937099 * s,
    0.0259040371 * l + 0.7827717662 * m - 0.808675766 * s,
  ];
}

export function oklabToRgb([L, A, B]: Lab): Rgb {
  const l = (L + 0.3963377774 * A + 0.2158037573 * B) ** 3;
  const m = (L - 0.1055613458 * A - 0.0638541728 * B) ** 3;
  const s = (L - 0.0894841775 * A - 1.291485548 * B) ** 3;
  return [
    fromLinear(4.0767416621 * l - 3.3077115913 * m + 0.2309699292 * s),
    fromLinear(-1.2684380046 * l + 2.6097574011 * m - 0.3413193965 * s),
    fromLinear(-0.0041960863 * l - 0.7034186147 * m + 1.707614701 * s),
  ];
}

const lerp = (a: Lab, b: Lab, t: number): Lab => [
  a[0] + (b[0] - a[0]) * t,
  a[1] + (b[1] - a[1]) * t,
  a[2] + (b[2] - a[2]) * t,
];

/** `a` moved toward `b` by `t` in OKLab (a perceptual mix, unlike averaging sRGB). */
export function mix(a: Rgb, b: Rgb, t: number): Rgb {
  return oklabToRgb(lerp(rgbToOklab(a), rgbToOklab(b), t));
}

export function css([r, g, b]: Rgb): string {
  return `rgb(${r}, ${g}, ${b})`;
}

export interface SequentialScale {
  /** The colour for t in [0, 1] (clamped), as a CSS string ready for a canvas fillStyle. */
  at(t: number): string;
  readonly steps: number;
}

/**
 * `hues` are the theme colours to pass through, ordered from weak to strong as the theme intends
 * (e.g. yellow → orange → red on a light background). The scale starts from a faint tint of the
 * first hue over the background and ends beyond the last one, toward the foreground.
 */
export function sequentialScale(background: Rgb, foreground: Rgb, hues: readonly Rgb[], steps = 256): SequentialScale {
  const bg = rgbToOklab(background);
  const fg = rgbToOklab(foreground);
  const direction = Math.sign(fg[0] - bg[0]) || 1;
  const stops: Lab[] = [
    lerp(bg, rgbToOklab(hues[0]), 0.4),
    ...hues.map(rgbToOklab),
    lerp(rgbToOklab(hues[hues.length - 1]), fg, 0.45),
  ];
  // Perceptual order: every stop must be further from the background's lightness than the one before.
  for (let i = 1; i < stops.length; i++) {
    const minimum = stops[i - 1][0] + direction * 0.03;
    if ((stops[i][0] - minimum) * direction < 0) stops[i] = [minimum, stops[i][1], stops[i][2]];
  }
  const table: string[] = [];
  for (let i = 0; i < steps; i++) {
    const position = (i / (steps - 1)) * (stops.length - 1);
    const k = Math.min(stops.length - 2, Math.floor(position));
    table.push(css(oklabToRgb(lerp(stops[k], stops[k + 1], position - k))));
  }
  return {
    steps,
    at: (t) => table[Math.round(Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (steps - 1))],
  };
}
