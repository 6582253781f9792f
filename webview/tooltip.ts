/** One floating tooltip for the canvases (heatmap cells, mask cells), kept inside the viewport. */
import { el, place, type Child } from './dom';

let shared: HTMLElement | null = null;

function element(): HTMLElement {
  if (shared === null) {
    shared = el('div', { class: 'tooltip', role: 'tooltip', id: 'plab-tooltip', hidden: true });
    document.body.appendChild(shared);
  }
  return shared;
}

/** Shows `rows` (title first) near the client point (x, y). */
export function showTooltip(x: number, y: number, title: string, rows: [string, Child][]): void {
  const tip = element();
  tip.replaceChildren(
    el('div', { class: 'tooltip-title' }, title),
    el('dl', { class: 'tooltip-rows' }, ...rows.flatMap(([name, value]) => [el('dt', {}, name), el('dd', {}, value)])),
  );
  tip.hidden = false;
  const margin = 12;
  const { width, height } = tip.getBoundingClientRect();
  const left = x + margin + width > window.innerWidth ? Math.max(4, x - margin - width) : x + margin;
  const top = y + margin + height > window.innerHeight ? Math.max(4, y - margin - height) : y + margin;
  place(tip, { left, top });
}

export function hideTooltip(): void {
  if (shared) shared.hidden = true;
}
