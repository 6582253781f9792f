/**
 * Serves the real panel — the HTML `panelHtml` makes, `dist/webview.js` and `media/panel.css` — on
 * 127.0.0.1 and opens it in Debian's headless Chromium with a stand-in for VS Code's
 * `acquireVsCodeApi` (posted messages recorded, state kept in sessionStorage so it survives a reload).
 */
import * as assert from 'node:assert/strict';
import type * as PlaywrightCore from 'playwright-core';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { panelHtml } from '../../extension/host/panelHtml';
import type { FromWebview, ToWebview } from '../../extension/protocol/webview';
import { repoRoot } from '../helpers/paths';
import type { ThemeFixture } from './themes';

export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** The bundle must exist and be newer than every webview source, or the test would check stale code. */
export function bundlePath(): string {
  const root = repoRoot();
  const bundle = join(root, 'dist', 'webview.js');
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run \`node build.mjs\` first`);
  const built = statSync(bundle).mtimeMs;
  const stale = readdirSync(join(root, 'webview')).filter(
    (name) => statSync(join(root, 'webview', name)).mtimeMs > built,
  );
  if (stale.length) throw new Error(`dist/webview.js is older than webview/${stale[0]}: run \`node build.mjs\` first`);
  return bundle;
}

export interface PanelServer {
  origin: string;
  /** Every path the page asked for, in order. */
  requests: string[];
  /** The nonce of the last page served. */
  lastNonce: string;
  lastHtml: string;
  close(): Promise<void>;
}

export async function servePanel(): Promise<PanelServer> {
  const root = repoRoot();
  const files: Record<string, [string, string]> = {
    '/dist/webview.js': [bundlePath(), 'text/javascript'],
    '/dist/webview.js.map': [join(root, 'dist', 'webview.js.map'), 'application/json'],
    '/media/panel.css': [join(root, 'media', 'panel.css'), 'text/css'],
    '/dist/codicon.ttf': [join(root, 'dist', 'codicon.ttf'), 'font/ttf'],
  };
  const state: PanelServer = { origin: '', requests: [], lastNonce: '', lastHtml: '', close: async () => undefined };
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    state.requests.push(path);
    if (path === '/') {
      state.lastNonce = randomBytes(18).toString('base64url');
      state.lastHtml = panelHtml({
        cspSource: state.origin,
        nonce: state.lastNonce,
        scriptUri: `${state.origin}/dist/webview.js`,
        styleUri: `${state.origin}/media/panel.css`,
      });
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(state.lastHtml);
      return;
    }
    const file = files[path];
    if (file && existsSync(file[0])) {
      response.writeHead(200, { 'content-type': file[1], 'cache-control': 'no-store' }).end(readFileSync(file[0]));
      return;
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () => new Promise((resolve) => server.close(() => resolve()));
  return state;
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: the webview test needs Debian's chromium (apt-get install chromium)`,
    );
  }
  // Loaded at run time from node_modules: playwright-core reads its own files beside it and cannot be bundled.
  const playwright = createRequire(join(repoRoot(), 'package.json'))('playwright-core') as typeof PlaywrightCore;
  return playwright.chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** Runs in the page before the bundle: VS Code's API as the panel sees it, plus what the test records. */
function stubVsCodeApi(): void {
  const w = window as unknown as Record<string, unknown>;
  const posted: unknown[] = [];
  const violations: string[] = [];
  w.__posted = posted;
  w.__cspViolations = violations;
  w.__stateWrites = 0;
  document.addEventListener('securitypolicyviolation', (e) =>
    violations.push(`${e.violatedDirective} ${e.blockedURI}`),
  );
  let acquired = false;
  w.acquireVsCodeApi = () => {
    if (acquired) throw new Error('acquireVsCodeApi may be called only once');
    acquired = true;
    return {
      postMessage: (message: unknown) => posted.push(JSON.parse(JSON.stringify(message))),
      getState: () => {
        const saved = sessionStorage.getItem('vscode-state');
        return saved === null ? undefined : JSON.parse(saved);
      },
      setState: (value: unknown) => {
        sessionStorage.setItem('vscode-state', JSON.stringify(value));
        w.__stateWrites = (w.__stateWrites as number) + 1;
        return value;
      },
    };
  };
}

export interface OpenPanel {
  context: BrowserContext;
  page: Page;
  dialogs: string[];
  pageErrors: string[];
  close(): Promise<void>;
}

export async function openPanel(
  browser: Browser,
  server: PanelServer,
  options: { deviceScaleFactor?: number; width?: number; height?: number } = {},
): Promise<OpenPanel> {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1280, height: options.height ?? 900 },
    deviceScaleFactor: options.deviceScaleFactor ?? 1,
  });
  const page = await context.newPage();
  const dialogs: string[] = [];
  const pageErrors: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  await page.addInitScript(stubVsCodeApi);
  await page.goto(server.origin + '/');
  await waitForPosted(page, { type: 'ready' });
  return { context, page, dialogs, pageErrors, close: () => context.close() };
}

/** The panel ran clean: no script error on the page and no Content-Security-Policy violation. */
export async function assertNoPageProblems(panel: OpenPanel): Promise<void> {
  assert.deepEqual(panel.pageErrors, []);
  assert.deepEqual(
    await panel.page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations),
    [],
  );
}

export async function posted(page: Page): Promise<FromWebview[]> {
  return page.evaluate(() => (window as unknown as { __posted: FromWebview[] }).__posted);
}

export async function waitForPosted(page: Page, message: FromWebview): Promise<void> {
  await page.waitForFunction(
    (m) => (window as unknown as { __posted: unknown[] }).__posted.some((p) => JSON.stringify(p) === JSON.stringify(m)),
    message,
  );
}

/** Posts host messages as VS Code does (window message events) and waits until the panel has handled each (it saves state after every one). */
export async function send(page: Page, messages: ToWebview[]): Promise<void> {
  const before = await page.evaluate(() => (window as unknown as { __stateWrites: number }).__stateWrites);
  await page.evaluate((all) => {
    for (const message of all) window.postMessage(message, '*');
  }, messages);
  await page.waitForFunction(
    (target) => (window as unknown as { __stateWrites: number }).__stateWrites >= target,
    before + messages.length,
  );
}

export async function savedState(page: Page): Promise<unknown> {
  return page.evaluate(() => JSON.parse(sessionStorage.getItem('vscode-state') ?? 'null'));
}

/** Applies a theme the way VS Code does: variables on <html>, the theme class on <body>. */
export async function applyTheme(page: Page, theme: ThemeFixture): Promise<void> {
  await page.evaluate(({ variables, bodyClass }) => {
    for (const [name, value] of Object.entries(variables)) document.documentElement.style.setProperty(name, value);
    document.body.classList.remove('vscode-light', 'vscode-dark', 'vscode-high-contrast');
    document.body.classList.add(bodyClass);
  }, theme);
  // The panel redraws its canvases from a MutationObserver callback; one frame later they show the new colours.
  await settled(page);
}

/**
 * Waits until what the page shows is final: every font it asked for loaded (the icon font is `font-display: block`,
 * so until it arrives the icons are blank) and two frames drawn (ResizeObserver and MutationObserver callbacks redraw
 * the canvases in the frame after a layout change).
 */
export async function settled(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await document.fonts.ready;
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  });
}
