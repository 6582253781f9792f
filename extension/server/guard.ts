/**
 * Every request and notification handler runs through `guarded`: a bug in the engine on some odd
 * input must cost one empty answer and a line in the log, never the server process (the client
 * would restart it a few times and then give up for the rest of the session).
 */
import type { Connection } from 'vscode-languageserver';

export type Logger = Pick<Connection['console'], 'error' | 'warn' | 'info' | 'log'>;

export function describeError(error: unknown): string {
  return error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
}

/** Runs `work`; on a throw or a rejection, logs what failed and answers `fallback`. */
export async function guarded<T>(log: Logger, what: string, fallback: T, work: () => T | Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    log.error(`${what} failed: ${describeError(error)}`);
    return fallback;
  }
}
