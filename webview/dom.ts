/**
 * The only way the panel makes elements: text goes in as text nodes, never as markup, so a token
 * such as `<img src=x onerror=alert(1)>` always shows literally. Attributes are set one by one;
 * event-handler attributes, `style` (the CSP forbids inline styles) and URL attributes are refused.
 */

export type Child = Node | string | number | null | undefined | false;

export interface Attrs {
  class?: string;
  [name: string]: string | number | boolean | undefined;
}

const REFUSED_ATTRIBUTE = /^(on|style$|href$|src$|srcdoc$|action$|formaction$)/i;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (REFUSED_ATTRIBUTE.test(name)) throw new Error(`el(): attribute ${name} is not allowed`);
    element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(
      typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child,
    );
  }
}

/**
 * Prose from the report with `backticked` spans shown as code: the text is split on backticks and
 * every piece becomes a text node (inside <code> for the odd pieces); nothing is parsed as HTML.
 */
export function prose(text: string): DocumentFragment {
  const fragment = document.createDocumentFragment();
  text.split('`').forEach((piece, index) => {
    if (piece === '') return;
    // A short setting or name (`mode: eval`, a tensor name) stays on one line; long code may wrap.
    const code = () => el('code', piece.length <= 48 ? { class: 'unbroken' } : {}, piece);
    fragment.appendChild(index % 2 === 1 ? code() : document.createTextNode(piece));
  });
  return fragment;
}

/** Sets an element's CSS pixel geometry through the CSSOM (allowed by the CSP, unlike a style attribute). */
export function place(
  element: HTMLElement,
  box: { left?: number; top?: number; width?: number; height?: number },
): void {
  for (const [key, value] of Object.entries(box)) {
    if (value !== undefined) element.style.setProperty(key, `${value}px`);
  }
}
