/**
 * The two token sequences one above the other, aligned by `alignment.pairs`: base on top, variant
 * below, the perturbed position and the first changed one marked, inserted and deleted tokens
 * against a gap. Tokens are shown exactly as the tokenizer spells them (`Ġwill`, `##in`, `<pad>`).
 */
import type { TokenView, MeasuredResult } from '../extension/protocol/report';
import { el } from './dom';
import { frontierColumns } from './positions';

const KIND_TITLE = {
  same: 'same token',
  changed: 'changed token',
  inserted: 'new in the variant',
  deleted: 'dropped from the base',
} as const;

export class TokenStrips {
  readonly element: HTMLElement;
  private readonly pairs: HTMLElement[] = [];
  private highlighted: HTMLElement | null = null;

  constructor(result: MeasuredResult) {
    const { alignment } = result;
    const marked = frontierColumns(result);
    const columns = alignment.pairs.map((pair, index) => {
      const perturbed = index === marked.perturbed;
      const firstChanged = index === marked.firstChanged;
      const marks = [perturbed ? 'edit' : null, firstChanged ? 'first change' : null].filter((m) => m !== null);
      const column = el(
        'div',
        {
          class: ['pair', `kind-${pair.kind}`, perturbed ? 'perturbed' : '', firstChanged ? 'first-changed' : '']
            .join(' ')
            .trim(),
          'data-index': index,
          title: `${positionLabel(pair.base, pair.variant)}: ${KIND_TITLE[pair.kind]}`,
        },
        // The mark may be wider than its token; it overflows to the right instead of widening the column.
        el('span', { class: 'pair-mark' }, marks.length ? el('span', {}, marks.join(' · ')) : null),
        el('span', { class: 'pair-position' }, positionLabel(pair.base, pair.variant)),
        tokenCell(pair.base === null ? null : result.baseTokens[pair.base], 'base'),
        tokenCell(pair.variant === null ? null : result.variantTokens[pair.variant], 'variant'),
      );
      this.pairs.push(column);
      return column;
    });
    this.element = el(
      'div',
      { class: 'token-strips' },
      el(
        'div',
        { class: 'strip-labels', 'aria-hidden': 'true' },
        el('span', { class: 'pair-mark' }),
        el('span', { class: 'pair-position' }, 'pos'),
        el('span', { class: 'strip-label' }, 'base'),
        el('span', { class: 'strip-label' }, 'variant'),
      ),
      el('div', { class: 'strip-scroll' }, el('div', { class: 'strip-pairs' }, ...columns)),
    );
  }

  /** Scrolls a long strip so the first edited pair is in view (a third in from the left). */
  revealEdit(): void {
    const scroller = this.scroller;
    const edit = this.pairs.find((pair) => !pair.classList.contains('kind-same'));
    if (!scroller || !edit) return;
    const left = edit.offsetLeft - (scroller.firstElementChild as HTMLElement).offsetLeft;
    if (left > scroller.clientWidth * 0.8) scroller.scrollLeft = left - scroller.clientWidth / 3;
  }

  get scroller(): HTMLElement | null {
    return this.element.querySelector<HTMLElement>('.strip-scroll');
  }

  /** Marks the column the pointer is on in the heatmap (or none). */
  highlight(pairIndex: number | null): void {
    this.highlighted?.classList.remove('hover');
    this.highlighted = pairIndex === null ? null : (this.pairs[pairIndex] ?? null);
    this.highlighted?.classList.add('hover');
  }

  onHover(listener: (pairIndex: number | null) => void): void {
    this.element.addEventListener('pointerover', (event) => {
      const pair = (event.target as Element).closest<HTMLElement>('.pair');
      listener(pair ? Number(pair.dataset.index) : null);
    });
    this.element.addEventListener('pointerleave', () => listener(null));
  }
}

/** "5", or "5→6" when the token count changed and the two sides' indices differ, "+6" / "−5" for a one-sided token. */
export function positionLabel(base: number | null, variant: number | null): string {
  if (base === null) return `+${variant}`;
  if (variant === null) return `−${base}`;
  return base === variant ? String(base) : `${base}→${variant}`;
}

function tokenCell(token: TokenView | null | undefined, side: 'base' | 'variant'): HTMLElement {
  if (!token) return el('span', { class: `token ${side} gap`, title: `no ${side} token here` }, '·');
  return el(
    'span',
    {
      class: `token ${side}${token.special ? ' special' : ''}`,
      title: `id ${token.id}${token.special ? ' · special token' : ''}`,
    },
    ...visibleText(token.text),
  );
}

/**
 * The token's text as text nodes; only characters that would not show at all (line breaks, tabs,
 * an empty token) are drawn as dim escapes, so `Ġwill`, `<pad>` and markup-like tokens show verbatim.
 */
export function visibleText(text: string): Node[] {
  if (text === '') return [el('span', { class: 'escape' }, '∅')];
  const nodes: Node[] = [];
  for (const piece of text.split(/([\n\r\t])/)) {
    if (piece === '') continue;
    const escape = piece === '\n' ? '\\n' : piece === '\r' ? '\\r' : piece === '\t' ? '\\t' : null;
    nodes.push(escape ? el('span', { class: 'escape' }, escape) : document.createTextNode(piece));
  }
  return nodes;
}
