/**
 * The boundary between the extension host and the runner child process (child_process.fork IPC).
 * Two unions: calls host → runner and events runner → host, plus an `init → ready | initError`
 * handshake. Streamed events carry the request id of the run they belong to; cancel is a call.
 * Errors cross as data (SerializedError), never as thrown objects. Both sides import this module.
 */
import type { LabDiagnostic } from './diagnostics';
import type { ComparisonReport, PatchingRef, PatchingResult, VariantResult } from './report';
import { PROGRESS_STAGES, type DownloadProgress, type ProgressStage, type RunOutlineData, type RunScope } from './run';
import { diagnosticShape, outlineShape, patchingResultShape, reportShape, variantResultShape } from './reportShape';
import {
  arrayOf,
  boolean,
  fields,
  index,
  keysOf,
  number,
  oneOf,
  nullable,
  optional,
  shortString,
  string,
  type Check,
} from './shape';

export type { RunOutlineData } from './run';

export const RUNNER_PROTOCOL_VERSION = 1 as const;

export interface RunnerSettings {
  /** Built models and converted tokenizers live here (the extension's global storage by default). */
  cacheDir: string;
  /** onnxruntime intra-op threads; 0 = onnxruntime's default. The runner uses at most one per core. */
  threads: number;
  /** Memory cap in bytes (`perturbationLab.memoryLimit`); null or absent = 75 % of the machine's memory or cgroup limit. */
  memoryLimit?: number | null;
  /** Model-cache size cap in bytes (`perturbationLab.cacheSizeLimit`); null or absent = 10 GB. */
  cacheSizeLimit?: number | null;
  /** VS Code workspace trust: when false, no model is loaded from a file path, and `from:` models only from the cache. */
  trusted: boolean;
  /** How `from:` models reach the Hub; absent fields follow the environment (`HF_ENDPOINT`, `HF_HUB_OFFLINE`, `HF_TOKEN`). */
  hub?: HubRunnerSettings;
}

/** The extension's Hub settings; each overrides the environment variable `huggingface_hub` reads. */
export interface HubRunnerSettings {
  /** `perturbationLab.hub.endpoint`; null or absent: `HF_ENDPOINT`, else https://huggingface.co. */
  endpoint?: string | null;
  /** `perturbationLab.hub.offline`: true = only the cache, no request; false or absent: `HF_HUB_OFFLINE` decides. */
  offline?: boolean;
  /** The token kept in VS Code's secret storage; null or absent: `HF_TOKEN`, else the token file. Never logged. */
  token?: string | null;
  /** `perturbationLab.hub.confirmDownloadAbove` in bytes: a larger download is confirmed first; absent: 2 GB. */
  confirmDownloadAbove?: number | null;
}

/** One repo of a download the runner asks the host to confirm. */
export interface DownloadRepo {
  repoId: string;
  revision: string;
  /** Bytes still to download for it. */
  bytes: number;
  /** The model entries that use it. */
  models: string[];
}

export interface RunRequest {
  requestId: string;
  /** Absolute path of the .prompt file (relative config/weights paths resolve against it). */
  file: string;
  /** The document's current text, unsaved edits included. */
  text: string;
  only?: RunScope;
  /**
   * An on-demand read-out (the panel asked for one layer's heads): run only this model, with these keys over
   * its own (`heads:`, `lens:`); combined with `only`, one model × variant.
   */
  readOuts?: ReadOutRequest;
}

export interface ReadOutRequest {
  model: string;
  heads?: number;
  lens?: number;
}

/** Host → runner. */
export type HostToRunner =
  | { type: 'init'; protocolVersion: typeof RUNNER_PROTOCOL_VERSION; settings: RunnerSettings }
  | { type: 'run'; request: RunRequest }
  | { type: 'cancel'; requestId: string }
  /** The user's answer to a `confirmDownload` of run `requestId`. */
  | { type: 'answerDownload'; requestId: string; confirmId: string; download: boolean };

export interface SerializedError {
  kind: 'input' | 'cancelled' | 'untrusted' | 'internal';
  message: string;
  diagnostics?: LabDiagnostic[];
  stack?: string;
}

/** Runner → host. Every event after the handshake names its request. */
export type RunnerToHost =
  | { type: 'ready'; protocolVersion: typeof RUNNER_PROTOCOL_VERSION; pid: number; toolVersion: string }
  | { type: 'initError'; error: SerializedError }
  | { type: 'outline'; requestId: string; outline: RunOutlineData }
  | {
      type: 'progress';
      requestId: string;
      model: string;
      stage: ProgressStage;
      message: string;
      /** Set while a `from:` model downloads: bytes of the file and of the whole download. */
      download?: DownloadProgress;
    }
  /**
   * Before a download above the threshold: the runner waits for `answerDownload` (or the run's cancel) and
   * fetches nothing meanwhile.
   */
  | {
      type: 'confirmDownload';
      requestId: string;
      confirmId: string;
      /** Bytes still to download, all repos together, and the threshold they exceed. */
      total: number;
      threshold: number;
      repos: DownloadRepo[];
      /** The Hugging Face cache the files go to. */
      cacheDir: string;
    }
  | { type: 'result'; requestId: string; result: VariantResult }
  /**
   * Activation patching (`patch:`) of a result already sent: its grid so far, each time rows complete; the
   * finished grid is the result's `patching` in `done`'s report.
   */
  | { type: 'patching'; requestId: string; ref: PatchingRef; patching: PatchingResult }
  | { type: 'done'; requestId: string; elapsedMs: number; report: ComparisonReport }
  | { type: 'failed'; requestId: string; error: SerializedError };

/** Request ids are UUIDs; anything much longer is not an id (and must not be kept). */
export const MAX_REQUEST_ID_LENGTH = 100;

const requestId = shortString(MAX_REQUEST_ID_LENGTH);
const ERROR_KINDS = keysOf<SerializedError['kind']>({ input: true, cancelled: true, untrusted: true, internal: true });

const serializedError = fields<SerializedError>({
  kind: oneOf(ERROR_KINDS),
  message: string,
  diagnostics: optional(arrayOf(diagnosticShape)),
  stack: optional(string),
});

type Event<K extends RunnerToHost['type']> = Extract<RunnerToHost, { type: K }>;

/** A whole number of bytes, 0 included. */
const bytes: Check = (x, p) =>
  typeof x === 'number' && Number.isSafeInteger(x) && x >= 0 ? null : `${p}: not a whole number of bytes`;

const downloadProgress = fields<DownloadProgress>({
  file: string,
  fileBytes: bytes,
  fileTotal: bytes,
  bytes,
  total: bytes,
});
type Call<K extends HostToRunner['type']> = Extract<HostToRunner, { type: K }>;
const type = (name: string): Check => oneOf([name]);

/**
 * One check per event type, keyed by the union's own tags (a new event type without a check does not
 * compile), each a field table of that event (a new field without a check does not compile either).
 * Deep: everything the host and the panel read later is checked here, down to each number.
 */
const RUNNER_EVENT_GUARDS = {
  ready: fields<Event<'ready'>>({
    type: type('ready'),
    protocolVersion: oneOf([RUNNER_PROTOCOL_VERSION]),
    pid: index,
    toolVersion: string,
  }),
  initError: fields<Event<'initError'>>({ type: type('initError'), error: serializedError }),
  outline: fields<Event<'outline'>>({ type: type('outline'), requestId, outline: outlineShape }),
  progress: fields<Event<'progress'>>({
    type: type('progress'),
    requestId,
    model: string,
    stage: oneOf(PROGRESS_STAGES),
    message: string,
    download: optional(downloadProgress),
  }),
  confirmDownload: fields<Event<'confirmDownload'>>({
    type: type('confirmDownload'),
    requestId,
    confirmId: requestId,
    total: bytes,
    threshold: bytes,
    repos: arrayOf(fields<DownloadRepo>({ repoId: string, revision: string, bytes, models: arrayOf(string) })),
    cacheDir: string,
  }),
  result: fields<Event<'result'>>({ type: type('result'), requestId, result: variantResultShape }),
  patching: fields<Event<'patching'>>({
    type: type('patching'),
    requestId,
    ref: fields<PatchingRef>({ model: string, caseIndex: index, variantIndex: index }),
    patching: patchingResultShape,
  }),
  done: fields<Event<'done'>>({ type: type('done'), requestId, elapsedMs: number, report: reportShape }),
  failed: fields<Event<'failed'>>({ type: type('failed'), requestId, error: serializedError }),
} satisfies Record<RunnerToHost['type'], Check>;

/** A positive whole number of bytes (a memory or cache cap). */
const byteCount: Check = (x, p) =>
  typeof x === 'number' && Number.isSafeInteger(x) && x > 0 ? null : `${p}: not a whole number of bytes > 0`;

const runScope = fields<RunScope>({ caseIndex: index, variantIndex: optional(index) });

const HOST_CALL_GUARDS = {
  init: fields<Call<'init'>>({
    type: type('init'),
    protocolVersion: oneOf([RUNNER_PROTOCOL_VERSION]),
    settings: fields<RunnerSettings>({
      cacheDir: string,
      threads: index,
      memoryLimit: optional(nullable(byteCount)),
      cacheSizeLimit: optional(nullable(byteCount)),
      trusted: boolean,
      hub: optional(
        fields<HubRunnerSettings>({
          endpoint: optional(nullable(string)),
          offline: optional(boolean),
          token: optional(nullable(string)),
          confirmDownloadAbove: optional(nullable(bytes)),
        }),
      ),
    }),
  }),
  run: fields<Call<'run'>>({
    type: type('run'),
    request: fields<RunRequest>({
      requestId,
      file: string,
      text: string,
      only: optional(runScope),
      readOuts: optional(fields<ReadOutRequest>({ model: string, heads: optional(index), lens: optional(index) })),
    }),
  }),
  cancel: fields<Call<'cancel'>>({ type: type('cancel'), requestId }),
  answerDownload: fields<Call<'answerDownload'>>({
    type: type('answerDownload'),
    requestId,
    confirmId: requestId,
    download: boolean,
  }),
} satisfies Record<HostToRunner['type'], Check>;

function checkByType(guards: Record<string, Check>, m: unknown): string | null {
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return 'not an object';
  const tag = (m as { type?: unknown }).type;
  if (typeof tag !== 'string' || !Object.hasOwn(guards, tag)) return `unknown message type ${JSON.stringify(tag)}`;
  return guards[tag](m, '');
}

/** Why a message from the runner cannot be trusted (where it goes wrong), or null when it can. */
export function runnerMessageProblem(m: unknown): string | null {
  return checkByType(RUNNER_EVENT_GUARDS, m);
}

/** Deep check of what the runner sent; the host refuses (and logs) anything else. */
export function isRunnerToHost(m: unknown): m is RunnerToHost {
  return runnerMessageProblem(m) === null;
}

/** Why a message from the host cannot be trusted, or null when it can. */
export function hostMessageProblem(m: unknown): string | null {
  return checkByType(HOST_CALL_GUARDS, m);
}

/** Deep check of what the host sent; the runner ignores anything else. */
export function isHostToRunner(m: unknown): m is HostToRunner {
  return hostMessageProblem(m) === null;
}
