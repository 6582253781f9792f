/**
 * The Playwright checks the e2e suites can run on the workbench page (see browserBridge.ts).
 * Add a check here, then call it from a suite with `await browserCheck('name', args)`
 * (test/e2e/suite/browser.ts). Checks wait on what they look for (locators), never on time.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserCheck } from './browserBridge';

const timeout = 30_000;

/** The explorer lists `name` (the workspace really is open in the browser). */
const explorerShows: BrowserCheck<{ name: string }, true> = async ({ page }, { name }) => {
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: name }).first().waitFor({ timeout });
  return true;
};

/** Text of the first element matching `selector` inside the webview `index` (default 0). */
const webviewText: BrowserCheck<{ selector: string; index?: number }, string> = async (
  { webview },
  { selector, index },
) => {
  const text = await webview(index).locator(selector).first().textContent({ timeout });
  if (text === null) throw new Error(`webview element ${selector} has no text`);
  return text;
};

/** A PNG of the whole page in the run's artifacts folder; returns its path. */
const screenshot: BrowserCheck<{ name: string }, string> = async ({ page, artifactsDir }, { name }) => {
  if (!/^[\w.-]+$/.test(name)) throw new Error(`screenshot name ${JSON.stringify(name)}: letters, digits, . _ - only`);
  mkdirSync(artifactsDir, { recursive: true });
  const path = join(artifactsDir, `${name}.png`);
  await page.screenshot({ path });
  return path;
};

/** Clicks the first CodeLens whose text contains `text` in the visible editor. */
const clickCodeLens: BrowserCheck<{ text: string }, true> = async ({ page }, { text }) => {
  const lens = page
    .locator('.contentWidgets .codelens-decoration a, .codelens-decoration a', { hasText: text })
    .first();
  await lens.waitFor({ timeout });
  await lens.click();
  return true;
};

/** Texts of every element matching `selector` in webview `index`, once at least `atLeast` of them show text. */
const webviewTexts: BrowserCheck<{ selector: string; atLeast: number; index?: number }, string[]> = async (
  { webview },
  { selector, atLeast, index },
) => {
  const all = webview(index).locator(selector);
  await all.nth(atLeast - 1).waitFor({ timeout: 120_000 });
  return all.allTextContents();
};

/** Waits until the element matching `selector` in webview `index` contains `text`. */
const webviewWaitForText: BrowserCheck<{ selector: string; text: string; index?: number }, true> = async (
  { webview },
  { selector, text, index },
) => {
  await webview(index).locator(selector, { hasText: text }).first().waitFor({ timeout: 120_000 });
  return true;
};

/** Clicks the first element matching `selector` in webview `index`, once it is there. */
const webviewClick: BrowserCheck<{ selector: string; index?: number }, true> = async (
  { webview },
  { selector, index },
) => {
  const target = webview(index).locator(selector).first();
  await target.waitFor({ timeout: 120_000 });
  await target.click();
  return true;
};

/** Clicks row `row` (0 = the embeddings) of the first heatmap in webview `index`, at its first column. */
const webviewClickHeatmapRow: BrowserCheck<{ row: number; index?: number }, true> = async (
  { webview },
  { row, index },
) => {
  const canvas = webview(index).locator('.heatmap-canvas').first();
  await canvas.waitFor({ timeout: 120_000 });
  const g = await canvas.evaluate((c: HTMLCanvasElement) => ({
    width: Number(c.dataset.cellWidth),
    height: Number(c.dataset.cellHeight),
    axis: Number(c.dataset.axisHeight),
  }));
  await canvas.click({ position: { x: g.width / 2, y: g.axis + row * g.height + g.height / 2 } });
  return true;
};

/** Right-clicks `file` in the explorer and chooses the context-menu item `item`. */
const explorerContextMenu: BrowserCheck<{ file: string; item: string }, true> = async ({ page }, { file, item }) => {
  const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: file }).first();
  await row.waitFor({ timeout });
  await row.click({ button: 'right' });
  const entry = page.locator('.monaco-menu .action-item', { hasText: item }).first();
  await entry.waitFor({ timeout });
  // The menu ignores a mouse-up that comes too soon after it opened; hovering the entry focuses it,
  // and Enter chooses it, as a keyboard user would.
  await entry.hover();
  await page.keyboard.press('Enter');
  await entry.waitFor({ state: 'detached', timeout });
  return true;
};

/**
 * Waits for the notification whose text contains `message`, returns its text, and clicks its button `button`
 * (`Download`, `Cancel`).
 */
const answerNotification: BrowserCheck<{ message: string; button: string }, string> = async (
  { page },
  { message, button },
) => {
  const toast = page.locator('.notification-toast', { hasText: message }).first();
  await toast.waitFor({ timeout: 120_000 });
  const text = (await toast.locator('.notification-list-item-message').first().textContent()) ?? '';
  await toast
    .locator('.monaco-button', { hasText: new RegExp(`^${button}$`) })
    .first()
    .click();
  await toast.waitFor({ state: 'detached', timeout });
  return text;
};

/** Types `text` into the open quick input (an input box such as the token prompt) and presses Enter. */
const fillQuickInput: BrowserCheck<{ text: string }, true> = async ({ page }, { text }) => {
  const input = page.locator('.quick-input-widget input').first();
  await input.waitFor({ timeout });
  await input.fill(text);
  await input.press('Enter');
  await page.locator('.quick-input-widget').first().waitFor({ state: 'hidden', timeout });
  return true;
};

export const browserChecks = {
  answerNotification,
  fillQuickInput,
  explorerContextMenu,
  explorerShows,
  webviewText,
  screenshot,
  clickCodeLens,
  webviewTexts,
  webviewWaitForText,
  webviewClick,
  webviewClickHeatmapRow,
};

export type BrowserChecks = typeof browserChecks;
