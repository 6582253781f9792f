/**
 * The boundary between the extension host and the runner child process (child_process.fork IPC).
 * Two unions: calls host → runner and events runner → host, plus an `init → ready | initError`
 * handshake. Streamed events carry the request id of the run they belong to; cancel is a call.
 * Errors cross as data (SerializedError), never as thrown objects. Both sides import this module.
 */
import type { LabDiagnostic } from './diagnostics';
import { VERDICTS, type ComparisonReport, type VariantResult } from './report';
import { PROGRESS_STAGES, type ProgressStage, type RunOutlineData, type RunScope } from './run';

export type { RunOutlineData } from './run';

export const RUNNER_PROTOCOL_VERSION = 1 as const;

export interface RunnerSettings {
  /** Built models and converted tokenizers live here (the extension's global storage by default). */
  cacheDir: string;
  /** onnxruntime intra-op threads; 0 = onnxruntime's default. */
  threads: number;
  /** VS Code workspace trust: when false, no model is loaded from a file path (presets only). */
  trusted: boolean;
}

export interface RunRequest {
  requestId: string;
  /** Absolute path of the .prompt file (relative config/weights paths resolve against it). */
  file: string;
  /** The document's current text, unsaved edits included. */
  text: string;
  only?: RunScope;
}

/** Host → runner. */
export type HostToRunner =
  | { type: 'init'; protocolVersion: typeof RUNNER_PROTOCOL_VERSION; settings: RunnerSettings }
  | { type: 'run'; request: RunRequest }
  | { type: 'cancel'; requestId: string };

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
    }
  | { type: 'result'; requestId: string; result: VariantResult }
  | { type: 'done'; requestId: string; elapsedMs: number; report: ComparisonReport }
  | { type: 'failed'; requestId: string; error: SerializedError };

type Fields = Record<string, unknown>;
const isObject = (x: unknown): x is Fields => typeof x === 'object' && x !== null && !Array.isArray(x);
const isString = (x: unknown): x is string => typeof x === 'string';

/**
 * One check per event type, keyed by the union's own tags: a new event type without a guard does not
 * compile. Each check reads the fields the host uses without further checks.
 */
const RUNNER_EVENT_GUARDS = {
  ready: (m) => m.protocolVersion === RUNNER_PROTOCOL_VERSION && typeof m.pid === 'number',
  initError: (m) => isSerializedError(m.error),
  outline: (m) =>
    isString(m.requestId) && isObject(m.outline) && Array.isArray(m.outline.models) && Array.isArray(m.outline.cases),
  progress: (m) =>
    isString(m.requestId) &&
    isString(m.model) &&
    isString(m.message) &&
    (PROGRESS_STAGES as readonly unknown[]).includes(m.stage),
  result: (m) => isString(m.requestId) && isVariantResultShape(m.result),
  done: (m) =>
    isString(m.requestId) &&
    typeof m.elapsedMs === 'number' &&
    isObject(m.report) &&
    Array.isArray(m.report.results) &&
    Array.isArray(m.report.models),
  failed: (m) => isString(m.requestId) && isSerializedError(m.error),
} satisfies Record<RunnerToHost['type'], (m: Fields) => boolean>;

const HOST_CALL_GUARDS = {
  init: (m) =>
    m.protocolVersion === RUNNER_PROTOCOL_VERSION &&
    isObject(m.settings) &&
    isString(m.settings.cacheDir) &&
    typeof m.settings.threads === 'number' &&
    typeof m.settings.trusted === 'boolean',
  run: (m) =>
    isObject(m.request) && isString(m.request.requestId) && isString(m.request.file) && isString(m.request.text),
  cancel: (m) => isString(m.requestId),
} satisfies Record<HostToRunner['type'], (m: Fields) => boolean>;

function checkByType(guards: Record<string, (m: Fields) => boolean>, m: unknown): boolean {
  return isObject(m) && isString(m.type) && Object.hasOwn(guards, m.type) && guards[m.type](m);
}

/** Structural check of what the runner sent; the host drops (and logs) anything else. */
export function isRunnerToHost(m: unknown): m is RunnerToHost {
  return checkByType(RUNNER_EVENT_GUARDS, m);
}

/** Structural check of what the host sent; the runner ignores anything else. */
export function isHostToRunner(m: unknown): m is HostToRunner {
  return checkByType(HOST_CALL_GUARDS, m);
}

/** The fields the panel reads without further checks. */
function isVariantResultShape(r: unknown): boolean {
  return (
    isObject(r) &&
    isString(r.model) &&
    Number.isInteger(r.caseIndex) &&
    Number.isInteger(r.variantIndex) &&
    (VERDICTS as readonly unknown[]).includes(r.verdict) &&
    Array.isArray(r.baseTokens) &&
    Array.isArray(r.variantTokens) &&
    Array.isArray(r.layers) &&
    isObject(r.alignment) &&
    isObject(r.evidence) &&
    isString(r.explanation) &&
    Array.isArray(r.findings)
  );
}

function isSerializedError(e: unknown): e is SerializedError {
  return isObject(e) && isString(e.message) && isString(e.kind);
}
