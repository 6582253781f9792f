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
import type { ModelSummary, VariantResult } from '../../protocol/report';
import type { ModelSpec, SourceRange } from '../types';
import type { EncodedText, LabTokenizer } from '../tokenizers';
import { compareVariant } from '../compare';
import type { ModelRun } from '../compare/types';
import type { ForwardOutput, ModelSession } from '../models/session';
import type { PassPlan } from '../resources';
import { dropoutSeedFor } from './dropoutSeeds';
import { ratesOf } from './summary';
import type { ExperimentProgress } from './runExperiment';

export interface TokenizedCase {
  caseIndex: number;
  base: EncodedText;
  baseText: string;
  baseRange: SourceRange;
  variants: { variantIndex: number; text: string; encoded: EncodedText }[];
  passes: PassPlan;
}

export interface CaseContext {
  session: ModelSession;
  spec: ModelSpec;
  summary: ModelSummary;
  tokenizer: LabTokenizer;
  c: TokenizedCase;
  checkCancelled: () => void;
  progress: (stage: ExperimentProgress['stage'], message: string) => void;
}

/** Progress of a case that takes several passes is reported at most this often. */
const PROGRESS_EVERY_MS = 1000;

export async function runCase(ctx: CaseContext, onResult: (r: VariantResult) => void): Promise<void> {
  const { session, spec, summary, tokenizer, c } = ctx;
  const causal = summary.attention === 'causal';
  const runs = [c.base, c.base, ...c.variants.map((v) => v.encoded)];
  const runIndex = (i: number) => (i < 2 ? i : 2 + c.variants[i - 2].variantIndex);
  const length = runs.reduce((n, e) => Math.max(n, e.ids.length), 0);
  const perPass = c.passes.inputsPerPass;
  const decode = (id: number) => (id < tokenizer.vocabSize ? tokenizer.decode([id]) : `<id ${id}>`);
  let base: ModelRun | undefined;
  let control: ModelRun | undefined;
  let attentionKeep: number[][] = [];
  let reported = 0;
  for (let start = 0; start < runs.length; start += perPass) {
    ctx.checkCancelled();
    const end = Math.min(runs.length, start + perPass);
    if (start === 0 || end === runs.length || Date.now() - reported >= PROGRESS_EVERY_MS) {
      reported = Date.now();
      ctx.progress(
        'running',
        c.passes.passes === 1
          ? `running case ${c.caseIndex + 1} (${runs.length} inputs in one batch)`
          : `running case ${c.caseIndex + 1}: inputs ${start + 1}–${end} of ${runs.length} (${perPass} per pass)`,
      );
    }
    const outputs = await session.forward(
      runs
        .slice(start, end)
        .map((e, k) => ({ ids: e.ids, dropoutSeed: dropoutSeedFor(spec, c.caseIndex, runIndex(start + k)) })),
      { causal, rates: ratesOf(summary), paddedLength: length },
    );
    for (const [k, out] of outputs.entries()) {
      const i = start + k;
      if (i === 0) {
        base = modelRun(out, c.base);
        attentionKeep = out.keep;
        continue;
      }
      if (i === 1) {
        control = modelRun(out, c.base);
        continue;
      }
      ctx.checkCancelled();
      const v = c.variants[i - 2];
      onResult(
        compareVariant({
          model: summary,
          caseIndex: c.caseIndex,
          variantIndex: v.variantIndex,
          baseText: c.baseText,
          variantText: v.text,
          base: base!,
          control: control!,
          variant: modelRun(out, v.encoded),
          attentionKeep,
          causalMask: causal,
          // A model's vocabulary can be larger than its tokenizer's (padded embeddings): name such ids by number.
          decode,
        }),
      );
    }
  }
}

function modelRun(out: ForwardOutput, e: EncodedText): ModelRun {
  return { ids: e.ids, tokens: e.tokens, hiddenStates: out.hiddenStates, nextTokenLogits: out.lastLogits };
}
