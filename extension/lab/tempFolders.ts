/**
 * The temporary folders this process is writing (model builds), so that whoever ends the process —
 * the CLI on SIGINT/SIGTERM, the runner on SIGTERM or when the extension goes away — can remove them
 * synchronously on its way out. A SIGKILL leaves them behind; the next build sweeps folders whose
 * process is gone (modelCache.ts).
 */
import { rmSync } from 'node:fs';

const live = new Set<string>();

/** Registers a folder being written; call the returned function once it is renamed into place or removed. */
export function trackTempFolder(path: string): () => void {
  live.add(path);
  return () => live.delete(path);
}

/** The folders this process is writing right now (a sweep must leave them alone). */
export function liveTempFolders(): ReadonlySet<string> {
  return live;
}

/** Removes every registered folder now (synchronously: safe in a signal handler just before exit). */
export function removeTempFolders(): number {
  let removed = 0;
  for (const path of live) {
    try {
      rmSync(path, { recursive: true, force: true });
      removed++;
    } catch {
      // Still held open elsewhere (Windows): the next build sweeps it.
    }
  }
  live.clear();
  return removed;
}
