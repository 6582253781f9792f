/**
 * Open models, kept warm: one ORT session per cache key, so entries that differ only in `is_decoder`
 * or `mode` share one session and one set of weights in memory. The store owns the model cache's
 * resources too: before a build it makes room under the cache limit (least recently used first, never an
 * entry some process has open), it holds a lease on every entry it has open, and it closes idle sessions
 * when a new one would not fit beside them under the memory limit.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { formatBytes } from '../../protocol/sizes';
import type { ModelSpec } from '../types';
import { dimsOf } from '../config';
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
import { ensureModel, cacheKey, type BuildProgress } from './modelCache';
import { ModelSession, type SessionOptions } from './session';

/** Sessions kept open at most: a full-size model holds 0.4–0.6 GB, so the least recently used goes first. */
export const MAX_OPEN_SESSIONS = 4;

export interface StoreOptions extends SessionOptions {
  /** Memory and cache caps; default: the machine's defaults (limits.ts). */
  limits?: ResourceLimits;
}

interface OpenModel {
  session: ModelSession;
  /** Estimated memory the open model holds. */
  bytes: number;
  releaseLease: () => void;
}

export class ModelStore {
  /** In least-recently-used order (a Map keeps insertion order; a hit re-inserts). */
  private readonly sessions = new Map<string, Promise<OpenModel>>();
  /** Estimated memory of each open session, once it is open. */
  private readonly held = new Map<string, number>();
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

  /** The session for a spec, building and opening it on first use. */
  async get(spec: ModelSpec, progress: BuildProgress = () => {}): Promise<ModelSession> {
    const key = cacheKey(spec);
    let open = this.sessions.get(key);
    if (open) {
      this.sessions.delete(key);
      this.sessions.set(key, open);
      touchEntry(this.cacheDir, key);
    } else {
      open = this.open(spec, key, progress);
      const mine = open;
      // A failed build must not poison the store: the next request tries again.
      mine.then(
        (o) => this.sessions.get(key) === mine && this.held.set(key, o.bytes),
        () => this.sessions.get(key) === mine && this.sessions.delete(key),
      );
      this.sessions.set(key, open);
      this.evict(() => this.sessions.size > this.maxOpen, key);
    }
    return (await open).session;
  }

  /**
   * The resource plan of a spec: memory (held against the limit and the machine now) and, when it is not
   * cached yet, disk (held against the cache limit and the free disk, counting entries the cache could
   * remove). Throws a ResourceError with the numbers. `scan` carries the cache scan from one call to the
   * next, so planning a file with many models reads the cache folder once.
   */
  plan(spec: ModelSpec, scan: { evictable?: number } = {}, machine = readMachineMemory()): ModelPlan {
    const ctx = { limits: this.limits, machine };
    const plan = planModel(spec, ctx);
    if (!this.isCached(spec)) {
      scan.evictable ??= this.evictableBytes();
      planDisk(plan, ctx, { cached: false, evictable: scan.evictable, cacheDir: this.cacheDir });
    }
    return plan;
  }

  /** Whether the spec's model is in the cache already (nothing to build). */
  isCached(spec: ModelSpec): boolean {
    return existsSync(join(this.cacheDir, 'models', cacheKey(spec), 'meta.json'));
  }

  /** Bytes of cache entries no process has open: what the cache could remove to make room. */
  evictableBytes(): number {
    return scanCache(this.cacheDir)
      .entries.filter((e) => !e.inUse)
      .reduce((n, e) => n + e.bytes, 0);
  }

  private async open(spec: ModelSpec, key: string, progress: BuildProgress): Promise<OpenModel> {
    const size = estimateModel(dimsOf(spec.config), { fromCheckpoint: spec.weights !== undefined });
    // The lease comes first: from here on no process evicts the entry, and if one did just before, the
    // check below finds it missing and it is built again.
    const releaseLease = leaseEntry(this.cacheDir, key);
    try {
      if (!this.isCached(spec)) await this.makeRoomFor(spec, key, size.diskBytes);
      // Close idle sessions until this one fits beside the rest under the memory limit.
      const budget = this.limits.memory.bytes - PROCESS_BASELINE_BYTES - size.residentBytes;
      this.closeIdle(key, budget);
      let session: ModelSession;
      try {
        session = await this.build(spec, progress);
      } catch (e) {
        // An evicting process set the entry aside in the instant we opened it (it puts it back on seeing our
        // lease, or it is gone and is built again): try once more. Any other failure is real.
        if (!isMissingFile(e)) throw e;
        session = await this.build(spec, progress);
      }
      return { session, bytes: size.residentBytes, releaseLease };
    } catch (e) {
      releaseLease();
      throw e;
    }
  }

  private async build(spec: ModelSpec, progress: BuildProgress): Promise<ModelSession> {
    const built = await ensureModel(spec, this.cacheDir, progress);
    progress('opening the model');
    return ModelSession.open(built.onnxPath, built.dims, this.options);
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
    const heldByOthers = () => [...this.held].reduce((n, [k, bytes]) => (k === key ? n : n + bytes), 0);
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
    this.held.delete(key);
  }

  get size(): number {
    return this.sessions.size;
  }

  async dispose(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    this.held.clear();
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
