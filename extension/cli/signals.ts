/**
 * Ctrl-C and `kill`: the CLI removes the temporary folders of a build in progress and exits at once with
 * the conventional status (128 + the signal's number: 130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP).
 * Exiting also ends the weight worker threads; nothing half-written stays in the model cache.
 */
import { removeTempFolders } from '../lab/tempFolders';

const SIGNALS = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 } as const;

export function exitCleanlyOnSignals(): void {
  for (const [signal, status] of Object.entries(SIGNALS)) {
    process.once(signal, () => {
      const removed = removeTempFolders();
      const what = removed > 0 ? `; removed ${removed} unfinished build folder${removed > 1 ? 's' : ''}` : '';
      process.stderr.write(`\nperturbation-lab: interrupted (${signal})${what}\n`);
      process.exit(status);
    });
  }
}
