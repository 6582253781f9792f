/**
 * Downloading the `from:` models of an experiment, size first. Phase 2 of parsing left each `from:` model with
 * its plan (commit, config.json, every file's size) and no weight fetched. Here, before a byte of weights:
 * 1. every model of the experiment is planned against the machine (memory; the model cache's disk), so a
 *    model that cannot fit is refused with the numbers, at its entry, and nothing is downloaded;
 * 2. the download must fit the free disk of the Hugging Face cache;
 * 3. a download above the threshold is confirmed (the panel asks, the CLI needs `--yes`);
 * 4. then each snapshot is completed in the cache, one file at a time, with progress, cancellable (an
 *    interrupted file stays as `.incomplete` and resumes on the next run).
 * Every failure is an input error at the model's `from:` (or its entry, for the resource plan).
 */
import { fetchSnapshot, formatBytes, HubError, hubDiagnostic, type HubProgress, type HubSettings } from '../hub';
import type { ModelStore } from '../models/modelStore';
import { planDisk, planModel, readMachineMemory, ResourceError } from '../resources';
import { CancelledError, throwIfCancelled } from '../cancel';
import { LabInputError, type Experiment, type LabDiagnostic, type ModelSpec } from '../types';

/** What a confirmation shows: the total and each repo's share (entries of one repo at one commit share its files). */
export interface DownloadRequest {
  /** Bytes still to download, all repos together. */
  total: number;
  repos: { repoId: string; revision: string; bytes: number; models: string[] }[];
  /** The Hugging Face cache the files go to. */
  cacheDir: string;
}

export interface HubDownloadOptions {
  store: ModelStore;
  /** The settings the models were planned with (endpoint, token, cache). */
  hub: HubSettings;
  /** A download of more bytes than this (all repos together) is confirmed first. */
  confirmAbove: number;
  /** Asked with the sizes before anything large is fetched; false stops with `DownloadDeclined`. */
  confirm(request: DownloadRequest): Promise<boolean>;
  /** Progress of one repo's download; `models` are the entries that use it. */
  onProgress?(repo: { repoId: string; models: string[] }, progress: HubProgress): void;
  signal?: AbortSignal;
}

/** The user did not confirm a download above the threshold (in the CLI: no `--yes`). Nothing was fetched. */
export class DownloadDeclined extends Error {
  constructor(
    readonly request: DownloadRequest,
    readonly threshold: number,
  ) {
    super(`the download of ${describeRequest(request)} was not confirmed, so nothing was downloaded`);
    this.name = 'DownloadDeclined';
  }
}

/** `209 kB (gpt2 125 kB, bert-base-uncased 84 kB)`. */
export function describeRequest(request: DownloadRequest): string {
  const parts = request.repos.map((r) => `${r.repoId} ${formatBytes(r.bytes)}`).join(', ');
  return `${formatBytes(request.total)} (${parts})`;
}

type HubSpec = ModelSpec & { hub: NonNullable<ModelSpec['hub']> };

/** One snapshot to complete: a repo at a commit, and the entries that use it. */
interface PendingSnapshot {
  specs: HubSpec[];
  plan: HubSpec['hub']['plan'];
}

/** `from:` snapshots the cache does not hold complete yet (their plan came from the Hub), one per repo and commit. */
export function pendingDownloads(experiment: Experiment): PendingSnapshot[] {
  const byCommit = new Map<string, PendingSnapshot>();
  for (const spec of experiment.models) {
    if (spec.hub === undefined || spec.hub.plan.source !== 'hub') continue;
    const key = `${spec.hub.repoId}\0${spec.hub.commit}`;
    const entry = byCommit.get(key);
    if (entry) entry.specs.push(spec as HubSpec);
    else byCommit.set(key, { specs: [spec as HubSpec], plan: spec.hub.plan });
  }
  return [...byCommit.values()];
}

export function downloadRequest(pending: PendingSnapshot[], settings: HubSettings): DownloadRequest {
  const repos = pending
    .filter((p) => p.plan.bytesToFetch > 0)
    .map((p) => ({
      repoId: p.plan.repoId,
      revision: p.plan.revision,
      bytes: p.plan.bytesToFetch,
      models: p.specs.map((s) => s.name),
    }));
  return { total: repos.reduce((n, r) => n + r.bytes, 0), repos, cacheDir: settings.cacheDir };
}

function placed(experiment: Experiment, diagnostic: Omit<LabDiagnostic, 'file' | 'severity'>): LabDiagnostic {
  return { severity: 'error', file: experiment.file, ...diagnostic };
}

/** Step 1: every model against the machine, the `from:` models as if built from their checkpoint now. */
async function planResources(experiment: Experiment, pending: ReadonlySet<ModelSpec>, store: ModelStore) {
  const machine = readMachineMemory();
  const ctx = { limits: store.limits, machine };
  const scan: { evictable?: number } = {};
  const problems: LabDiagnostic[] = [];
  for (const spec of experiment.models) {
    try {
      if (pending.has(spec)) {
        // Not downloaded yet, so not in the model cache (its key is its content): it will be built.
        const plan = planModel(spec, ctx);
        scan.evictable ??= store.evictableBytes();
        planDisk(plan, ctx, { cached: false, evictable: scan.evictable, cacheDir: store.cacheDir });
      } else await store.plan(spec, scan, machine);
    } catch (e) {
      if (!(e instanceof ResourceError)) throw e;
      problems.push(placed(experiment, { message: e.message, range: spec.range, code: e.code }));
    }
  }
  if (problems.length > 0) throw new LabInputError(problems);
}

/** Step 2: the Hugging Face cache's disk holds what is still to come (all repos together). */
function checkHubDisk(experiment: Experiment, pending: PendingSnapshot[], request: DownloadRequest) {
  const free = pending.find((p) => p.plan.freeBytes !== undefined)?.plan.freeBytes;
  if (free === undefined || request.total <= free) return;
  throw new LabInputError([
    placed(experiment, {
      code: 'hub-no-space',
      range: pending[0].specs[0].hub.range,
      message: `downloading ${describeRequest(request)} needs more than the ${formatBytes(free)} free on the disk of the Hugging Face cache (${request.cacheDir}): free some space or set HF_HUB_CACHE to a larger disk`,
    }),
  ]);
}

/** Plans, confirms and downloads what the experiment's `from:` models still lack. Does nothing when the cache has all. */
export async function downloadHubModels(experiment: Experiment, options: HubDownloadOptions): Promise<void> {
  const pending = pendingDownloads(experiment);
  if (pending.length === 0) return;
  const { signal } = options;
  await planResources(experiment, new Set(pending.flatMap((p) => p.specs)), options.store);
  const request = downloadRequest(pending, options.hub);
  checkHubDisk(experiment, pending, request);
  if (request.total > options.confirmAbove && !(await options.confirm(request)))
    throw new DownloadDeclined(request, options.confirmAbove);
  for (const { specs, plan } of pending) {
    throwIfCancelled(signal);
    const repo = { repoId: plan.repoId, models: specs.map((s) => s.name) };
    try {
      await fetchSnapshot(plan, options.hub, { signal, onProgress: (p) => options.onProgress?.(repo, p) });
    } catch (e) {
      if (!(e instanceof HubError)) throw e;
      // Every entry that uses the repo gets the problem at its own `from:`.
      const diagnostics = specs.map((s) => hubDiagnostic(e, experiment.file, s.hub.range));
      if (diagnostics.some((d) => d === undefined)) throw new CancelledError();
      throw new LabInputError(diagnostics.map((d, i) => ({ ...d!, message: `${specs[i].name}: ${d!.message}` })));
    }
  }
}
