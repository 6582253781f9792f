/**
 * VS Code's own icons (codicons), from the icon font the extension ships (dist/codicon.ttf, loaded by
 * media/panel.css under the panel's CSP). media/panel.css maps only the glyphs named here, by code point,
 * in ::before, so an icon adds no character to the text a test, a copy or a screen reader reads.
 */
import { el } from './dom';

export type IconName = 'info' | 'warning' | 'error' | 'pass' | 'circle-slash' | 'lightbulb';

/** An icon; decorative unless a label is given (then announced as that label). */
export function icon(name: IconName, label?: string): HTMLElement {
  return el('span', {
    class: `codicon codicon-${name}`,
    ...(label ? { role: 'img', 'aria-label': label } : { 'aria-hidden': 'true' }),
  });
}
