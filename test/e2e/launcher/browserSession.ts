/**
 * Headless Chromium on the workbench page: the extension host only starts once a browser connects.
 * The page reports the suites' console through `window.codeAutomationLog` and their end through
 * `window.codeAutomationExit`; the bridge lets the suites run Playwright checks on the same page.
 */
import { createWriteStream, existsSync, mkdirSync, writeFileSync, type WriteStream } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { dirname, join, normalize } from 'node:path';
import { format } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import {
  bridgeCheckPath,
  type BrowserCheck,
  type BrowserCheckContext,
  type BrowserCheckRequest,
  type BrowserCheckResponse,
} from '../browserBridge';
import { HarnessEnv } from '../harnessEnv';

const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export interface AutomationResult {
  code: number;
}

export class BrowserSession {
  private constructor(
    private readonly browser: Browser,
    readonly page: Page,
    readonly exit: Promise<AutomationResult>,
    private readonly consoleLog: WriteStream,
  ) {}

  /** Opens `url`; `onLog` gets each line the suites (and the workbench) log. */
  static async open(
    url: string,
    artifactsDir: string,
    stateDir: string,
    onLog: (line: string) => void,
  ): Promise<BrowserSession> {
    const executablePath = process.env[HarnessEnv.chromium] ?? '/usr/bin/chromium';
    if (!existsSync(executablePath))
      throw new Error(`Chromium not found at ${executablePath}: run scripts/install-test-deps.sh`);
    // Chromium's crash database and caches go to the run's scratch folder, not the home folder.
    const env = {
      ...process.env,
      XDG_CONFIG_HOME: join(stateDir, 'chromium-config'),
      XDG_CACHE_HOME: join(stateDir, 'chromium-cache'),
    };
    const browser = await chromium.launch({ executablePath, headless: true, args: chromiumArgs, env });
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const consoleLog = createWriteStream(join(artifactsDir, 'browser-console.log'));
    page.on('console', (message) => consoleLog.write(`[${message.type()}] ${message.text()}\n`));
    page.on('pageerror', (error) => consoleLog.write(`[pageerror] ${error.stack ?? error.message}\n`));

    let reportExit!: (result: AutomationResult) => void;
    let fail!: (error: Error) => void;
    const exit = new Promise<AutomationResult>((resolveExit, reject) => {
      reportExit = resolveExit;
      fail = reject;
    });
    exit.catch(() => undefined); // closing the page at the end rejects it: nobody may be waiting then
    page.on('crash', () => fail(new Error('the workbench page crashed')));
    page.on('close', () => fail(new Error('the workbench page closed before the tests ended')));
    await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
      const text = format(...(Array.isArray(args) ? args : [args])); // console.log semantics: mocha's reporter logs '%s' formats
      onLog(type === 'info' || type === 'log' ? text : `[${type}] ${text}`);
    });
    await page.exposeFunction('codeAutomationExit', (code: number, logs?: unknown) => {
      saveVsCodeLogs(join(artifactsDir, 'vscode-logs'), logs);
      reportExit({ code: typeof code === 'number' ? code : 1 });
    });
    await page.goto(url);
    return new BrowserSession(browser, page, exit, consoleLog);
  }

  async screenshot(path: string): Promise<void> {
    await this.page.screenshot({ path, timeout: 10_000 }).catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.browser.close().catch(() => undefined);
    this.consoleLog.end();
  }
}

/** `logs` from codeAutomationExit: VS Code's own log files, `{ relativePath, contents }[]`. */
function saveVsCodeLogs(dir: string, logs: unknown): void {
  if (!Array.isArray(logs)) return;
  for (const log of logs as { relativePath?: unknown; contents?: unknown }[]) {
    if (typeof log?.relativePath !== 'string' || typeof log.contents !== 'string') continue;
    const path = normalize(join(dir, log.relativePath));
    if (!path.startsWith(dir)) continue;
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, log.contents);
  }
}

/** The loopback HTTP end of browserBridge.ts. The URL carries a random token. */
export class BrowserBridge {
  private page: Page | undefined;
  private checks: Record<string, BrowserCheck<never, unknown>> | undefined;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly artifactsDir: string,
    private readonly log: (line: string) => void,
  ) {}

  static async start(artifactsDir: string, log: (line: string) => void): Promise<BrowserBridge> {
    const token = randomBytes(16).toString('hex');
    const server = createServer();
    await new Promise<void>((resolveListen, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolveListen());
    });
    const address = server.address();
    if (typeof address !== 'object' || !address) throw new Error('bridge: no address');
    const bridge = new BrowserBridge(server, `http://127.0.0.1:${address.port}/${token}/`, artifactsDir, log);
    server.on('request', (request, response) => {
      const respond = (status: number, body: BrowserCheckResponse) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(body));
      };
      if (request.method !== 'POST' || request.url !== `/${token}/${bridgeCheckPath}`) {
        respond(404, { ok: false, error: { message: `no such bridge endpoint: ${request.method} ${request.url}` } });
        return;
      }
      bridge.handle(request).then(
        (value) => respond(200, { ok: true, value }),
        (error: Error) =>
          respond(200, { ok: false, error: { message: error?.message ?? String(error), stack: error?.stack } }),
      );
    });
    return bridge;
  }

  attach(page: Page): void {
    this.page = page;
  }

  private async handle(request: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as BrowserCheckRequest;
    if (typeof body?.name !== 'string') throw new Error('bridge: a request names a check');
    const page = this.page;
    if (!page) throw new Error('bridge: no page yet');
    const check = this.loadChecks()[body.name];
    if (!check) throw new Error(`no browser check named ${body.name} in ${process.env[HarnessEnv.browserChecks]}`);
    const context: BrowserCheckContext = {
      page,
      webview: (index = 0) =>
        page.locator('iframe.webview.ready').nth(index).contentFrame().frameLocator('#active-frame'),
      artifactsDir: this.artifactsDir,
      log: (message) => this.log(`[browser ${body.name}] ${message}`),
    };
    this.log(`[browser] ${body.name}`);
    return check(context, body.args as never);
  }

  private loadChecks(): Record<string, BrowserCheck<never, unknown>> {
    if (this.checks) return this.checks;
    const modulePath = process.env[HarnessEnv.browserChecks];
    if (!modulePath)
      throw new Error(`${HarnessEnv.browserChecks} is not set: the launcher has no browser checks to run`);

    const loaded = require(modulePath) as { browserChecks?: Record<string, BrowserCheck<never, unknown>> };
    if (!loaded.browserChecks) throw new Error(`${modulePath} exports no browserChecks`);
    return (this.checks = loaded.browserChecks);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }
}
