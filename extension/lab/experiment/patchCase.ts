/**
 * Activation patching of one case's variants (`patch:`), after each variant's comparison: the grid runs in
 * the model's open session as passes the resource plan sizes (`planPasses`: a patched row costs at most what
 * a whole input does), its rows stream out as passes complete (`onPatching`), and the finished grid becomes
 * the result's `patching`. Preconditions (eval mode, aligned tokens, the target inside) are checked before
 * anything runs (`patching/prepare.ts`).
 */
import type { MeasuredResult, PatchKind, PatchingResult, VariantResult } from '../../protocol/report';
import type { Experiment } from '../types';
import { planPasses, type ModelPlan } from '../resources';
import { moduleOf } from '../models/registry';
import { patchGrid, type PatchSubject } from '../patching/grid';
import { resolveTarget } from '../patching/prepare';
import type { TokenizedCase } from './caseInputs';
import type { CaseContext } from './runCase';
import { decoderOf } from './decodeToken';

/** A grid so far, for the variant it belongs to. */
export interface PatchingUpdate {
  model: string;
  caseIndex: number;
  variantIndex: number;
  patching: PatchingResult;
}

export interface CasePatching {
  kind: PatchKind;
  /** The target resolved to a position of this case's base. */
  target: number;
  cellsPerPass: number;
  onPatching?: (update: PatchingUpdate) => void;
  /** The finished grid of a result already emitted: the report's copy of that result gets it. */
  attach: (result: MeasuredResult, patching: PatchingResult) => void;
}

/** The patching of a case, or undefined when its model is not asked to patch. */
export function patchingContext(
  experiment: Experiment,
  plan: ModelPlan,
  c: Omit<TokenizedCase, 'passes'>,
  onPatching: ((update: PatchingUpdate) => void) | undefined,
  attach: CasePatching['attach'],
): CasePatching | undefined {
  const patch = plan.spec.patch;
  if (!patch || experiment.cases.length === 0) return undefined;
  // The target is a position of the measured stack: the model's one stack, or an encoder-decoder's decoder (c.base).
  const target = resolveTarget(patch.target, c.base.ids.length);
  if (target === null) throw new Error('internal: a patch target outside its case passed the checks');
  const stacks = moduleOf(plan.spec.architecture).shape(plan.dims).stacks;
  const length = Math.max(c.base.ids.length, c.source?.encoded.ids.length ?? 0);
  const layers = Math.max(...stacks.map((s) => s.layers));
  const columns = patch.kind === 'residual' ? length : Math.max(...stacks.map((s) => s.heads));
  // Every pass runs the base and the variant beside its cells; a row costs at most a whole input.
  const passes = planPasses(plan, {
    inputs: layers * columns + 2,
    kept: 2,
    length,
    train: false,
    attentions: false,
    logitRowsPerInput: 1,
  });
  return { kind: patch.kind, target, cellsPerPass: Math.max(1, passes.inputsPerPass - 2), onPatching, attach };
}

/**
 * Patches one measured variant; the finished grid goes to the report's copy of the result (`attach`). The
 * result already emitted is never changed: whoever received it (the runner's message, a recording) keeps it as sent.
 */
export async function patchVariant(
  ctx: CaseContext<unknown>,
  result: VariantResult,
  /** The subject of the grid, for the kind of patching asked for (made only when there is one to run). */
  subject: (kind: PatchKind) => PatchSubject,
): Promise<void> {
  const patching = ctx.patching;
  // Only a model asked to patch, and only a measured result (a variant it cannot read has nothing to patch).
  if (!patching || result.kind !== 'measured') return;
  const { c, summary } = ctx;
  ctx.progress('running', `patching case ${c.caseIndex + 1}, variant ${result.variantIndex + 1} (${patching.kind})`);
  const update = (grid: PatchingResult) =>
    patching.onPatching?.({
      model: summary.name,
      caseIndex: c.caseIndex,
      variantIndex: result.variantIndex,
      patching: grid,
    });
  const grid = await patchGrid(subject(patching.kind), {
    kind: patching.kind,
    target: patching.target,
    // c.base is the measured stack's input: the model's text, an encoder-decoder's decoder input.
    targetText: c.base.tokens[patching.target]?.text ?? '',
    cellsPerPass: patching.cellsPerPass,
    // As the next-token candidates and the lens name it (a byte token by its surface, `<0xC3>`).
    decode: decoderOf(ctx.tokenizer),
    checkCancelled: ctx.checkCancelled,
    onRows: update,
  });
  patching.attach(result, grid);
}
