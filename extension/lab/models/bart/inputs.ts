/** Input names of the BART/Marian graph and the dropout-mask input every dropout place reads. */
import type { GraphBuilder } from '../onnxGraph';

export type Stack = 'encoder' | 'decoder';

/** An attention whose heads can be patched: a stack's self-attention, or the decoder's cross-attention. */
export type PatchedAttention = Stack | 'cross';

/** Graph input names; every dropout mask is [batch, seq, width] or [batch, heads, seq, keys] (1 in eval mode). */
export const seq2seqInputs = {
  ids: (s: Stack) => (s === 'encoder' ? 'input_ids' : 'decoder_input_ids'),
  positions: (s: Stack) => `${s}_position_ids`,
  keep: (s: Stack) => `${s}_attention_keep`,
  crossKeep: 'cross_attention_keep',
  embeddings: (s: Stack) => `${s}.dropout.embeddings`,
  selfProbs: (s: Stack, i: number) => `${s}.dropout.${i}.attention_probs`,
  selfOutput: (s: Stack, i: number) => `${s}.dropout.${i}.attention_output`,
  crossProbs: (i: number) => `decoder.dropout.${i}.cross_attention_probs`,
  crossOutput: (i: number) => `decoder.dropout.${i}.cross_attention_output`,
  activation: (s: Stack, i: number) => `${s}.dropout.${i}.activation`,
  ffnOutput: (s: Stack, i: number) => `${s}.dropout.${i}.ffn_output`,
  /** Activation patching: rows entering block i of a stack ([rows·seq, H]; none in a plain run). */
  patchEntry: (s: Stack, i: number) => `patch.${s}.entry.${i}`,
  /** Heads patching: per row present at block i, the heads of that attention that take the source row's context. */
  patchHeadMask: (a: PatchedAttention, i: number) => `patch.${a}.head_mask.${i}`,
  /** The batch row whose per-head contexts of that attention the masked heads take (the variant's). */
  patchHeadSource: (a: PatchedAttention) => `patch.${a}.head_source`,
};

/** A [batch, seq, width] dropout mask input, flattened to [batch·seq, width] (a broadcast 1 in eval mode). */
export function hiddenMask(b: GraphBuilder, name: string): string {
  const input = b.input({ name, elemType: 'float', shape: ['mask_batch', 'mask_seq', 'mask_width'] });
  return b.op('Flatten', [input], { axis: 2 });
}
