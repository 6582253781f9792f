/**
 * The activation-patching heatmap of a result (`patch:`): blocks down, positions (their tokens, as text) or
 * heads across, the target position marked. A cell is the base run with that piece replaced by the variant's.
 * With an LM head the colour is the fraction of the variant's logit change the patch restores, on a diverging
 * scale of the theme's colours (red restores, blue pushes the other way, the card's background nothing); without
 * one it is the effect on the target's last hidden state, on the sequential heat scale. Hover gives the numbers.
 * Rows not computed yet are hatched: the grid fills in as rows stream from the runner.
 */
import type { MeasuredResult, PatchingResult } from '../extension/protocol/report';
import { el } from './dom';
import { formatNumber } from './format';
import { formatPair } from '../extension/protocol/numbers';
import type { Palette } from './theme';
import { hideTooltip, showTooltip } from './tooltip';

export class PatchingView {
  readonly element = el('div', { class: 'patching', hidden: true });
  private result: MeasuredResult | null = null;

  constructor(private readonly palette: () => Palette) {
    this.element.addEventListener('mouseover', (event) => this.hover(event));
    this.element.addEventListener('mouseleave', () => hideTooltip());
  }

  /** Shows the result's grid as far as it is computed (hidden when the result has none). */
  update(result: MeasuredResult): void {
    this.result = result;
    const grid = result.patching;
    this.element.hidden = grid === undefined;
    if (!grid) {
      this.element.replaceChildren();
      return;
    }
    this.element.replaceChildren(caption(result, grid), this.table(result, grid), legend(grid));
  }

  redraw(): void {
    if (this.result) this.update(this.result);
  }

  private table(result: MeasuredResult, grid: PatchingResult): HTMLElement {
    const palette = this.palette();
    const rows = new Map(grid.rows.map((r) => [r.layer, r]));
    // The target is one of the columns when the measured stack is the one patched (not for a source edit).
    const marksTarget = grid.kind === 'residual' && grid.stack !== 'encoder';
    const maxEffect = grid.rows.reduce((m, r) => r.effect.reduce<number>((n, x) => Math.max(n, x ?? 0), m), 0);
    // The columns of the edited tokens, marked as the token strip marks them (a residual grid of the edited stack).
    const edited = (c: number) =>
      grid.kind === 'residual' && grid.stack === result.stack && result.alignment.pairs[c]?.kind === 'changed';
    const head = el(
      'tr',
      {},
      el(
        'th',
        { class: 'patch-corner', scope: 'col' },
        grid.kind === 'residual' ? 'block \\ position' : 'block \\ head',
      ),
      ...Array.from({ length: grid.columns }, (_, c) =>
        el(
          'th',
          {
            scope: 'col',
            class: [
              'patch-col',
              marksTarget && c === grid.target ? 'patch-target' : '',
              edited(c) ? 'patch-edited' : '',
            ]
              .filter(Boolean)
              .join(' '),
            'data-column': c,
            title:
              [
                marksTarget && c === grid.target ? 'the target position t' : '',
                edited(c)
                  ? `edited: “${result.baseTokens[c]?.text ?? ''}” → “${result.variantTokens[c]?.text ?? ''}”`
                  : '',
              ]
                .filter(Boolean)
                .join('; ') || undefined,
          },
          grid.kind === 'residual' ? (result.baseTokens[c]?.text ?? '') : `h${c}`,
        ),
      ),
    );
    const body = Array.from({ length: grid.layers }, (_, l) => {
      const row = rows.get(l);
      return el(
        'tr',
        { class: row ? undefined : 'patch-pending' },
        el('th', { scope: 'row', class: 'patch-layer' }, `block ${l}`),
        ...Array.from({ length: grid.columns }, (_, c) => {
          const cell = el('td', {
            class: marksTarget && c === grid.target ? 'patch-cell patch-target' : 'patch-cell',
            'data-layer': l,
            'data-column': c,
          });
          if (row?.notRun.includes(c)) cell.classList.add('patch-not-run');
          if (row) {
            const fraction = row.fraction?.[c];
            const effect = row.effect[c];
            const rounding = effect !== null && effect <= grid.roundingFloor;
            if (rounding) cell.classList.add('patch-rounding');
            // The colour stops at ±1: a patch that overshoots the variant's change is outlined.
            if (!rounding && typeof fraction === 'number' && Math.abs(fraction) > 1)
              cell.classList.add('patch-overshoot');
            // NaN or ±Inf (null): off the scale, as the main heatmap draws a non-finite state. Within rounding: no
            // effect (its fraction is noise).
            const colour =
              effect === null || fraction === null
                ? palette.nonFinite
                : rounding
                  ? fraction !== undefined
                    ? palette.diverging(0)
                    : palette.heat.at(0)
                  : fraction !== undefined
                    ? palette.diverging(fraction)
                    : palette.heat.at(maxEffect > 0 ? effect / maxEffect : 0);
            // The CSSOM is allowed by the panel's CSP (a style attribute is not).
            cell.style.setProperty('background-color', colour);
          }
          return cell;
        }),
      );
    });
    return el(
      'div',
      { class: 'patching-scroll' },
      el(
        'table',
        { class: 'patching-grid', 'aria-label': 'Activation patching by block and position' },
        el('thead', {}, head),
        el('tbody', {}, ...body),
      ),
    );
  }

  private hover(event: MouseEvent): void {
    const target = event.target as HTMLElement | null;
    const grid = this.result?.patching;
    if (!target || !grid || !target.classList.contains('patch-cell')) return;
    const l = Number(target.dataset.layer);
    const c = Number(target.dataset.column);
    const row = grid.rows.find((r) => r.layer === l);
    const where = grid.kind === 'residual' ? `position ${c} “${this.result?.baseTokens[c]?.text ?? ''}”` : `head ${c}`;
    const rect = target.getBoundingClientRect();
    if (!row) {
      showTooltip(rect.right, rect.bottom, `block ${l}, ${where}`, [['status', 'not computed yet']]);
      return;
    }
    if (row.notRun.includes(c)) {
      showTooltip(rect.right, rect.bottom, `block ${l}, ${where}`, [
        ['not run', 'the variant’s input here is the base’s bit for bit'],
        ['effect at t', '0 (exactly)'],
      ]);
      return;
    }
    const effect = row.effect[c];
    const rows: [string, string][] = [['effect at t', effect === null ? 'NaN or ±Inf' : formatNumber(effect)]];
    if (effect !== null && effect <= grid.roundingFloor)
      rows.push(['', `within float32 rounding (≤ ${formatNumber(grid.roundingFloor)}): no effect`]);
    const fraction = row.fraction?.[c];
    if (fraction !== undefined && grid.logit)
      rows.push(
        ['fraction restored', fraction === null ? 'NaN or ±Inf' : formatNumber(fraction)],
        [
          'restored logit',
          fraction === null
            ? 'NaN or ±Inf'
            : formatNumber(grid.logit.base + fraction * (grid.logit.variant - grid.logit.base)),
        ],
      );
    showTooltip(rect.right, rect.bottom, `block ${l}, ${where}`, rows);
  }
}

function caption(result: MeasuredResult, grid: PatchingResult): HTMLElement {
  const target = grid.targetText;
  const what =
    grid.kind === 'residual'
      ? `the stream entering ${grid.stack === 'model' ? '' : `the ${grid.stack}’s `}block l (Hugging Face’s hidden_states[l]) at one position`
      : grid.kind === 'cross_heads'
        ? 'one head’s cross-attention output in the decoder’s block l'
        : grid.stack === 'model'
          ? 'one head’s attention output in block l'
          : `one head’s self-attention output in the ${grid.stack}’s block l`;
  const done = grid.rows.length < grid.layers ? ` · ${grid.rows.length} of ${grid.layers} blocks computed` : '';
  const logits = grid.logit ? formatPair(grid.logit.base, grid.logit.variant) : ['', ''];
  return el(
    'div',
    { class: 'patching-caption' },
    el(
      'p',
      {},
      `Each cell runs the base with ${what} replaced by the variant’s, and measures the output at ${grid.stack === 'encoder' ? 'the decoder’s ' : ''}position ${grid.target} “${target}”.`,
    ),
    grid.logit
      ? el(
          'p',
          { class: 'muted' },
          `Colour: the fraction of the variant’s change to the logit of its top next token “${grid.logit.text}” that the patch restores ` +
            `(base ${logits[0]}, variant ${logits[1]}, a change of ${formatNumber(grid.logit.variant - grid.logit.base)}; the base’s top is “${grid.logit.baseTopText}”).${done}`,
        )
      : el(
          'p',
          { class: 'muted' },
          `Colour: max |Δ| of the last hidden state at the target, relative to the largest cell (no LM head, so no logit).${done}`,
        ),
  );
}

function legend(grid: PatchingResult): HTMLElement {
  const nonFinite =
    grid.nonFinite > 0 ? ` ${grid.nonFinite} cells give NaN or ±Inf at the target: drawn as no number.` : '';
  const skipped =
    grid.skipped > 0 ? ` Dotted: ${grid.skipped} cells equal the base bit for bit and were not run (exactly 0).` : '';
  const run = grid.rows.flatMap((r) => r.effect).filter((x): x is number => x !== null && x > 0);
  const within = run.filter((x) => x <= grid.roundingFloor).length;
  const overshoots = grid.logit
    ? grid.rows.reduce(
        (n, r) =>
          n +
          (r.fraction ?? []).filter(
            (f, c) => typeof f === 'number' && Math.abs(f) > 1 && (r.effect[c] ?? 0) > grid.roundingFloor,
          ).length,
        0,
      )
    : 0;
  const overshoot =
    overshoots > 0
      ? ` Outlined: ${overshoots} cell${overshoots === 1 ? '' : 's'} beyond ±1 (the patch overshoots the variant’s change; the colour stops at ±1).`
      : '';
  const rounding =
    within === 0
      ? ''
      : ` ${within === run.length ? 'Every cell that moved' : `${within} of the ${run.length} cells that moved`} the output did so within float32 rounding (≤ ${formatNumber(grid.roundingFloor)}): drawn as no effect.`;
  return el(
    'p',
    { class: 'patching-legend muted' },
    grid.logit
      ? `Red restores the variant’s logit (1 = all of it), blue pushes it the other way, background = no effect.${overshoot}${skipped}${rounding}${nonFinite}`
      : `Darker = a larger effect.${skipped}${rounding}${nonFinite}`,
  );
}
