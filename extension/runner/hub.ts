/**
 * The runner's side of `from:`: the Hub settings it was started with (the extension's settings and the token
 * from VS Code's secret storage, over the environment it inherited — `HF_ENDPOINT`, `HF_HUB_OFFLINE`,
 * `HF_TOKEN`, `HF_HUB_CACHE`, `HF_HOME`), Restricted Mode as cache-only, download progress as throttled
 * events, and the question to the host before a large download.
 */
import { randomUUID } from 'node:crypto';
import { DEFAULT_CONFIRM_BYTES, formatBytes, hubSettings, type HubProgress, type HubSettings } from '../lab/hub';
import type { DownloadRequest } from '../lab/experiment/hubDownloads';
import { CancelledError } from '../lab/cancel';
import type { RunnerSettings, RunnerToHost } from '../protocol/runner';
import type { DownloadProgress } from '../protocol/run';

/** The settings `from:` models are planned and downloaded with; in an untrusted workspace, the cache only. */
export function runnerHubSettings(settings: RunnerSettings): HubSettings {
  const hub = settings.hub ?? {};
  return hubSettings({
    ...(hub.endpoint ? { endpoint: hub.endpoint } : {}),
    ...(hub.token ? { token: hub.token } : {}),
    // Restricted Mode: no download a workspace could start; what the cache holds still runs.
    ...(!settings.trusted ? { offline: 'restricted-mode' as const } : hub.offline ? { offline: true } : {}),
  });
}

export function confirmThreshold(settings: RunnerSettings): number {
  return settings.hub?.confirmDownloadAbove ?? DEFAULT_CONFIRM_BYTES;
}

/** Download events as the host shows them: at most a few per second, every file's start and end. */
const EVENT_MS = 250;

export class DownloadEvents {
  private lastSent = new Map<string, number>();

  constructor(
    private readonly requestId: string,
    private readonly send: (m: RunnerToHost) => void,
    private readonly now: () => number = Date.now,
  ) {}

  report(models: readonly string[], p: HubProgress): void {
    const event = this.eventOf(p);
    if (!event) return;
    for (const model of models) this.send({ type: 'progress', requestId: this.requestId, model, ...event });
  }

  private eventOf(p: HubProgress): { stage: 'downloading'; message: string; download?: DownloadProgress } | null {
    switch (p.kind) {
      case 'checking':
        return { stage: 'downloading', message: `asking the Hub about ${p.repoId}@${p.revision}` };
      case 'waiting':
        return { stage: 'downloading', message: `waiting for another download of ${p.file}` };
      case 'bytes': {
        const key = p.file;
        const last = this.lastSent.get(key);
        const first = last === undefined;
        if (!first && this.now() - last < EVENT_MS && p.fileBytes < p.fileTotal) return null;
        this.lastSent.set(key, this.now());
        return { stage: 'downloading', message: describeBytes(p), download: progressOf(p) };
      }
      case 'file-done':
        return {
          stage: 'downloading',
          message: `${p.file} done (${formatBytes(p.bytes)} of ${formatBytes(p.total)})`,
          download: { file: p.file, fileBytes: p.fileTotal, fileTotal: p.fileTotal, bytes: p.bytes, total: p.total },
        };
    }
  }
}

function progressOf(p: Extract<HubProgress, { kind: 'bytes' }>): DownloadProgress {
  return { file: p.file, fileBytes: p.fileBytes, fileTotal: p.fileTotal, bytes: p.bytes, total: p.total };
}

/** `downloading model.safetensors: 45.0 MB of 548 MB (8 % of 560 MB)`. */
function describeBytes(p: Extract<HubProgress, { kind: 'bytes' }>): string {
  const percent = p.total > 0 ? Math.floor((100 * p.bytes) / p.total) : 100;
  return `downloading ${p.file}: ${formatBytes(p.fileBytes)} of ${formatBytes(p.fileTotal)} (${percent} % of ${formatBytes(p.total)})`;
}

/**
 * Questions to the host that wait for its answer: one per download above the threshold. A cancel of the run
 * ends the wait (CancelledError); an answer for a question no longer asked is ignored.
 */
export class DownloadConfirmations {
  private readonly waiting = new Map<string, { requestId: string; answer: (yes: boolean) => void }>();

  ask(
    requestId: string,
    request: DownloadRequest,
    threshold: number,
    send: (m: RunnerToHost) => void,
    signal: AbortSignal,
  ): Promise<boolean> {
    const confirmId = randomUUID();
    return new Promise<boolean>((resolve, reject) => {
      if (signal.aborted) return reject(new CancelledError());
      const onAbort = () => {
        this.waiting.delete(confirmId);
        reject(new CancelledError());
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.set(confirmId, {
        requestId,
        answer: (yes) => {
          signal.removeEventListener('abort', onAbort);
          this.waiting.delete(confirmId);
          resolve(yes);
        },
      });
      send({
        type: 'confirmDownload',
        requestId,
        confirmId,
        total: request.total,
        threshold,
        repos: request.repos,
        cacheDir: request.cacheDir,
      });
    });
  }

  answer(requestId: string, confirmId: string, download: boolean): void {
    const question = this.waiting.get(confirmId);
    if (question?.requestId === requestId) question.answer(download);
  }

  get pending(): number {
    return this.waiting.size;
  }
}
