/**
 * What a patching grid runs on: the stack whose streams are patched and the stack whose output is measured, in
 * a model's one open session. Single-stack models patch and measure their one stack; an encoder-decoder patches
 * the stack the variant edits (the decoder for a decoder edit, the encoder for a source edit: its streams, or the heads
 * of its self-attention) and measures the decoder's last hidden state and logits at the target (a decoder position)
 * either way.
 */
import type { PatchKind, StackName } from '../../protocol/report';
import type { ForwardSettings, ModelSession } from '../models/session';
import type { Seq2SeqSession } from '../models/bart/session';
import type { PatchedAttention, Stack } from '../models/bart/inputs';

export interface PatchSubject {
  stack: StackName;
  /** Blocks of the patched stack. */
  layers: number;
  hiddenSize: number;
  /** Heads per block of the patched stack (its self-attention's, for an encoder-decoder). */
  heads: number;
  lmHeadVocab: number;
  /** Positions of the patched stack (the columns of a residual grid). */
  patchedLength: number;
  /** Positions of the measured stack (each row of `pass`'s `last` holds that many). */
  measuredLength: number;
  /**
   * Whether a cell's row enters at its block from the base's stream (`entries`); false: every row runs from block 0
   * (an encoder-decoder's cross-attention heads after a source edit), so the grid builds no entry rows.
   */
  entersRows: boolean;
  /** The patched stack's hidden_states (L+1 arrays of length × H) for the base and the variant. */
  streams(): Promise<{ base: Float32Array[]; variant: Float32Array[] }>;
  /**
   * One pass of `rows` rows (the base, the variant, then the entries block by block): the measured stack's last
   * hidden state of every row and the logits of `logitRows`.
   */
  pass(
    entries: Float32Array[],
    headMasks: (Uint8Array | null)[] | null,
    rows: number,
    logitRows: number[],
  ): Promise<{ last: Float32Array; logits: Float32Array | null }>;
}

export function singleStackSubject(
  session: ModelSession,
  base: number[],
  variant: number[],
  settings: Pick<ForwardSettings, 'causal' | 'rates'>,
): PatchSubject {
  if (variant.length !== base.length) throw new Error('internal: patching needs base and variant of one length');
  const plan = session.plan;
  const run = { causal: settings.causal, rates: settings.rates };
  const inputs = [{ ids: base }, { ids: variant }];
  return {
    stack: 'model',
    layers: plan.layers,
    hiddenSize: plan.hiddenSize,
    heads: plan.heads,
    entersRows: true,
    lmHeadVocab: plan.lmHeadVocab,
    patchedLength: base.length,
    measuredLength: base.length,
    streams: async () => {
      const [b, v] = await session.forward(inputs, run, { logits: 'none' });
      return { base: b.hiddenStates, variant: v.hiddenStates };
    },
    pass: (entries, headMasks, _rows, logitRows) =>
      session.patchedPass(inputs, run, { entries, headMasks, headSource: 1, logitRows }),
  };
}

/**
 * An encoder-decoder. A decoder edit (`text`) patches the decoder (its streams, self-attention heads or
 * cross-attention heads), every row reading the one source. A source edit (`encoder`) patches the encoder's streams
 * or self-attention heads, running the base's decoder input once per row; or the decoder's cross-attention heads
 * (`cross_heads`), where every row is a whole run of the base (its source and decoder input) and the masked heads take
 * the row of the variant's source: a cell's row cannot enter the decoder late, since its cross-attention needs the
 * base's encoder output beside the variant's.
 */
export function seq2seqSubject(
  session: Seq2SeqSession,
  input: { source: number[]; decoder: number[] },
  variant: number[],
  edits: 'text' | 'encoder',
  kind: PatchKind,
): PatchSubject {
  const d = session.dims;
  const decoderEdit = edits === 'text';
  const edited = decoderEdit ? input.decoder : input.source;
  if (variant.length !== edited.length) throw new Error('internal: patching needs base and variant of one length');
  const pair = decoderEdit
    ? [
        { encoderIds: input.source, decoderIds: input.decoder },
        { encoderIds: input.source, decoderIds: variant },
      ]
    : [
        { encoderIds: input.source, decoderIds: input.decoder },
        { encoderIds: variant, decoderIds: input.decoder },
      ];
  const stack: Stack = decoderEdit || kind === 'cross_heads' ? 'decoder' : 'encoder';
  const attention: PatchedAttention = kind === 'cross_heads' ? 'cross' : stack;
  const wholeRows = !decoderEdit && kind === 'cross_heads';
  return {
    stack,
    layers: stack === 'decoder' ? d.decoderLayers : d.encoderLayers,
    hiddenSize: d.dModel,
    heads: stack === 'decoder' ? d.decoderHeads : d.encoderHeads,
    entersRows: !wholeRows,
    lmHeadVocab: d.decoderVocabSize,
    patchedLength: stack === 'decoder' ? input.decoder.length : input.source.length,
    measuredLength: input.decoder.length,
    streams: async () => {
      const [b, v] = await session.forward(pair, { rates: {} }, { logits: 'none' });
      return stack === 'decoder'
        ? { base: b.decoderHiddenStates, variant: v.decoderHiddenStates }
        : { base: b.encoderHiddenStates, variant: v.encoderHiddenStates };
    },
    pass: async (entries, headMasks, rows, logitRows) => {
      // Masked heads take the variant's context: row 1 (the variant, the pass's second plain input).
      const heads = headMasks ? { attention, masks: headMasks, source: 1 } : undefined;
      if (wholeRows) {
        // Every row from block 0: rows the grid enters at block l are the base's own run up to l, so each block's
        // mask covers all rows (those entering later patch nothing there).
        const padded = headMasks?.map((m) => (m ? grown(m, rows * d.decoderHeads) : null)) ?? [];
        return session.patchedPass({
          encoderIds: Array.from({ length: rows }, (_, r) => (r === 1 ? variant : input.source)),
          decoderIds: Array.from({ length: rows }, () => input.decoder),
          entries: { encoder: [], decoder: [] },
          heads: { attention, masks: padded, source: 1 },
          logitRows,
        });
      }
      return session.patchedPass(
        decoderEdit
          ? {
              encoderIds: [input.source],
              decoderIds: [input.decoder, variant],
              entries: { encoder: [], decoder: entries },
              heads,
              logitRows,
            }
          : {
              encoderIds: [input.source, variant],
              decoderIds: Array.from({ length: rows }, () => input.decoder),
              entries: { encoder: entries, decoder: [] },
              heads,
              logitRows,
            },
      );
    },
  };
}

/** A copy of `mask` with zeros after it up to `length`. */
function grown(mask: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  out.set(mask);
  return out;
}
