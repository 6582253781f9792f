/**
 * What reads wrong at a real panel width, measured in the page: the page scrolls sideways, a number breaks
 * inside, the evidence under a verdict runs to many lines, a badge overflows its pill, a variant hides
 * behind a horizontal scrollbar, an icon did not load.
 */
import type { Page } from 'playwright-core';

export async function layoutProblems(page: Page): Promise<string[]> {
  await page.evaluate(() => document.fonts.ready);
  return page.evaluate(() => {
    const problems: string[] = [];
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth > width + 1)
      problems.push(`the page scrolls sideways: ${document.documentElement.scrollWidth} > ${width}`);
    for (const n of Array.from(document.querySelectorAll<HTMLElement>('.num')))
      if (n.getClientRects().length > 1) problems.push(`number "${n.textContent}" breaks across lines`);
    for (const e of Array.from(document.querySelectorAll<HTMLElement>('.evidence'))) {
      const lineHeight = parseFloat(getComputedStyle(e).lineHeight);
      const lines = Math.round(e.getBoundingClientRect().height / lineHeight);
      if (lines > 3) problems.push(`evidence "${e.innerText.replace(/\n/g, ' / ')}" takes ${lines} lines`);
    }
    for (const b of Array.from(document.querySelectorAll<HTMLElement>('.badge'))) {
      if (b.scrollWidth > b.clientWidth + 1) problems.push(`badge "${b.textContent}" overflows its pill`);
      const cell = b.closest('td, .verdict-row');
      if (cell && b.getBoundingClientRect().right > cell.getBoundingClientRect().right + 1)
        problems.push(`badge "${b.textContent}" sticks out of its cell`);
    }
    for (const block of Array.from(document.querySelectorAll<HTMLElement>('.variant-block')))
      if (block.getBoundingClientRect().right > width + 1)
        problems.push(`variant block ${block.dataset.case}/${block.dataset.variant} is outside the panel`);
    for (const el of Array.from(document.querySelectorAll<HTMLElement>('.summary, .summary *'))) {
      const overflow = getComputedStyle(el).overflowX;
      if ((overflow === 'auto' || overflow === 'scroll') && el.scrollWidth > el.clientWidth + 1)
        problems.push(`a horizontal scrollbar in the summary (${el.className})`);
    }
    const icons = document.querySelectorAll<HTMLElement>('.codicon');
    if (icons.length > 0 && !document.fonts.check('16px codicon')) problems.push('the codicon font is not loaded');
    for (const i of Array.from(icons))
      if (i.getBoundingClientRect().width < 8) problems.push(`icon ${i.className} has no glyph`);
    return problems;
  });
}
