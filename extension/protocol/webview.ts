/**
 * Messages between the extension host and the results panel (a webview), both directions as
 * discriminated unions. The host sends incremental updates (a run starts, progress, one result per
 * model × variant, the end); the panel never gets its data pasted into HTML.
 * The host validates every FromWebview message before acting on it (isFromWebview).
 */
import type { ComparisonReport, FindingCode, ModelSummary, VariantResult } from './report';

export interface RunOutline {
  runId: string;
  /** The `.prompt` file, as a workspace-relative or absolute path for display. */
  file: string;
  models: ModelSummary[];
  cases: { caseIndex: number; baseText: string; variants: { variantIndex: number; text: string }[] }[];
  /** Set when the run is restricted to one case or variant ("Compare this variant"). */
  only?: { caseIndex: number; variantIndex?: number };
}

export type RunFailureKind = 'input' | 'untrusted' | 'runner-crashed' | 'cancelled' | 'internal';

/** Host → panel. */
export type ToWebview =
  /** A new run replaces the panel's content (results of the previous run stay visible, dimmed, until new ones arrive). */
  | { type: 'runStarted'; outline: RunOutline }
  | {
      type: 'progress';
      runId: string;
      model: string;
      stage: 'tokenizing' | 'building' | 'running' | 'comparing';
      message: string;
    }
  | { type: 'result'; runId: string; result: VariantResult }
  | { type: 'runFinished'; runId: string; elapsedMs: number }
  | { type: 'runFailed'; runId: string; kind: RunFailureKind; message: string; details?: string[] }
  /** The panel's theme kind changed (the panel also reads VS Code's CSS variables directly). */
  | { type: 'theme'; kind: 'light' | 'dark' | 'high-contrast' | 'high-contrast-light' };

/** Panel → host. */
export type FromWebview =
  | { type: 'ready' }
  | { type: 'cancel'; runId: string }
  | { type: 'rerun' }
  | { type: 'exportJson' }
  | { type: 'revealModel'; model: string }
  /** FIX on a finding: the host writes the finding's own fix into the .prompt file and runs the comparison again. */
  | { type: 'applyFix'; model: string; caseIndex: number; variantIndex: number; code: FindingCode };

/** What the panel keeps with setState so a reloaded panel restores without asking the host. */
export interface PanelState {
  outline: RunOutline | null;
  results: VariantResult[];
  status: { kind: 'idle' | 'running' | 'finished' | 'failed'; message?: string };
  selected?: { model: string; caseIndex: number; variantIndex: number };
}

/** The report a panel exports is the same type `compare --json` prints. */
export type ExportedReport = ComparisonReport;

const FROM_WEBVIEW_TYPES = ['ready', 'cancel', 'rerun', 'exportJson', 'revealModel', 'applyFix'] as const;

/** Structural check of a message from the panel; anything else is ignored by the host. */
export function isFromWebview(m: unknown): m is FromWebview {
  if (typeof m !== 'object' || m === null) return false;
  const t = (m as { type?: unknown }).type;
  if (typeof t !== 'string' || !(FROM_WEBVIEW_TYPES as readonly string[]).includes(t)) return false;
  if (t === 'cancel') return typeof (m as { runId?: unknown }).runId === 'string';
  if (t === 'revealModel') return typeof (m as { model?: unknown }).model === 'string';
  if (t === 'applyFix') {
    const a = m as Record<string, unknown>;
    return (
      typeof a.model === 'string' &&
      Number.isInteger(a.caseIndex) &&
      Number.isInteger(a.variantIndex) &&
      typeof a.code === 'string'
    );
  }
  return true;
}
