/**
 * How the next-token distribution moved (models with an LM head): KL divergence and the top candidates
 * of each side. With random weights the candidates mean nothing as language, and the card says so
 * before listing them; the KL still measures how far the edit moved the output.
 */
import type { ModelSummary, NextTokenCandidate, NextTokenShift } from '../extension/protocol/report';
import { el } from './dom';
import { formatNumber, formatPercent } from './format';
import { icon } from './icons';
import { visibleText } from './tokenStrips';

export function nextTokenView(shift: NextTokenShift | null, model: ModelSummary | undefined): HTMLElement {
  if (shift === null)
    return el(
      'p',
      { class: 'muted' },
      'This model has no language-model head, so there is no next-token distribution to compare.',
    );
  if (shift.klDivergence === null)
    return el(
      'p',
      { class: 'muted' },
      `The ${shift.nonFiniteLogits.join(' and ')} logits hold NaN or Inf, so no distribution can be formed.`,
    );
  const random = model?.weights.kind === 'random';
  const top = Math.max(
    1e-12,
    ...shift.baseTop.map((c) => c.probability),
    ...shift.variantTop.map((c) => c.probability),
  );
  return el(
    'div',
    { class: 'next-token', 'data-weights': random ? 'random' : 'checkpoint' },
    random
      ? el(
          'p',
          { class: 'random-weights-note' },
          icon('info'),
          el(
            'span',
            {},
            `${capitalized(model?.weights.description ?? 'random weights')}: these candidates mean nothing as language. `,
            'The KL still measures how far the edit moved the output.',
          ),
        )
      : null,
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

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
