/**
 * Open models, kept warm: one ORT session per cache key, so entries that differ only in `is_decoder`
 * or `mode` share one session and one set of weights in memory.
 */
import type { ModelSpec } from '../types';
import { untilCancelled } from '../cancel';
import { ensureModel, modelKey, type BuildProgress } from './modelCache';
import { ModelSession, type SessionOptions } from './session';

/** Sessions kept open at most: a full-size model holds 0.4–0.6 GB, so the least recently used goes first. */
export const MAX_OPEN_SESSIONS = 4;

export class ModelStore {
  /** In least-recently-used order (a Map keeps insertion order; a hit re-inserts). */
  private readonly sessions = new Map<string, Promise<ModelSession>>();

  constructor(
    readonly cacheDir: string,
    private readonly options: SessionOptions = {},
    private readonly maxOpen = MAX_OPEN_SESSIONS,
  ) {}

  /**
   * The session for a spec, building and opening it on first use. `signal` cancels the build (its workers
   * stop, its folder goes) and rejects with CancelledError once it has stopped. Opening a built model cannot
   * be interrupted (onnxruntime opens it synchronously, 0.3–0.7 s for bert-base); the session, once open,
   * stays for the next run. Runs are one at a time: a build belongs to the run that started it.
   */
  async get(spec: ModelSpec, progress: BuildProgress = () => {}, signal?: AbortSignal): Promise<ModelSession> {
    const { key } = await modelKey(spec, this.cacheDir, signal);
    let session = this.sessions.get(key);
    if (session) {
      this.sessions.delete(key);
      this.sessions.set(key, session);
    } else {
      const building = ensureModel(spec, this.cacheDir, progress, signal);
      const opening = building.then((built) => {
        progress('opening the model');
        return ModelSession.open(built.onnxPath, built.dims, this.options);
      });
      session = opening;
      // A failed or cancelled build must not poison the store: the next request tries again.
      opening.catch(() => {
        if (this.sessions.get(key) === opening) this.sessions.delete(key);
      });
      this.sessions.set(key, session);
      this.evict();
      await building;
    }
    return untilCancelled(session, signal);
  }

  private evict(): void {
    while (this.sessions.size > this.maxOpen) {
      const [oldest, session] = this.sessions.entries().next().value as [string, Promise<ModelSession>];
      this.sessions.delete(oldest);
      // Runs are one at a time and use their models one after another, so the oldest is idle here.
      void session.then((s) => s.release()).catch(() => undefined);
    }
  }

  get size(): number {
    return this.sessions.size;
  }

  async dispose(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(all.map(async (s) => (await s.catch(() => null))?.release()));
  }
}
