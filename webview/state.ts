/**
 * What the panel knows, and how each message from the host changes it. Pure: no DOM here, so the
 * rules (which results are current, which are left over from the previous run, what is selected)
 * read in one place. The whole object is saved with setState after every message, so a reloaded
 * panel shows the last results without asking the host.
 */
import { REPORT_VERSION, type ModelSummary, type VariantResult } from '../extension/protocol/report';
import type { DownloadProgress, ProgressStage, VariantRef } from '../extension/protocol/run';
import type { PanelState, RunFailureKind, RunOutline, ToWebview } from '../extension/protocol/webview';
import { formatDuration } from './format';

export interface FailureInfo {
  kind: RunFailureKind;
  message: string;
  details: string[];
}

/** PanelState plus what only the panel needs; still a PanelState for anyone reading it back. */
export interface ViewState extends PanelState {
  /**
   * Results of the previous run of the same file, shown dimmed (and labelled so) only while this run computes
   * them again: same model settings, same prompt texts. Dropped when the run ends, however it ends.
   */
  previous: VariantResult[];
  /** The models of the run `previous` came from, to check a leftover still describes the same model. */
  previousModels: ModelSummary[];
  /** The last progress message per model during a run. */
  progress: Record<string, { stage: ProgressStage; message: string; download?: DownloadProgress }>;
  failure: FailureInfo | null;
  /** The report version the saved results have: results of another version are not restored. */
  reportVersion: number;
}

export interface CellKey extends VariantRef {
  model: string;
}

export function keyOf(cell: CellKey): string {
  return `${cell.caseIndex}/${cell.variantIndex}/${cell.model}`;
}

export function sameCell(a: CellKey | undefined, b: CellKey | undefined): boolean {
  return (
    a !== undefined &&
    b !== undefined &&
    a.model === b.model &&
    a.caseIndex === b.caseIndex &&
    a.variantIndex === b.variantIndex
  );
}

export function emptyState(): ViewState {
  return {
    outline: null,
    results: [],
    status: { kind: 'idle' },
    previous: [],
    previousModels: [],
    progress: {},
    failure: null,
    reportVersion: REPORT_VERSION,
  };
}

/** Whatever getState() returned (possibly from an older panel version) as a ViewState, or an empty one. */
export function restoreState(saved: unknown): ViewState {
  const state = emptyState();
  if (typeof saved !== 'object' || saved === null) return state;
  const s = saved as Partial<ViewState>;
  // A panel restored after an update may hold results of an older report shape: start empty rather than misread them.
  if (s.reportVersion !== REPORT_VERSION) return state;
  if (s.outline && typeof s.outline === 'object' && Array.isArray(s.outline.cases) && Array.isArray(s.outline.models))
    state.outline = s.outline;
  if (Array.isArray(s.results)) state.results = s.results;
  if (Array.isArray(s.previous)) state.previous = s.previous;
  if (Array.isArray(s.previousModels)) state.previousModels = s.previousModels;
  if (s.status && typeof s.status.kind === 'string') state.status = s.status;
  if (s.progress && typeof s.progress === 'object') state.progress = s.progress;
  if (s.failure && typeof s.failure.message === 'string')
    state.failure = { ...s.failure, details: s.failure.details ?? [] };
  if (s.selected && typeof s.selected.model === 'string') state.selected = s.selected;
  return state;
}

/** Messages of a run the panel no longer shows (an earlier run, or a cancelled one) are ignored. */
function isCurrentRun(state: ViewState, runId: string): boolean {
  return state.outline !== null && state.outline.runId === runId;
}

export function reduce(state: ViewState, message: ToWebview): ViewState {
  switch (message.type) {
    case 'runStarted': {
      // The host replays the current run to a page that reloaded (e.g. after being hidden): keep what we have.
      if (state.outline?.runId === message.run.runId) return state;
      // Another file: nothing of the old one may stay on screen under the new name.
      const sameFile = state.outline?.file === message.run.file;
      const leftovers = state.previous.filter((p) => !state.results.some((r) => sameCell(r, p)));
      return {
        ...state,
        outline: { ...message.run, models: [], cases: [] },
        results: [],
        previous: sameFile ? [...state.results, ...leftovers] : [],
        previousModels: sameFile ? (state.outline?.models ?? []) : [],
        selected: sameFile ? state.selected : undefined,
        progress: {},
        failure: null,
        status: { kind: 'running', message: 'Starting…' },
      };
    }
    case 'outline': {
      if (!isCurrentRun(state, message.runId)) return state;
      const outline = { ...state.outline!, models: message.models, cases: message.cases };
      // A leftover stays only where it still means the same thing: the same model settings and prompt texts.
      const previous = state.previous.filter((p) => stillDescribes(p, state.previousModels, outline));
      const selected = previous.some((p) => sameCell(p, state.selected)) ? state.selected : undefined;
      return { ...state, outline, previous, selected };
    }
    case 'progress': {
      if (!isCurrentRun(state, message.runId)) return state;
      const entry = {
        stage: message.stage,
        message: message.message,
        ...(message.download ? { download: message.download } : {}),
      };
      const progress = { ...state.progress, [message.model]: entry };
      return { ...state, progress, status: { kind: 'running', message: `${message.model}: ${message.message}` } };
    }
    case 'result': {
      if (!isCurrentRun(state, message.runId)) return state;
      const result = message.result;
      const results = [...state.results.filter((r) => !sameCell(r, result)), result];
      const previous = state.previous.filter((r) => !sameCell(r, result));
      // The first result of a run is shown until the user picks another (or keeps one from before).
      const kept =
        results.some((r) => sameCell(r, state.selected)) || previous.some((r) => sameCell(r, state.selected));
      const selected = kept
        ? state.selected
        : { model: result.model, caseIndex: result.caseIndex, variantIndex: result.variantIndex };
      return { ...state, results, previous, selected };
    }
    case 'patching': {
      // A grid so far for a result the panel has: it replaces the one before (rows only ever grow).
      if (!isCurrentRun(state, message.runId)) return state;
      const results = state.results.map((r) =>
        sameCell(r, message.ref) && r.kind === 'measured' ? { ...r, patching: message.patching } : r,
      );
      return { ...state, results };
    }
    case 'runFinished': {
      if (!isCurrentRun(state, message.runId)) return state;
      return {
        ...endRun(state),
        status: { kind: 'finished', message: `Finished in ${formatDuration(message.elapsedMs)}` },
      };
    }
    case 'runFailed': {
      // Every run starts with runStarted: a failure of any other run belongs to one the panel no longer shows.
      if (!isCurrentRun(state, message.runId)) return state;
      const failure = { kind: message.kind, message: message.message, details: message.details ?? [] };
      return { ...endRun(state), failure, status: { kind: 'failed', message: message.message } };
    }
    case 'heads': {
      // The on-demand heads of a result the panel shows: kept on that result (the layer last asked for).
      if (!isCurrentRun(state, message.runId) || message.heads === null) return state;
      const heads = message.heads;
      const results = state.results.map((r) =>
        sameCell(r, message) && r.kind === 'measured' ? { ...r, attentionHeads: heads } : r,
      );
      return { ...state, results };
    }
    default:
      return assertNever(message);
  }
}

/** The run is over: only what it produced stays (one run of one file); the selection moves onto it. */
function endRun(state: ViewState): ViewState {
  const first = state.results[0];
  const selected = state.results.some((r) => sameCell(r, state.selected))
    ? state.selected
    : first && { model: first.model, caseIndex: first.caseIndex, variantIndex: first.variantIndex };
  return { ...state, previous: [], previousModels: [], progress: {}, selected };
}

/** A previous run's result still describes the cell: the model's settings and the prompt texts are unchanged. */
function stillDescribes(result: VariantResult, previousModels: readonly ModelSummary[], outline: RunOutline): boolean {
  const before = previousModels.find((m) => m.name === result.model);
  const now = outline.models.find((m) => m.name === result.model);
  const theCase = outline.cases.find((c) => c.caseIndex === result.caseIndex);
  const variant = theCase?.variants.find((v) => v.variantIndex === result.variantIndex);
  // A source variant's result compares the case's `encoder:` line, not its base line.
  const baseText = variant?.edits === 'encoder' ? theCase?.encoderText : theCase?.baseText;
  return (
    before !== undefined &&
    now !== undefined &&
    JSON.stringify(before) === JSON.stringify(now) &&
    baseText === result.baseText &&
    variant?.text === result.variantText
  );
}

export function assertNever(value: never): never {
  throw new Error(`unexpected message ${JSON.stringify(value)}`);
}

export function select(state: ViewState, cell: CellKey): ViewState {
  return { ...state, selected: { model: cell.model, caseIndex: cell.caseIndex, variantIndex: cell.variantIndex } };
}

/** The result shown for a cell: this run's, else the previous run's (then `stale`). */
export function findResult(
  state: ViewState,
  cell: CellKey | undefined,
): { result: VariantResult; stale: boolean } | null {
  if (cell === undefined) return null;
  const current = state.results.find((r) => sameCell(r, cell));
  if (current) return { result: current, stale: false };
  const old = state.previous.find((r) => sameCell(r, cell));
  return old ? { result: old, stale: true } : null;
}

export interface Column extends VariantRef {
  baseText: string;
  text: string;
}

/** The summary's columns: every variant the run covers (all, or the one case/variant of `only`), then any result outside them. */
export function columnsOf(outline: RunOutline | null, results: readonly VariantResult[]): Column[] {
  const columns: Column[] = [];
  for (const c of outline?.cases ?? []) {
    if (outline?.only && outline.only.caseIndex !== c.caseIndex) continue;
    for (const v of c.variants) {
      if (outline?.only?.variantIndex !== undefined && outline.only.variantIndex !== v.variantIndex) continue;
      const baseText = v.edits === 'encoder' ? (c.encoderText ?? c.baseText) : c.baseText;
      columns.push({ caseIndex: c.caseIndex, variantIndex: v.variantIndex, baseText, text: v.text });
    }
  }
  for (const r of results) {
    if (!columns.some((c) => c.caseIndex === r.caseIndex && c.variantIndex === r.variantIndex)) {
      columns.push({ caseIndex: r.caseIndex, variantIndex: r.variantIndex, baseText: r.baseText, text: r.variantText });
    }
  }
  return columns;
}

/** The summary's rows: the outline's models in file order, then any model only a result names. */
export function modelsOf(outline: RunOutline | null, results: readonly VariantResult[]): string[] {
  const names = (outline?.models ?? []).map((m) => m.name);
  for (const r of results) if (!names.includes(r.model)) names.push(r.model);
  return names;
}
