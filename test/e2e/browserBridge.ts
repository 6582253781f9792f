/**
 * The bridge between the mocha suites in the extension host and the Playwright page that the
 * launcher drives: a suite posts `{ name, args }` to the launcher's loopback URL, the launcher runs
 * that browser check on the very page showing this VS Code, and answers with its result or error.
 * Both run in one code-server run, interleaved: the suite does something with the API, asks the
 * browser what a person would see (or makes the browser click), then asserts again in the host.
 * (A check after the suites end could not do that: VS Code stops the extension host before it
 * reports the exit code.)
 */
import type { FrameLocator, Page } from 'playwright-core';

/** What a browser check gets. */
export interface BrowserCheckContext {
  /** The workbench page. */
  readonly page: Page;
  /** The content of the webview panel, two iframes deep: VS Code's `iframe.webview.ready`, then
   *  `#active-frame`. `index` picks one when several webviews are open (default: the first). */
  webview(index?: number): FrameLocator;
  /** Folder of this run's artifacts (screenshots go there). */
  readonly artifactsDir: string;
  /** A line in the test output. */
  log(message: string): void;
}

/** A check runs in the launcher, in Node, with Playwright; args and result cross as JSON. */
export type BrowserCheck<A = undefined, R = unknown> = (context: BrowserCheckContext, args: A) => Promise<R>;

/** Extension host → launcher (HTTP POST body). */
export interface BrowserCheckRequest {
  name: string;
  args?: unknown;
}

/** Launcher → extension host (HTTP response body). */
export type BrowserCheckResponse =
  { ok: true; value: unknown } | { ok: false; error: { message: string; stack?: string } };

export const bridgeCheckPath = 'check';
