/**
 * Open models, kept warm: one ORT session per cache key, so entries that differ only in `is_decoder`
 * or `mode` share one session and one set of weights in memory.
 */
import type { ModelSpec } from '../types';
import { untilCancelled } from '../cancel';
import { modelKey, prepareModel, rebuildDamaged, type BuildProgress } from './modelCache';
import { stillAsVerified } from './cacheEntry';
import { ModelSession, type SessionOptions } from './session';

/** Sessions kept open at most: a full-size model holds 0.4–0.6 GB, so the least recently used goes first. */
export const MAX_OPEN_SESSIONS = 4;

export class ModelStore {
  /** In least-recently-used order (a Map keeps insertion order; a hit re-inserts). */
  private readonly sessions = new Map<string, Promise<ModelSession>>();
  /** The cache entry each open session was built from (onnxruntime maps its weights file, so it must stay as verified). */
  private readonly entries = new Map<string, string>();

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
    const entry = this.entries.get(key);
    if (session && entry !== undefined && !stillAsVerified(entry)) {
      // Its files were written to since they were checked: a mapped weight may have changed under the session.
      this.drop(key);
      session = undefined;
    }
    if (session) {
      this.sessions.delete(key);
      this.sessions.set(key, session);
    } else {
      const building = prepareModel(spec, this.cacheDir, progress, signal);
      const opening = building.then((prepared) => this.openChecked(spec, key, prepared, progress, signal));
      session = opening;
      // A failed or cancelled build must not poison the store: the next request tries again.
      opening.catch(() => {
        if (this.sessions.get(key) === opening) this.drop(key);
      });
      this.sessions.set(key, session);
      this.evict();
      await building;
    }
    return untilCancelled(session, signal);
  }

  /** Opens a prepared model while its content check runs; if the check finds damage, rebuilds it and opens that. */
  private async openChecked(
    spec: ModelSpec,
    key: string,
    { built, contentCheck }: Awaited<ReturnType<typeof prepareModel>>,
    progress: BuildProgress,
    signal: AbortSignal | undefined,
  ): Promise<ModelSession> {
    progress('opening the model');
    const opening = ModelSession.open(built.onnxPath, built.dims, this.options).then(
      (session) => ({ session }),
      (error: unknown) => ({ error }),
    );
    const releaseIfOpen = () => opening.then((o) => ('session' in o ? o.session.release() : undefined));
    let damage: string | null;
    try {
      damage = contentCheck ? await contentCheck : null;
    } catch (e) {
      await releaseIfOpen();
      throw e;
    }
    if (damage === null) {
      const opened = await opening;
      if ('error' in opened) throw opened.error;
      this.entries.set(key, built.dir);
      return opened.session;
    }
    // Never used: the check found the entry damaged (a damaged model.onnx may have failed to open at all).
    await releaseIfOpen();
    const rebuilt = await rebuildDamaged(spec, built, damage, this.cacheDir, progress, signal);
    progress('opening the model');
    const session = await ModelSession.open(rebuilt.onnxPath, rebuilt.dims, this.options);
    this.entries.set(key, rebuilt.dir);
    return session;
  }

  private evict(): void {
    // Runs are one at a time and use their models one after another, so the oldest is idle here.
    while (this.sessions.size > this.maxOpen) this.drop(this.sessions.keys().next().value as string);
  }

  private drop(key: string): void {
    const session = this.sessions.get(key);
    this.sessions.delete(key);
    this.entries.delete(key);
    void session?.then((s) => s.release()).catch(() => undefined);
  }

  get size(): number {
    return this.sessions.size;
  }

  async dispose(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    this.entries.clear();
    await Promise.all(all.map(async (s) => (await s.catch(() => null))?.release()));
  }
}
