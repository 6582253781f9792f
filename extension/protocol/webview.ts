/**
 * Messages between the extension host and the results panel (a webview), both directions as
 * discriminated unions. The host sends incremental updates (a run starts, progress, one result per
 * model × variant, the end); the panel never gets its data pasted into HTML.
 * The host validates every FromWebview message before acting on it (isFromWebview).
 */
import type { FindingCode, ModelSummary, PatchingRef, PatchingResult, VariantResult } from './report';
import type { AttentionHeads } from './headsAndLens';
import type { CaseOutline, DownloadProgress, ProgressStage, RunScope, VariantRef } from './run';

/** What a run is about, known the moment it starts (before the runner has read the file). */
export interface RunHeader {
  runId: string;
  /** The `.prompt` file, as a workspace-relative or absolute path for display. */
  file: string;
  /** Set when the run is restricted to one case or variant ("Compare this variant"). */
  only?: RunScope;
}

/** A run with its models and cases; both are empty until the runner has read the file. */
export interface RunOutline extends RunHeader {
  models: ModelSummary[];
  cases: CaseOutline[];
}

export type RunFailureKind = 'input' | 'untrusted' | 'runner-crashed' | 'cancelled' | 'internal';

/**
 * Host → panel. The panel shows one run of one file: `runStarted` comes first for every run, so whatever
 * the panel shows is labelled with the run's own file. Results of the previous run of the same file stay
 * visible, dimmed and marked as such, only while the new run computes them again.
 */
export type ToWebview =
  | { type: 'runStarted'; run: RunHeader }
  /** The runner has read the file: the models and cases this run will produce results for. */
  | { type: 'outline'; runId: string; models: ModelSummary[]; cases: CaseOutline[] }
  | {
      type: 'progress';
      runId: string;
      model: string;
      stage: ProgressStage;
      message: string;
      /** While a `from:` model downloads: bytes of the file and of the whole download. */
      download?: DownloadProgress;
    }
  | { type: 'result'; runId: string; result: VariantResult }
  /** Activation patching of a result the panel has: its grid so far (rows stream in as passes complete). */
  | { type: 'patching'; runId: string; ref: PatchingRef; patching: PatchingResult }
  | { type: 'runFinished'; runId: string; elapsedMs: number }
  | { type: 'runFailed'; runId: string; kind: RunFailureKind; message: string; details?: string[] }
  /**
   * The answer to `requestHeads`: one layer's heads of a result of run `runId` (null when they could not be
   * computed; `message` says why).
   */
  | ({ type: 'heads'; runId: string; heads: AttentionHeads | null; message?: string } & HeadsRef);

/** Which result and layer the panel asks heads for (the stack is the one the variant edits). */
export interface HeadsRef extends VariantRef {
  model: string;
  layer: number;
}

/** Panel → host. */
export type FromWebview =
  | { type: 'ready' }
  | { type: 'cancel'; runId: string }
  | { type: 'rerun' }
  | { type: 'exportJson' }
  | { type: 'revealModel'; model: string }
  /** FIX on a finding: the host writes the finding's own fix into the .prompt file and runs the comparison again. */
  | { type: 'applyFix'; model: string; caseIndex: number; variantIndex: number; code: FindingCode }
  /** A heatmap row was clicked: that layer's heads of this result, computed by the runner on demand. */
  | ({ type: 'requestHeads' } & HeadsRef);

/** What the panel keeps with setState so a reloaded panel restores without asking the host. */
export interface PanelState {
  outline: RunOutline | null;
  results: VariantResult[];
  status: { kind: 'idle' | 'running' | 'finished' | 'failed'; message?: string };
  selected?: VariantRef & { model: string };
}

type Fields = Record<string, unknown>;

/** One check per message type, keyed by the union's tags: a new message without a guard does not compile. */
const FROM_WEBVIEW_GUARDS = {
  ready: () => true,
  cancel: (m) => typeof m.runId === 'string',
  rerun: () => true,
  exportJson: () => true,
  revealModel: (m) => typeof m.model === 'string',
  applyFix: (m) =>
    typeof m.model === 'string' &&
    Number.isInteger(m.caseIndex) &&
    Number.isInteger(m.variantIndex) &&
    typeof m.code === 'string',
  requestHeads: (m) =>
    typeof m.model === 'string' &&
    Number.isInteger(m.caseIndex) &&
    Number.isInteger(m.variantIndex) &&
    Number.isInteger(m.layer) &&
    (m.caseIndex as number) >= 0 &&
    (m.variantIndex as number) >= 0 &&
    (m.layer as number) >= 0,
} satisfies Record<FromWebview['type'], (m: Fields) => boolean>;

/** Structural check of a message from the panel; anything else is ignored by the host. */
export function isFromWebview(m: unknown): m is FromWebview {
  if (typeof m !== 'object' || m === null) return false;
  const msg = m as Fields;
  return (
    typeof msg.type === 'string' &&
    Object.hasOwn(FROM_WEBVIEW_GUARDS, msg.type) &&
    FROM_WEBVIEW_GUARDS[msg.type as FromWebview['type']](msg)
  );
}
