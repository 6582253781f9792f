/**
 * For the suites (extension host side): run a Playwright check of test/e2e/browserChecks.ts on the
 * page that shows this VS Code, and get its result. Fails — never skips — when no launcher page is
 * there to run it (for example on a desktop VS Code).
 */
import type { BrowserCheckRequest, BrowserCheckResponse } from '../browserBridge';
import { bridgeCheckPath } from '../browserBridge';
import type { BrowserChecks } from '../browserChecks';
import { HarnessEnv } from '../harnessEnv';

type ArgsOf<K extends keyof BrowserChecks> = Parameters<BrowserChecks[K]>[1];
type ResultOf<K extends keyof BrowserChecks> = Awaited<ReturnType<BrowserChecks[K]>>;

export async function browserCheck<K extends keyof BrowserChecks>(name: K, args: ArgsOf<K>): Promise<ResultOf<K>> {
  const bridge = process.env[HarnessEnv.browserBridge];
  if (!bridge) {
    throw new Error(
      `browser check ${name}: ${HarnessEnv.browserBridge} is not set — browser checks need the code-server launcher (test/e2e/launcher)`,
    );
  }
  const request: BrowserCheckRequest = { name, args };
  const response = await fetch(new URL(bridgeCheckPath, bridge), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(request),
  });
  const body = (await response.json()) as BrowserCheckResponse;
  if (!body.ok) {
    const error = new Error(`browser check ${name}: ${body.error.message}`);
    if (body.error.stack) error.stack = `${error.message}\n--- in the launcher ---\n${body.error.stack}`;
    throw error;
  }
  return body.value as ResultOf<K>;
}
