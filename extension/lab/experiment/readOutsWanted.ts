/**
 * What a case asks the graph for beside the hidden states when its model has `lens:` or `heads:`: the lens
 * at the last positions of every run but the control (the comparison never reads the control's), and the
 * one layer's attention maps. Nothing is asked (zero rows fed) for a model without them.
 */
import type { ModelSpec, SourceRange } from '../types';
import { LabInputError } from '../types';
import type { ModelSummary } from '../../protocol/report';
import type { LensRequest } from '../models/readOuts';
import { lensPositions } from '../compare/headsAndLens';

/** The lens request of runs [start, end) of a case whose run 1 is the control. */
export function lensRequest(
  spec: ModelSpec,
  hasLmHead: boolean,
  lengths: number[],
  start: number,
): LensRequest | undefined {
  if (spec.lens === undefined || !hasLmHead) return undefined;
  return { k: spec.lens, positions: lengths.map((n, k) => (start + k === 1 ? [] : lensPositions(n))) };
}

/** The heads request of a model (`stack`: the one whose layer is read in an encoder-decoder). */
export function headsRequest(
  spec: ModelSpec,
  stack?: 'encoder' | 'decoder',
): { layer: number; stack?: 'encoder' | 'decoder' } | undefined {
  return spec.heads === undefined ? undefined : { layer: spec.heads, ...(stack ? { stack } : {}) };
}

/** `heads:` past the last layer of a stack is the user's mistake: said at the model's entry. */
export function checkHeadsLayer(spec: ModelSpec, summary: ModelSummary, file: string): void {
  if (spec.heads === undefined) return;
  const layers = Math.min(...summary.stacks.map((s) => s.numLayers));
  if (spec.heads < layers) return;
  const range: SourceRange = spec.range;
  throw new LabInputError([
    {
      severity: 'error',
      message: `${spec.name}: heads: ${spec.heads} is past its last layer (layers are numbered 0–${layers - 1}, as Hugging Face's \`attentions\`)`,
      file,
      range,
      code: 'bad-value',
    },
  ]);
}

/** Whether the maps a model returns in this mode are after attention dropout (train mode, a rate above 0). */
export function afterDropout(summary: ModelSummary): boolean {
  return (
    summary.mode === 'train' &&
    summary.dropoutRates.some((r) => /attention|attn/.test(r.key) && !/output/.test(r.key) && r.rate > 0)
  );
}
