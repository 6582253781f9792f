/**
 * The boundary between the extension host and the runner child process (child_process.fork IPC).
 * Two unions: calls host → runner and events runner → host, plus an `init → ready | initError`
 * handshake. Streamed events carry the request id of the run they belong to; cancel is a call.
 * Errors cross as data (SerializedError), never as thrown objects. Both sides import this module.
 */
import type { LabDiagnostic } from './diagnostics';
import type { ComparisonReport, VariantResult } from './report';

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
  /** VS Code workspace trust: when false, no model is loaded from a file path (presets only). */
  trusted: boolean;
}

export interface RunRequest {
  requestId: string;
  /** Absolute path of the .prompt file (relative config/weights paths resolve against it). */
  file: string;
  /** The document's current text, unsaved edits included. */
  text: string;
  only?: { caseIndex: number; variantIndex?: number };
}

/** Host → runner. */
export type HostToRunner =
  | { type: 'init'; protocolVersion: typeof RUNNER_PROTOCOL_VERSION; settings: RunnerSettings }
  | { type: 'run'; request: RunRequest }
  | { type: 'cancel'; requestId: string }
  /** Test hook: the runner exits at once with this code, as a crash would (used by the crash-recovery tests). */
  | { type: 'crashForTest'; exitCode: number };

export interface SerializedError {
  kind: 'input' | 'cancelled' | 'untrusted' | 'internal';
  message: string;
  diagnostics?: LabDiagnostic[];
  stack?: string;
}

export interface RunOutlineData {
  models: ComparisonReport['models'];
  cases: { caseIndex: number; baseText: string; variants: { variantIndex: number; text: string }[] }[];
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
      stage: 'tokenizing' | 'building' | 'running' | 'comparing';
      message: string;
    }
  | { type: 'result'; requestId: string; result: VariantResult }
  | { type: 'done'; requestId: string; elapsedMs: number; report: ComparisonReport }
  | { type: 'failed'; requestId: string; error: SerializedError };

const RUNNER_EVENT_TYPES = ['ready', 'initError', 'outline', 'progress', 'result', 'done', 'failed'] as const;

/** Structural check of what the runner sent; the host drops (and logs) anything else. */
export function isRunnerToHost(m: unknown): m is RunnerToHost {
  if (typeof m !== 'object' || m === null) return false;
  const msg = m as Record<string, unknown>;
  if (typeof msg.type !== 'string' || !(RUNNER_EVENT_TYPES as readonly string[]).includes(msg.type)) return false;
  switch (msg.type) {
    case 'ready':
      return msg.protocolVersion === RUNNER_PROTOCOL_VERSION && typeof msg.pid === 'number';
    case 'initError':
      return isSerializedError(msg.error);
    case 'outline': {
      const o = msg.outline as Record<string, unknown> | null;
      return (
        typeof msg.requestId === 'string' &&
        typeof o === 'object' &&
        o !== null &&
        Array.isArray(o.models) &&
        Array.isArray(o.cases)
      );
    }
    case 'progress':
      return typeof msg.requestId === 'string' && typeof msg.model === 'string' && typeof msg.message === 'string';
    case 'result':
      return typeof msg.requestId === 'string' && isVariantResultShape(msg.result);
    case 'done': {
      const r = msg.report as Record<string, unknown> | null;
      return (
        typeof msg.requestId === 'string' &&
        typeof msg.elapsedMs === 'number' &&
        typeof r === 'object' &&
        r !== null &&
        Array.isArray(r.results) &&
        Array.isArray(r.models)
      );
    }
    case 'failed':
      return typeof msg.requestId === 'string' && isSerializedError(msg.error);
    default:
      return false;
  }
}

/** Structural check of what the host sent; the runner ignores anything else. */
export function isHostToRunner(m: unknown): m is HostToRunner {
  if (typeof m !== 'object' || m === null) return false;
  const msg = m as Record<string, unknown>;
  switch (msg.type) {
    case 'init': {
      const s = msg.settings as Record<string, unknown> | undefined;
      return (
        msg.protocolVersion === RUNNER_PROTOCOL_VERSION &&
        !!s &&
        typeof s.cacheDir === 'string' &&
        typeof s.threads === 'number' &&
        isOptionalByteCount(s.memoryLimit) &&
        isOptionalByteCount(s.cacheSizeLimit) &&
        typeof s.trusted === 'boolean'
      );
    }
    case 'run': {
      const r = msg.request as Record<string, unknown> | undefined;
      return !!r && typeof r.requestId === 'string' && typeof r.file === 'string' && typeof r.text === 'string';
    }
    case 'cancel':
      return typeof msg.requestId === 'string';
    case 'crashForTest':
      return typeof msg.exitCode === 'number';
    default:
      return false;
  }
}

function isOptionalByteCount(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'number' && Number.isSafeInteger(v) && v > 0);
}

const VERDICTS = ['causal', 'bidirectional', 'nondeterministic', 'undetermined'];

/** The fields the panel reads without further checks. */
function isVariantResultShape(r: unknown): boolean {
  if (typeof r !== 'object' || r === null) return false;
  const v = r as Record<string, unknown>;
  return (
    typeof v.model === 'string' &&
    Number.isInteger(v.caseIndex) &&
    Number.isInteger(v.variantIndex) &&
    typeof v.verdict === 'string' &&
    VERDICTS.includes(v.verdict) &&
    Array.isArray(v.baseTokens) &&
    Array.isArray(v.variantTokens) &&
    Array.isArray(v.layers) &&
    typeof v.alignment === 'object' &&
    v.alignment !== null &&
    typeof v.evidence === 'object' &&
    v.evidence !== null &&
    typeof v.explanation === 'string' &&
    Array.isArray(v.findings)
  );
}

function isSerializedError(e: unknown): e is SerializedError {
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof (e as SerializedError).message === 'string' &&
    typeof (e as SerializedError).kind === 'string'
  );
}
