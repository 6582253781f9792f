/**
 * The logit lens card (`lens:`): for one position (the last by default; a list picks another), one row per
 * layer with the top-k tokens of the base (at the aligned position) and of the variant, each with its
 * probability; the layer where the variant's prediction is first top-1 is marked. Tokens are text nodes.
 */
import type { LensPosition, LensToken, LogitLens } from '../extension/protocol/headsAndLens';
import type { MeasuredResult } from '../extension/protocol/report';
import { el } from './dom';
import { formatPercent, layerName } from './format';
import { visibleText } from './tokenStrips';

export function logitLensView(result: MeasuredResult, lens: LogitLens): HTMLElement {
  const table = el('div', { class: 'lens-table-holder' });
  const tokenAt = (p: LensPosition) => result.variantTokens[p.variantPosition]?.text ?? '';
  const select = el(
    'select',
    { class: 'lens-position', 'aria-label': 'Position the lens reads' },
    ...lens.positions.map((p, i) =>
      el(
        'option',
        { value: String(i), selected: i === lens.positions.length - 1 },
        `position ${p.variantPosition}: ${JSON.stringify(tokenAt(p))}`,
      ),
    ),
  );
  const show = () => table.replaceChildren(lensTable(lens, lens.positions[Number(select.value)]));
  select.addEventListener('change', show);
  show();
  const stack = lens.stack === 'decoder' ? 'the decoder’s stream' : 'each layer’s stream';
  return el(
    'div',
    { class: 'logit-lens' },
    el(
      'p',
      { class: 'muted lens-caption' },
      `The model’s own read-out (its final norm where it has one, then the unembedding and any output bias) applied to ${stack}: what it would predict after each layer `,
      `(top ${lens.k}; layer 0 is the embeddings, the last layer is the model’s own output).`,
    ),
    el('label', { class: 'lens-position-label' }, 'Prediction after ', select),
    table,
  );
}

/** When a prediction is top 1: from one layer on, or first at one layer and for good from a later one. */
function whenTop(first: number, settled: number): string {
  return first === settled
    ? `top 1 from ${layerName(first)} on`
    : `first top 1 at ${layerName(first)}, for good from ${layerName(settled)}`;
}

function lensTable(lens: LogitLens, p: LensPosition): HTMLElement {
  const prediction = p.prediction;
  return el(
    'table',
    { class: 'lens-table', 'data-position': p.variantPosition },
    el(
      'caption',
      { class: 'lens-summary' },
      'Variant’s prediction ',
      token(prediction),
      ` ${whenTop(p.firstLayer, p.settledLayer)}`,
      p.basePrediction && p.baseFirstLayer !== null && p.baseSettledLayer !== null
        ? el(
            'span',
            { class: 'muted' },
            ' · base’s ',
            token(p.basePrediction),
            ` ${whenTop(p.baseFirstLayer, p.baseSettledLayer)}`,
          )
        : el('span', { class: 'muted' }, ' · no base token here (inserted by the edit)'),
    ),
    el('thead', {}, el('tr', {}, el('th', {}, 'layer'), el('th', {}, 'base'), el('th', {}, 'variant'))),
    el(
      'tbody',
      {},
      ...p.variant.map((row, l) =>
        el(
          'tr',
          { class: l === p.firstLayer ? 'lens-first' : undefined, 'data-layer': l },
          el('th', { scope: 'row' }, String(l), l === p.firstLayer ? el('span', { class: 'lens-mark' }, ' ★') : null),
          el('td', {}, tokens(p.base[l] ?? [], p.basePrediction?.id)),
          el('td', {}, tokens(row, prediction.id)),
        ),
      ),
    ),
  );
}

function tokens(row: LensToken[], highlight: number | undefined): HTMLElement {
  return el(
    'ol',
    { class: 'lens-tokens' },
    ...row.map((t) =>
      el(
        'li',
        {
          class: t.id === highlight ? 'lens-prediction' : undefined,
          title: `id ${t.id} · logit ${t.logit.toFixed(3)}`,
        },
        token(t),
        el('span', { class: 'probability' }, formatPercent(t.probability)),
      ),
    ),
  );
}

function token(t: LensToken): HTMLElement {
  return el('code', { class: 'candidate-token' }, ...visibleText(t.token));
}
