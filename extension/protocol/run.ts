/**
 * What a run is, in the words every side uses: which cases it covers, what it will produce, and the
 * stages it reports. The engine, the runner protocol and the panel protocol all import these, so a
 * change here breaks every side's build at once.
 */
import type { EditedInput, ModelSummary } from './report';

/** One variant of one case (0-based; people see them 1-based). */
export interface VariantRef {
  caseIndex: number;
  variantIndex: number;
}

/** A run restricted to one case, or to one variant of it ("Compare this case" / "Compare this variant"). */
export interface RunScope {
  caseIndex: number;
  variantIndex?: number;
}

/** A case as the outline of a run lists it, before any result. */
export interface CaseOutline {
  caseIndex: number;
  baseText: string;
  /** The `encoder:` line (an encoder-decoder's source), null when the case has none. */
  encoderText: string | null;
  /** Each variant's text and the input it replaces. */
  variants: { variantIndex: number; text: string; edits: EditedInput }[];
}

/** What a run will produce: its models and its cases (the panel lays out pending rows from it). */
export interface RunOutlineData {
  models: ModelSummary[];
  cases: CaseOutline[];
}

/** The stages of one model's part of a run, in order (`downloading` only for a `from:` model the cache lacks). */
export const PROGRESS_STAGES = ['downloading', 'tokenizing', 'building', 'running'] as const;
export type ProgressStage = (typeof PROGRESS_STAGES)[number];

/** Bytes of a download from the Hub: of the file now arriving, and of the whole download. */
export interface DownloadProgress {
  file: string;
  fileBytes: number;
  fileTotal: number;
  bytes: number;
  total: number;
}
