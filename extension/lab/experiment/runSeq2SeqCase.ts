/**
 * One case of one encoder-decoder, pass by pass: the runs are the base (its source and decoder input), the
 * control (the base again) and the variants — a decoder variant with the base's source, an encoder variant
 * with the base's decoder input — batched as `runCase` batches them (dropout masks from (seed, case, run
 * index), every pass padded to the case's longest source and decoder input). Each comparison describes the
 * stack whose input the variant edits and compares the other stack beside it, with the cross-attention of
 * base and variant (per layer, the mean over heads).
 */
import type { EffectiveAttentionMask, VariantResult } from '../../protocol/report';
import type { EncodedText } from '../tokenizers';
import { compareVariant } from '../compare';
import { patchVariant } from './patchCase';
import { seq2seqSubject } from '../patching/subjects';
import type { ModelRun, StackRuns } from '../compare/types';
import type { Seq2SeqOutput, Seq2SeqSession } from '../models/bart/session';
import type { TokenizedCase, TokenizedVariant } from './caseInputs';
import { dropoutSeedFor } from './dropoutSeeds';
import { passProgress, type CaseContext } from './runCase';
import { decoderOf } from './decodeToken';
import { ratesOf } from './summary';
import { afterDropout, headsRequest, lensRequest } from './readOutsWanted';
import { attentionHeads, logitLens } from '../compare/headsAndLens';

interface Seq2SeqRunInput {
  source: EncodedText;
  decoder: EncodedText;
}

export async function runSeq2SeqCase(
  ctx: CaseContext<Seq2SeqSession>,
  onResult: (r: VariantResult) => void,
): Promise<void> {
  const { session, spec, summary, c } = ctx;
  const source = c.source!.encoded;
  const base: Seq2SeqRunInput = { source, decoder: c.base };
  const inputOf = (v: TokenizedVariant): Seq2SeqRunInput =>
    v.edits === 'encoder' ? { source: v.encoded, decoder: c.base } : { source, decoder: v.encoded };
  const runs = [base, base, ...c.variants.map(inputOf)];
  const runIndex = (i: number) => (i < 2 ? i : 2 + c.variants[i - 2].variantIndex);
  const paddedLength = {
    encoder: runs.reduce((n, r) => Math.max(n, r.source.ids.length), 0),
    decoder: runs.reduce((n, r) => Math.max(n, r.decoder.ids.length), 0),
  };
  const perPass = c.passes.inputsPerPass;
  const progress = passProgress(ctx, runs.length);
  const decode = decoderOf(ctx.tokenizer);
  let baseOut: Seq2SeqOutput | undefined;
  let controlOut: Seq2SeqOutput | undefined;
  for (let start = 0; start < runs.length; start += perPass) {
    ctx.checkCancelled();
    const end = Math.min(runs.length, start + perPass);
    progress(start, end);
    const pass = runs.slice(start, end);
    const outputs = await session.forward(
      pass.map((r, k) => ({
        encoderIds: r.source.ids,
        decoderIds: r.decoder.ids,
        dropoutSeed: dropoutSeedFor(spec, c.caseIndex, runIndex(start + k)),
      })),
      { rates: ratesOf(summary), paddedLength },
      {
        crossAttentions: true,
        lens: lensRequest(
          spec,
          true,
          pass.map((r) => r.decoder.ids.length),
          start,
        ),
        heads: headsRequest(spec),
      },
    );
    for (const [k, out] of outputs.entries()) {
      const i = start + k;
      if (i === 0) baseOut = out;
      else if (i === 1) controlOut = out;
      else {
        ctx.checkCancelled();
        const v = c.variants[i - 2];
        const result = compareOne(ctx, v, runs[i], base, baseOut!, controlOut!, out, decode);
        onResult(result);
        // Patching (`patch:`) the stack the variant edits (or the decoder's cross-attention), measured at the decoder.
        await patchVariant(ctx, result, (kind) =>
          seq2seqSubject(
            session,
            { source: source.ids, decoder: c.base.ids },
            v.edits === 'encoder' ? runs[i].source.ids : runs[i].decoder.ids,
            v.edits,
            kind,
          ),
        );
      }
    }
  }
}

function compareOne(
  ctx: CaseContext<Seq2SeqSession>,
  v: TokenizedVariant,
  input: Seq2SeqRunInput,
  base: Seq2SeqRunInput,
  baseOut: Seq2SeqOutput,
  controlOut: Seq2SeqOutput,
  variantOut: Seq2SeqOutput,
  decode: (id: number) => string,
): VariantResult {
  const { c, summary } = ctx;
  const source = c.source!;
  const stack = (which: 'encoder' | 'decoder'): StackRuns => {
    const encoder = which === 'encoder';
    const baseInput = encoder ? base.source : base.decoder;
    const variantInput = encoder ? input.source : input.decoder;
    const run = (out: Seq2SeqOutput, e: EncodedText): ModelRun => ({
      ids: e.ids,
      tokens: e.tokens,
      hiddenStates: encoder ? out.encoderHiddenStates : out.decoderHiddenStates,
      nextTokenLogits: null,
    });
    const mask: EffectiveAttentionMask = encoder
      ? { rule: 'bidirectional', keep: baseOut.encoderKeep, sliding: null }
      : { rule: 'causal', keep: baseOut.decoderKeep, sliding: null };
    return {
      stack: which,
      baseText: encoder ? source.text : c.baseText,
      variantText: encoder ? (v.edits === 'encoder' ? v.text : source.text) : v.edits === 'text' ? v.text : c.baseText,
      base: run(baseOut, baseInput),
      control: run(controlOut, baseInput),
      variant: run(variantOut, variantInput),
      attentionMask: mask,
    };
  };
  const edited = v.edits === 'encoder' ? 'encoder' : 'decoder';
  const other = edited === 'encoder' ? 'decoder' : 'encoder';
  const result = compareVariant({
    model: summary,
    caseIndex: c.caseIndex,
    variantIndex: v.variantIndex,
    edits: v.edits,
    edited: stack(edited),
    others: [stack(other)],
    causalMask: edited === 'decoder',
    crossAttention: {
      base: meanOverHeads(baseOut.crossAttentions, summary.numHeads, base.decoder.ids.length, base.source.ids.length),
      variant: meanOverHeads(
        variantOut.crossAttentions,
        summary.numHeads,
        input.decoder.ids.length,
        input.source.ids.length,
      ),
      keep: baseOut.crossKeep,
    },
    decoderTokens: c.base.tokens,
    special: ctx.special,
    decode,
    nextToken: { base: baseOut.lastLogits, variant: variantOut.lastLogits },
  });
  // Version 4 read-outs, only where asked for: the lens reads the decoder (the alignment of the decoder
  // inputs, the identity for an encoder edit), the heads the edited stack.
  if (baseOut.lens && variantOut.lens) {
    const alignment = edited === 'decoder' ? result.alignment : result.otherStacks[0].alignment;
    result.logitLens = logitLens('decoder', baseOut.lens, variantOut.lens, alignment, decode);
  }
  const layer = ctx.spec.heads;
  if (baseOut.heads && variantOut.heads && layer !== undefined) {
    const maps = (h: NonNullable<Seq2SeqOutput['heads']>) => (edited === 'encoder' ? h.encoder! : h.decoder!);
    const sides = edited === 'encoder' ? [base.source, input.source] : [base.decoder, input.decoder];
    result.attentionHeads = attentionHeads(
      edited,
      layer,
      summary.stacks.find((s) => s.name === edited)!.numHeads,
      {
        base: maps(baseOut.heads),
        variant: maps(variantOut.heads),
        cross:
          edited === 'decoder'
            ? {
                base: baseOut.heads.cross!,
                variant: variantOut.heads.cross!,
                baseSource: base.source.ids.length,
                variantSource: input.source.ids.length,
              }
            : null,
      },
      result.alignment,
      { base: sides[0].ids.length, variant: sides[1].ids.length },
      afterDropout(summary),
    );
  }
  return result;
}

/** Per layer, the mean over heads of a [heads, T, S] map: [T][S]. */
export function meanOverHeads(layers: Float32Array[], heads: number, T: number, S: number): number[][][] {
  return layers.map((data) =>
    Array.from({ length: T }, (_, i) =>
      Array.from({ length: S }, (_, j) => {
        let sum = 0;
        for (let h = 0; h < heads; h++) sum += data[(h * T + i) * S + j];
        return sum / heads;
      }),
    ),
  );
}

export type { TokenizedCase };
