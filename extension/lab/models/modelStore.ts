/**
 * Open models, kept warm: one ORT session per cache key, so entries that differ only in `is_decoder`
 * or `mode` share one session and one set of weights in memory.
 */
import type { ModelSpec } from '../types';
import { ensureModel, cacheKey, type BuildProgress } from './modelCache';
import { ModelSession, type SessionOptions } from './session';

export class ModelStore {
  private readonly sessions = new Map<string, Promise<ModelSession>>();

  constructor(
    readonly cacheDir: string,
    private readonly options: SessionOptions = {},
  ) {}

  /** The session for a spec, building and opening it on first use. */
  get(spec: ModelSpec, progress: BuildProgress = () => {}): Promise<ModelSession> {
    const key = cacheKey(spec);
    let session = this.sessions.get(key);
    if (!session) {
      session = (async () => {
        const built = await ensureModel(spec, this.cacheDir, progress);
        progress('opening the model');
        return ModelSession.open(built.onnxPath, built.dims, this.options);
      })();
      // A failed build must not poison the store: the next request tries again.
      session.catch(() => this.sessions.delete(key));
      this.sessions.set(key, session);
    }
    return session;
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
