/**
 * One layer's attention, head by head (`heads:`): small multiples, one row per head — the base's map, the
 * variant's, and their difference over the token pairs both sides have (diverging theme colours through the
 * card's background) — with the numbers and the tokens (as text) on hover; then the heads that attend most
 * from earlier positions to the perturbed token, where a bidirectional model lets an edit leak backwards.
 * An encoder-decoder's decoder layer adds its cross-attention (base and variant).
 */
import type { AttentionHeads } from '../extension/protocol/headsAndLens';
import type { MeasuredResult, TokenView } from '../extension/protocol/report';
import { el, place } from './dom';
import { formatNumber } from './format';
import type { Palette } from './theme';
import { visibleText } from './tokenStrips';
import { hideTooltip, showTooltip } from './tooltip';

/** Each map is drawn at most this wide (cells shrink for long inputs, down to one pixel). */
const MAP_SIZE = 96;

type Kind = 'base' | 'variant' | 'difference' | 'cross-base' | 'cross-variant';

interface MapSpec {
  kind: Kind;
  head: number;
  values: number[][];
  /** Tokens of the rows (queries) and columns (keys). */
  rows: (i: number) => string;
  cols: (j: number) => string;
}

export class HeadGrid {
  readonly element: HTMLElement;
  private readonly canvases: { canvas: HTMLCanvasElement; spec: MapSpec }[] = [];
  private readonly scale: number;
  /** The largest weight of the layer's maps (base and variant share it, so their colours compare). */
  private readonly top: number;
  /** The largest cross-attention weight of the block (its maps have a scale of their own, said in the caption). */
  private readonly crossTop: number;

  constructor(
    result: MeasuredResult,
    private readonly heads: AttentionHeads,
    private readonly palette: () => Palette,
  ) {
    const text = (tokens: TokenView[]) => (i: number) => tokens[i]?.text ?? '';
    const stackTokens = (side: 'base' | 'variant') => {
      // The heads are of the edited stack: the result's own tokens.
      return side === 'base' ? result.baseTokens : result.variantTokens;
    };
    const source = result.otherStacks.find((s) => s.stack === 'encoder');
    const pairToken = (side: 0 | 1) => (i: number) =>
      text(stackTokens(side === 0 ? 'base' : 'variant'))(heads.pairs[i]?.[side] ?? -1);
    // The difference's largest magnitude of the layer sets its colour scale (shown in the caption).
    this.scale = Math.max(1e-12, ...heads.difference.flat(2).map(Math.abs));
    this.top = Math.max(1e-12, ...heads.base.flat(2), ...heads.variant.flat(2));
    const cross = heads.cross;
    this.crossTop = cross ? Math.max(1e-12, ...cross.base.flat(2), ...cross.variant.flat(2)) : 1;
    const rows: HTMLElement[] = [];
    for (let h = 0; h < heads.heads; h++) {
      const specs: MapSpec[] = [
        {
          kind: 'base',
          head: h,
          values: heads.base[h],
          rows: text(stackTokens('base')),
          cols: text(stackTokens('base')),
        },
        {
          kind: 'variant',
          head: h,
          values: heads.variant[h],
          rows: text(stackTokens('variant')),
          cols: text(stackTokens('variant')),
        },
        { kind: 'difference', head: h, values: heads.difference[h], rows: pairToken(1), cols: pairToken(1) },
      ];
      if (heads.cross && source) {
        const src = text(source.baseTokens);
        specs.push(
          { kind: 'cross-base', head: h, values: heads.cross.base[h], rows: text(result.baseTokens), cols: src },
          {
            kind: 'cross-variant',
            head: h,
            values: heads.cross.variant[h],
            rows: text(result.variantTokens),
            cols: src,
          },
        );
      }
      rows.push(
        el(
          'div',
          { class: 'head-row', 'data-head': h },
          el('div', { class: 'head-label' }, `head ${h}`),
          ...specs.map((spec) => {
            const canvas = el('canvas', {
              class: 'head-map',
              role: 'img',
              'data-kind': spec.kind,
              'aria-label': `head ${h}, ${spec.kind}`,
            });
            canvas.addEventListener('pointermove', (e) => this.explain(e, spec, canvas));
            canvas.addEventListener('pointerleave', () => hideTooltip());
            this.canvases.push({ canvas, spec });
            return canvas;
          }),
        ),
      );
    }
    const titles: string[] = ['base', 'variant', 'variant − base'];
    if (heads.cross && source) titles.push('cross-attention, base', 'cross-attention, variant');
    this.element = el(
      'div',
      { class: 'head-grid-view' },
      el(
        'p',
        { class: 'muted heads-caption' },
        `Block ${heads.layer}${heads.stack === 'model' ? '' : ` of the ${heads.stack}`} (Hugging Face’s attentions[${heads.layer}]; it writes hidden_states[${heads.layer + 1}]), every head: rows are queries, columns keys. `,
        `Weights: full colour at ${formatNumber(this.top)}, the block's largest${cross && source ? `; the cross-attention maps' own: full colour at ${formatNumber(this.crossTop)}` : ''}. `,
        `The difference is over the tokens both sides have (largest |Δ| ${formatNumber(this.scale)}: full colour).`,
        heads.afterDropout
          ? el('strong', { class: 'after-dropout' }, ' Train mode: these weights are after attention dropout.')
          : null,
      ),
      el(
        'div',
        { class: 'head-grid' },
        el(
          'div',
          { class: 'head-row head-titles' },
          el('div', { class: 'head-label' }),
          ...titles.map((t) => el('div', { class: 'head-title' }, t)),
        ),
        ...rows,
      ),
      leakList(result, heads),
    );
  }

  draw(): void {
    const palette = this.palette();
    const ratio = window.devicePixelRatio || 1;
    const crossTop = this.crossTop;
    for (const { canvas, spec } of this.canvases) {
      const n = spec.values.length;
      const m = spec.values[0]?.length ?? 0;
      const cell = Math.max(1, Math.floor(MAP_SIZE / Math.max(1, n, m)));
      canvas.width = Math.max(1, Math.round(m * cell * ratio));
      canvas.height = Math.max(1, Math.round(n * cell * ratio));
      place(canvas, { width: m * cell, height: n * cell });
      canvas.dataset.cell = String(cell);
      const context = canvas.getContext('2d');
      if (!context) continue;
      context.setTransform(ratio, 0, 0, ratio, 0, 0);
      spec.values.forEach((row, i) =>
        row.forEach((v, j) => {
          context.fillStyle =
            spec.kind === 'difference'
              ? palette.diverging(v / this.scale)
              : palette.weight(v / (spec.kind.startsWith('cross') ? crossTop : this.top));
          context.fillRect(j * cell, i * cell, cell, cell);
        }),
      );
    }
  }

  private explain(event: PointerEvent, spec: MapSpec, canvas: HTMLCanvasElement): void {
    const cell = Number(canvas.dataset.cell) || 1;
    const i = Math.floor(event.offsetY / cell);
    const j = Math.floor(event.offsetX / cell);
    const value = spec.values[i]?.[j];
    if (value === undefined) return hideTooltip();
    const token = (t: string) => el('code', { class: 'tip-token' }, ...visibleText(t));
    const rows: [string, HTMLElement | string][] = [
      ['query', token(spec.rows(i))],
      ['key', token(spec.cols(j))],
    ];
    if (spec.kind === 'difference') {
      const [bi, vi] = this.heads.pairs[i];
      const [bj, vj] = this.heads.pairs[j];
      rows.push(
        ['base', formatNumber(this.heads.base[spec.head][bi][bj])],
        ['variant', formatNumber(this.heads.variant[spec.head][vi][vj])],
        ['difference', formatNumber(value)],
      );
    } else rows.push([spec.kind.startsWith('cross') ? 'cross-attention' : 'weight', formatNumber(value)]);
    showTooltip(event.clientX, event.clientY, `head ${spec.head} · ${spec.kind} · query ${i} → key ${j}`, rows);
  }
}

function leakList(result: MeasuredResult, heads: AttentionHeads): HTMLElement {
  const leaking = heads.leaks.filter((l) => l.weight > 0);
  const token = (k: number) =>
    el('code', { class: 'candidate-token' }, ...visibleText(result.variantTokens[k]?.text ?? ''));
  if (heads.leaks.length === 0)
    return el(
      'p',
      { class: 'muted leak-none' },
      'No earlier position to attend from: the edit is at the first position.',
    );
  if (leaking.length === 0)
    return el(
      'p',
      { class: 'leak-none' },
      'No head attends from an earlier position to the perturbed token (the mask hides it from them).',
    );
  return el(
    'div',
    { class: 'leaks' },
    el('h4', {}, 'Heads attending from earlier positions to the perturbed token'),
    el(
      'ol',
      { class: 'leak-list' },
      ...leaking
        .slice(0, 8)
        .map((l) =>
          el(
            'li',
            { 'data-head': l.head },
            el('strong', {}, `head ${l.head}`),
            ` ${formatNumber(l.weight)} from position ${l.query} `,
            token(l.query),
            ` to ${l.key} `,
            token(l.key),
          ),
        ),
    ),
  );
}
