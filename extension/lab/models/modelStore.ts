/**
 * Open models, kept warm: one ORT session per cache key, so entries that differ only in `is_decoder`
 * or `mode` share one session and one set of weights in memory. The store owns the model cache's
 * resources too: before a build it makes room under the cache limit (least recently used first, never an
 * entry some process has open), it holds a lease on every entry it has open, and it closes idle sessions
 * when a new one would not fit beside them under the memory limit. Every entry it opens is checked for
 * damage (sizes and content hashes, modelCache.ts) and rebuilt when damaged.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { formatBytes } from '../../protocol/sizes';
import type { ModelSpec } from '../types';
import { untilCancelled } from '../cancel';
import {
  estimateModel,
  planDisk,
  planModel,
  PROCESS_BASELINE_BYTES,
  readMachineMemory,
  resolveLimits,
  ResourceError,
  freeDisk,
  type ModelPlan,
  type ResourceLimits,
} from '../resources';
import { leaseEntry, makeRoom, scanCache, touchEntry } from './cacheEviction';
import { stillAsVerified } from './cacheEntry';
import { modelKey, prepareModel, rebuildDamaged, type BuildProgress } from './modelCache';
import { openSession, type LabSession } from './session';
import { dimsOf } from './registry';
import type { SessionOpenOptions } from './architecture';

/** Sessions kept open at most: a full-size model holds 0.4–0.6 GB, so the least recently used goes first. */
export const MAX_OPEN_SESSIONS = 4;

export interface StoreOptions extends SessionOpenOptions {
  /** Memory and cache caps; default: the machine's defaults (limits.ts). */
  limits?: ResourceLimits;
}

interface OpenModel {
  session: LabSession;
  /** The cache entry it was opened from (onnxruntime maps its weights file, so it must stay as verified). */
  dir: string;
  /** Estimated memory the open model holds. */
  bytes: number;
  releaseLease: () => void;
}

export class ModelStore {
  /** In least-recently-used order (a Map keeps insertion order; a hit re-inserts). */
  private readonly sessions = new Map<string, Promise<OpenModel>>();
  /** Estimated memory and entry folder of each open session, once it is open. */
  private readonly opened = new Map<string, { bytes: number; dir: string }>();
  readonly limits: ResourceLimits;

  constructor(
    readonly cacheDir: string,
    private readonly options: StoreOptions = {},
    private readonly maxOpen = MAX_OPEN_SESSIONS,
  ) {
    this.limits =
      options.limits ??
      resolveLimits({ memoryKnob: '--memory-limit', cacheKnob: '--cache-limit' }, readMachineMemory());
  }

  /**
   * The session for a spec, building and opening it on first use. `signal` cancels the build (its workers
   * stop, its folder goes) and rejects with CancelledError once it has stopped. Opening a built model cannot
   * be interrupted (onnxruntime opens it synchronously, 0.3–0.7 s for bert-base); the session, once open,
   * stays for the next run. Runs are one at a time: a build belongs to the run that started it.
   */
  async get(spec: ModelSpec, progress: BuildProgress = () => {}, signal?: AbortSignal): Promise<LabSession> {
    const { key } = await modelKey(spec, this.cacheDir, signal);
    let open = this.sessions.get(key);
    const dir = this.opened.get(key)?.dir;
    if (open && dir !== undefined && !stillAsVerified(dir)) {
      // Its files were written to since they were checked: a mapped weight may have changed under the session.
      this.forget(key);
      void close(open);
      open = undefined;
    }
    if (open) {
      this.sessions.delete(key);
      this.sessions.set(key, open);
      touchEntry(this.cacheDir, key);
      return untilCancelled(
        open.then((o) => o.session),
        signal,
      );
    }
    let built!: () => void;
    const buildSettled = new Promise<void>((resolve) => (built = resolve));
    const mine = this.open(spec, key, progress, signal, built);
    // A failed or cancelled build must not poison the store: the next request tries again.
    mine.then(
      (o) => this.sessions.get(key) === mine && this.opened.set(key, { bytes: o.bytes, dir: o.dir }),
      () => this.sessions.get(key) === mine && this.forget(key),
    );
    this.sessions.set(key, mine);
    this.evict(() => this.sessions.size > this.maxOpen, key);
    // A cancel during the build answers once the build has stopped (workers gone, folder removed).
    await Promise.race([buildSettled, mine.catch(() => undefined)]);
    return untilCancelled(
      mine.then((o) => o.session),
      signal,
    );
  }

  /**
   * The resource plan of a spec: memory (held against the limit and the machine now) and, when it is not
   * cached yet, disk (held against the cache limit and the free disk, counting entries the cache could
   * remove). Throws a ResourceError with the numbers. `scan` carries the cache scan from one call to the
   * next, so planning a file with many models reads the cache folder once.
   */
  async plan(spec: ModelSpec, scan: { evictable?: number } = {}, machine = readMachineMemory()): Promise<ModelPlan> {
    const ctx = { limits: this.limits, machine };
    const plan = planModel(spec, ctx);
    if (!(await this.isCached(spec))) {
      scan.evictable ??= this.evictableBytes();
      planDisk(plan, ctx, { cached: false, evictable: scan.evictable, cacheDir: this.cacheDir });
    }
    return plan;
  }

  /** Whether the spec's model is in the cache already (nothing to build). */
  async isCached(spec: ModelSpec): Promise<boolean> {
    return this.hasEntry((await modelKey(spec, this.cacheDir)).key);
  }

  private hasEntry(key: string): boolean {
    return existsSync(join(this.cacheDir, 'models', key, 'meta.json'));
  }

  /** Bytes of cache entries no process has open: what the cache could remove to make room. */
  evictableBytes(): number {
    return scanCache(this.cacheDir)
      .entries.filter((e) => !e.inUse)
      .reduce((n, e) => n + e.bytes, 0);
  }

  private async open(
    spec: ModelSpec,
    key: string,
    progress: BuildProgress,
    signal: AbortSignal | undefined,
    built: () => void,
  ): Promise<OpenModel> {
    const size = estimateModel(dimsOf(spec.config), { fromCheckpoint: spec.weights !== undefined });
    // The lease comes first: from here on no process evicts the entry, and if one did just before, the
    // check below finds it missing and it is built again.
    const releaseLease = leaseEntry(this.cacheDir, key);
    try {
      if (!this.hasEntry(key)) await this.makeRoomFor(spec, key, size.diskBytes);
      // Close idle sessions until this one fits beside the rest under the memory limit.
      const budget = this.limits.memory.bytes - PROCESS_BASELINE_BYTES - size.residentBytes;
      this.closeIdle(key, budget);
      let opened: { session: LabSession; dir: string };
      try {
        opened = await this.buildAndOpen(spec, key, progress, signal, built);
      } catch (e) {
        // An evicting process set the entry aside in the instant we opened it (it puts it back on seeing our
        // lease, or it is gone and is built again): try once more. Any other failure is real.
        if (!isMissingFile(e)) throw e;
        opened = await this.buildAndOpen(spec, key, progress, signal, built);
      }
      return { ...opened, bytes: size.residentBytes, releaseLease };
    } catch (e) {
      releaseLease();
      throw e;
    } finally {
      built();
    }
  }

  /** Builds (or finds) the entry, then opens it while its content check runs; a damaged entry is rebuilt. */
  private async buildAndOpen(
    spec: ModelSpec,
    key: string,
    progress: BuildProgress,
    signal: AbortSignal | undefined,
    built: () => void,
  ): Promise<{ session: LabSession; dir: string }> {
    const { built: entry, contentCheck } = await prepareModel(spec, this.cacheDir, progress, signal);
    built();
    progress('opening the model');
    const opening = openSession(entry.onnxPath, entry.dims, this.options).then(
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
      return { session: opened.session, dir: entry.dir };
    }
    // Never used: the check found the entry damaged (a damaged model.onnx may have failed to open at all).
    await releaseIfOpen();
    const rebuilt = await rebuildDamaged(spec, entry, damage, this.cacheDir, progress, signal);
    progress('opening the model');
    return { session: await openSession(rebuilt.onnxPath, rebuilt.dims, this.options), dir: rebuilt.dir };
  }

  private async makeRoomFor(spec: ModelSpec, key: string, need: number): Promise<void> {
    const limit = this.limits.cache;
    const disk = () => freeDisk(this.cacheDir);
    let room = makeRoom(this.cacheDir, need, limit.bytes, disk, new Set([key]));
    const fits = () => room.totalBytes + need <= limit.bytes && (disk() ?? Infinity) >= need;
    if (!fits() && [...this.sessions.keys()].some((k) => k !== key)) {
      // Our own idle sessions hold leases too: close them so their entries can go.
      await this.closeAllBut(key);
      room = makeRoom(this.cacheDir, need, limit.bytes, disk, new Set([key]));
    }
    if (room.totalBytes + need > limit.bytes)
      throw new ResourceError(
        'cache-too-small',
        `${spec.name} needs ${formatBytes(need)} in the model cache, which holds ${formatBytes(room.totalBytes)} of models in use; cache limit ${formatBytes(limit.bytes)} (${limit.source})`,
      );
    const free = disk();
    if (free !== null && free < need)
      throw new ResourceError(
        'disk-full',
        `${spec.name} needs ${formatBytes(need)} in the model cache; the disk holding ${this.cacheDir} has ${formatBytes(free)} free`,
      );
  }

  /** Closes least-recently-used sessions other than `key` while the open ones hold more than `budget`. */
  private closeIdle(key: string, budget: number): void {
    const heldByOthers = () => [...this.opened].reduce((n, [k, o]) => (k === key ? n : n + o.bytes), 0);
    this.evict(() => heldByOthers() > budget, key);
  }

  private async closeAllBut(key: string): Promise<void> {
    const others = [...this.sessions.entries()].filter(([k]) => k !== key);
    for (const [k] of others) this.forget(k);
    await Promise.all(others.map(([, open]) => close(open)));
  }

  /** Closes the least recently used sessions (never `keep`) while `tooMany()` says so. */
  private evict(tooMany: () => boolean, keep: string): void {
    for (const [oldest, open] of [...this.sessions]) {
      if (!tooMany()) return;
      if (oldest === keep) continue;
      this.forget(oldest);
      // Runs are one at a time and use their models one after another, so the oldest is idle here.
      void close(open);
    }
  }

  private forget(key: string): void {
    this.sessions.delete(key);
    this.opened.delete(key);
  }

  get size(): number {
    return this.sessions.size;
  }

  async dispose(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    this.opened.clear();
    await Promise.all(all.map(close));
  }
}

function isMissingFile(e: unknown): boolean {
  return (e as NodeJS.ErrnoException).code === 'ENOENT' || /no such file|does(n't| not) exist/i.test(String(e));
}

async function close(open: Promise<OpenModel>): Promise<void> {
  const o = await open.catch(() => null);
  if (!o) return;
  o.releaseLease();
  await o.session.release().catch(() => undefined);
}
