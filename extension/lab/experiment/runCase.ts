/**
 * One case of one model, pass by pass. The runs are the base (run 0), the control (the base again,
 * run 1) and the variants (run 2 + k), in that order, split into passes of the planned size.
 *
 * Base and control run once, in the first pass(es), and every variant is compared with those same
 * outputs — in every mode. Their dropout masks are graph inputs drawn from (seed, case, run index)
 * (dropoutSeeds.ts), not from the session's random state, so re-running the base in each pass would
 * reproduce exactly the same numbers: `independent` draws base, control and each variant from their own
 * run index whichever pass they land in, and `paired` gives every run the base's masks, as before.
 * Every pass is padded to the case's longest input, as the single pass of the whole case was, so each
 * row sees the same shapes and the numbers are identical, bit for bit, to running the case in one pass
 * (test/unit/passes.test.ts checks eval, train independent and train paired).
 */
import type { EffectiveAttentionMask, ModelSummary, VariantResult } from '../../protocol/report';
import type { ModelSpec } from '../types';
import type { EncodedText, LabTokenizer } from '../tokenizers';
import { decoderOf } from './decodeToken';
import { compareVariant } from '../compare';
import type { ModelRun, SpecialTokens } from '../compare/types';
import type { ForwardOutput, ModelSession } from '../models/session';
import { dropoutSeedFor } from './dropoutSeeds';
import { ratesOf } from './summary';
import type { ExperimentProgress } from './runExperiment';
import type { TokenizedCase } from './caseInputs';
import { patchVariant, type CasePatching } from './patchCase';
import { singleStackSubject } from '../patching/subjects';
import { afterDropout, headsRequest, lensRequest } from './readOutsWanted';
import { attentionHeads, logitLens } from '../compare/headsAndLens';

export interface CaseContext<Session> {
  session: Session;
  spec: ModelSpec;
  summary: ModelSummary;
  tokenizer: LabTokenizer;
  special: SpecialTokens;
  c: TokenizedCase;
  checkCancelled: () => void;
  progress: (stage: ExperimentProgress['stage'], message: string) => void;
  /** Activation patching after each variant's comparison (`patch:`); single-stack models only. */
  patching?: CasePatching;
}

/** Progress of a case that takes several passes is reported at most this often. */
const PROGRESS_EVERY_MS = 1000;

/** Reports progress when a pass starts: the first, the last, and at most once a second between them. */
export function passProgress(ctx: CaseContext<unknown>, runs: number): (start: number, end: number) => void {
  const { c } = ctx;
  const perPass = c.passes.inputsPerPass;
  let reported = 0;
  return (start, end) => {
    if (start !== 0 && end !== runs && Date.now() - reported < PROGRESS_EVERY_MS) return;
    reported = Date.now();
    ctx.progress(
      'running',
      c.passes.passes === 1
        ? `running case ${c.caseIndex + 1} (${runs} inputs in one batch)`
        : `running case ${c.caseIndex + 1}: inputs ${start + 1}–${end} of ${runs} (${perPass} per pass)`,
    );
  };
}

export async function runCase(ctx: CaseContext<ModelSession>, onResult: (r: VariantResult) => void): Promise<void> {
  const { session, spec, summary, tokenizer, c } = ctx;
  const causal = summary.attention === 'causal';
  const runs = [c.base, c.base, ...c.variants.map((v) => v.encoded)];
  const runIndex = (i: number) => (i < 2 ? i : 2 + c.variants[i - 2].variantIndex);
  const length = runs.reduce((n, e) => Math.max(n, e.ids.length), 0);
  const perPass = c.passes.inputsPerPass;
  const decode = decoderOf(tokenizer);
  const progress = passProgress(ctx, runs.length);
  let base: ModelRun | undefined;
  let control: ModelRun | undefined;
  let attentionMask: EffectiveAttentionMask | undefined;
  let baseOut: ForwardOutput | undefined;
  for (let start = 0; start < runs.length; start += perPass) {
    ctx.checkCancelled();
    const end = Math.min(runs.length, start + perPass);
    progress(start, end);
    const pass = runs.slice(start, end);
    const outputs = await session.forward(
      pass.map((e, k) => ({ ids: e.ids, dropoutSeed: dropoutSeedFor(spec, c.caseIndex, runIndex(start + k)) })),
      { causal, rates: ratesOf(summary), paddedLength: length },
      {
        lens: lensRequest(
          spec,
          session.plan.lmHeadVocab > 0,
          pass.map((e) => e.ids.length),
          start,
        ),
        heads: headsRequest(spec),
      },
    );
    for (const [k, out] of outputs.entries()) {
      const i = start + k;
      if (i === 0) {
        baseOut = out;
        base = modelRun(out, c.base);
        attentionMask = maskOf(out, causal, session);
        continue;
      }
      if (i === 1) {
        control = modelRun(out, c.base);
        continue;
      }
      ctx.checkCancelled();
      const v = c.variants[i - 2];
      const variant = modelRun(out, v.encoded);
      const result = compareVariant({
        model: summary,
        caseIndex: c.caseIndex,
        variantIndex: v.variantIndex,
        edits: 'text',
        edited: {
          stack: 'model',
          baseText: c.baseText,
          variantText: v.text,
          base: base!,
          control: control!,
          variant,
          attentionMask: attentionMask!,
        },
        others: [],
        causalMask: causal,
        crossAttention: null,
        decoderTokens: null,
        special: ctx.special,
        decode,
        nextToken: { base: base!.nextTokenLogits, variant: variant.nextTokenLogits },
      });
      // Version 4 read-outs, only where asked for (`lens:`, `heads:`).
      if (baseOut!.lens && out.lens)
        result.logitLens = logitLens('model', baseOut!.lens, out.lens, result.alignment, decode);
      if (baseOut!.heads && out.heads && spec.heads !== undefined)
        result.attentionHeads = attentionHeads(
          'model',
          spec.heads,
          session.plan.heads,
          { base: baseOut!.heads, variant: out.heads, cross: null },
          result.alignment,
          { base: c.base.ids.length, variant: v.encoded.ids.length },
          afterDropout(summary),
        );
      onResult(result);
      // The comparison is out first; the grid follows, row by row, and completes the same result object.
      await patchVariant(ctx, result, () =>
        singleStackSubject(session, c.base.ids, v.encoded.ids, { causal, rates: ratesOf(summary) }),
      );
    }
  }
}

function modelRun(out: ForwardOutput, e: EncodedText): ModelRun {
  return { ids: e.ids, tokens: e.tokens, hiddenStates: out.hiddenStates, nextTokenLogits: out.lastLogits };
}

/** The base input's effective mask, with the sliding window of the layers that have one. */
function maskOf(out: ForwardOutput, causal: boolean, session: ModelSession): EffectiveAttentionMask {
  const { slidingWindow, slidingLayers } = session.plan;
  return {
    rule: causal || session.plan.alwaysCausal ? 'causal' : 'bidirectional',
    keep: out.keep,
    sliding:
      slidingWindow === null || out.slidingKeep === null
        ? null
        : { window: slidingWindow, layers: slidingLayers, keep: out.slidingKeep },
  };
}
