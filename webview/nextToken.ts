/** How the next-token distribution moved (models with an LM head): KL divergence and the top candidates of each side. */
import type { NextTokenCandidate, NextTokenShift } from '../extension/protocol/report';
import { el } from './dom';
import { formatNumber, formatPercent } from './format';
import { visibleText } from './tokenStrips';

export function nextTokenView(shift: NextTokenShift | null): HTMLElement {
  if (shift === null)
    return el(
      'p',
      { class: 'muted' },
      'This model has no language-model head, so there is no next-token distribution to compare.',
    );
  const top = Math.max(
    1e-12,
    ...shift.baseTop.map((c) => c.probability),
    ...shift.variantTop.map((c) => c.probability),
  );
  return el(
    'div',
    { class: 'next-token' },
    el(
      'p',
      { class: 'kl' },
      el('span', { class: 'muted' }, 'KL divergence '),
      el('strong', {}, formatNumber(shift.klDivergence)),
      el('span', { class: 'muted' }, ' (last position of each side)'),
    ),
    el(
      'div',
      { class: 'top-lists' },
      candidates('base', shift.baseTop, top),
      candidates('variant', shift.variantTop, top),
    ),
  );
}

function candidates(side: string, list: NextTokenCandidate[], top: number): HTMLElement {
  return el(
    'div',
    { class: 'top-list' },
    el('div', { class: 'top-list-title' }, side),
    el(
      'ol',
      {},
      ...list.slice(0, 5).map((c) => {
        const fill = el('span', { class: 'bar-fill' });
        fill.style.setProperty('width', `${Math.max(1, (c.probability / top) * 100)}%`);
        return el(
          'li',
          { title: `id ${c.id}` },
          el('code', { class: 'candidate-token' }, ...visibleText(c.text)),
          el('span', { class: 'bar' }, fill),
          el('span', { class: 'probability' }, formatPercent(c.probability)),
        );
      }),
    ),
  );
}
