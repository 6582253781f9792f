/** How numbers, positions and verdicts read in the panel (the same rules as the report's own prose). */
import type { ModelSummary, Verdict } from '../extension/protocol/report';
import type { RunOutline } from '../extension/protocol/webview';
import { formatNumber as formatReportNumber } from '../extension/protocol/numbers';

/** Compact numbers, by the same rule as the report's own prose (0.0028, 0.41, 1500, 2.4e-5); '—' for none. */
export function formatNumber(x: number | null | undefined): string {
  return x === null || x === undefined ? '—' : formatReportNumber(x);
}

export function formatPercent(p: number): string {
  const percent = p * 100;
  return percent >= 10
    ? `${percent.toFixed(0)}%`
    : percent >= 0.1
      ? `${percent.toFixed(1)}%`
      : `${formatNumber(percent)}%`;
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

/** One line a newcomer can read next to the badge. */
export const VERDICT_MEANING: Record<Verdict, string> = {
  causal: 'earlier positions unchanged',
  bidirectional: 'earlier positions changed',
  nondeterministic: 'same input differs twice',
  undetermined: 'cannot be judged here',
  'non-finite': 'NaN or Inf in the states',
  'not-applicable': 'the model has no encoder',
};

const ATTENTION_WORDS: Record<ModelSummary['attention'], string> = {
  causal: 'causal mask',
  bidirectional: 'no causal mask',
  'encoder-decoder': 'encoder + causal decoder',
};

/** "GPT-2 · random weights (seed 0) · causal mask · eval mode · 12 layers": the model as it ran, weights first. */
export function modelMeta(model: ModelSummary): string[] {
  return [
    model.label,
    weightsLabel(model),
    ATTENTION_WORDS[model.attention],
    `${model.mode} mode`,
    `${model.numLayers} layers`,
  ];
}

/** "random weights (seed 0)", "gpt2 from the Hub", or "weights: <folder>". */
function weightsLabel(model: ModelSummary): string {
  const w = model.weights;
  if (w.kind === 'random') return w.description;
  return w.hub ? `${w.hub.repoId} from the Hub` : `weights: ${baseName(w.path)}`;
}

export function layerName(layer: number): string {
  return layer === 0 ? 'embeddings' : `layer ${layer}`;
}

/** "Case 1 · variant 2" (1-based for people; the protocol counts from 0). */
export function variantLabel(caseIndex: number, variantIndex: number): string {
  return `case ${caseIndex + 1} · variant ${variantIndex + 1}`;
}

export function variantText(outline: RunOutline | null, caseIndex: number, variantIndex: number): string | undefined {
  return outline?.cases.find((c) => c.caseIndex === caseIndex)?.variants.find((v) => v.variantIndex === variantIndex)
    ?.text;
}

/** The file's last path segment, for the title; the whole path is shown beside it. */
export function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] || path;
}
