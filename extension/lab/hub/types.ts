/** The Hub module's public shapes: what a caller asks for, the plan it can check, the progress it can show. */
import type { FileRole } from './modelFiles';

export interface ModelRequest {
  /** `org/name` or a canonical `name` such as `gpt2`. */
  repoId: string;
  /** A branch, tag or commit (full or short); default `main`. */
  revision?: string;
  /**
   * Ask the Hub even when the cache holds a complete snapshot for this revision (to pick up a branch that
   * moved). Without it a cached model makes no request at all.
   */
  refresh?: boolean;
}

export type HubProgress =
  /** About to ask the Hub about the repo. */
  | { kind: 'checking'; repoId: string; revision: string }
  /** Another process (or another model of the same run) is downloading this file; waiting for it. */
  | { kind: 'waiting'; file: string }
  /** Bytes arrived: `fileBytes` of `fileTotal` for this file, `bytes` of `total` for the whole download. */
  | { kind: 'bytes'; file: string; fileBytes: number; fileTotal: number; bytes: number; total: number }
  /** A file is complete in the cache. */
  | { kind: 'file-done'; file: string; fileTotal: number; bytes: number; total: number };

export interface HubCallbacks {
  signal?: AbortSignal;
  onProgress?: (p: HubProgress) => void;
}

/** One file of the model and what it would take to have it in the cache. */
export interface PlannedFile {
  path: string;
  role: FileRole;
  size: number;
  /** The blob name (etag); `undefined` for a file taken from the cache with no request. */
  etag: string | undefined;
  lfs: boolean;
  /** `cached`: in the snapshot; `blob`: its blob is complete, only the link is missing; `partial`: resumable. */
  state: 'cached' | 'blob' | 'partial' | 'missing';
  bytesToFetch: number;
}

/**
 * Everything known before a byte of weights is fetched: the commit, the config, every file with its size.
 * A caller checks it against its resource plan and asks for confirmation before `fetchSnapshot`.
 */
export interface HubPlan {
  repoId: string;
  revision: string;
  commit: string;
  /** `snapshots/<commit>` in the cache: the folder the model loads from once fetched. */
  snapshotDir: string;
  /** `cache`: everything is there and no request was made; `hub`: from the Hub's listing. */
  source: 'cache' | 'hub';
  config: Record<string, unknown>;
  files: PlannedFile[];
  /** Tokenizer files the repo does not have (recorded in `.no_exist` as Python does). */
  absent: string[];
  /** Bytes of the safetensors weights. */
  weightBytes: number;
  /** Bytes of every file of the model. */
  totalBytes: number;
  /** Bytes still to download. */
  bytesToFetch: number;
  /** Free bytes on the cache's file system, where the system says. */
  freeBytes: number | undefined;
}

/** A model folder in the cache, complete: what `weights:` can load and Python's `from_pretrained` too. */
export interface HubSnapshot {
  repoId: string;
  revision: string;
  commit: string;
  dir: string;
  config: Record<string, unknown>;
  /** Paths of the model's files inside `dir`. */
  files: string[];
  /** Bytes downloaded this time. */
  downloaded: number;
}
