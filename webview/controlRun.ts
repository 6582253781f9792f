/** The control run — the base input run twice — whose difference is the noise floor every change is judged against. */
import type { ControlRun } from '../extension/protocol/report';
import { el } from './dom';
import { formatNumber, layerName } from './format';

export function controlView(control: ControlRun, nonFinite: boolean): HTMLElement {
  const peak = Math.max(0, ...control.perLayerMaxAbsDiff);
  const bars = control.perLayerMaxAbsDiff.map((value, layer) => {
    const bar = el('span', { class: 'layer-bar', title: `${layerName(layer)}: max |Δ| ${formatNumber(value)}` });
    bar.style.setProperty('height', `${peak > 0 ? Math.max(4, (value / peak) * 100) : 4}%`);
    return bar;
  });
  return el(
    'div',
    { class: 'control', 'data-identical': String(control.identical) },
    el(
      'p',
      {},
      control.identical
        ? nonFinite
          ? 'The base input run twice gave the same hidden states, NaN or Inf in the same places: the run is reproducible, but where a state is NaN or Inf nothing can be compared.'
          : 'The base input run twice gave identical hidden states: max |Δ| 0, so any change is the edit’s.'
        : `The base input run twice already differs: max |Δ| ${formatNumber(control.maxAbsDiff)}. Differences between the two prompts no bigger than that are not evidence of anything.`,
    ),
    peak > 0 ? el('div', { class: 'layer-bars', 'aria-label': 'control max |Δ| per layer' }, ...bars) : null,
    peak > 0
      ? el(
          'div',
          { class: 'layer-bars-axis muted' },
          el('span', {}, 'emb'),
          el('span', {}, 'max |Δ| per layer'),
          el('span', {}, `layer ${control.perLayerMaxAbsDiff.length - 1}`),
        )
      : null,
  );
}
