/**
 * One encoder layer and one decoder layer of BART/Marian, post-LayerNorm as Hugging Face's
 * `BartEncoderLayer` / `BartDecoderLayer` compute them, with dropout (a mask input) at each of their places:
 * on the attention probabilities, after each attention's `out_proj`, after the activation, after `fc2`.
 */
import {
  attention,
  dense,
  layerNorm,
  mergeHeads,
  splitHeads,
  type AttentionShapes,
  type GraphContext,
} from '../blocks/layers';
import { activation } from '../blocks/activations';
import type { Seq2SeqDims } from './dims';
import { hiddenMask, seq2seqInputs, type Stack } from './inputs';

export interface StackContext {
  ctx: GraphContext;
  d: Seq2SeqDims;
  stack: Stack;
  /** Heads of this stack's own inputs. */
  shapes: AttentionShapes;
  /** Additive self-attention mask (padding; the decoder's also causal). */
  mask: string;
  /** Block i's self-attention context [B, heads, T, d] with the heads patching masks put in (graph.ts). */
  patchHeads(i: number, context: string): string;
}

interface AttentionPlaces {
  prefix: string;
  keysFrom: string;
  keyShapes: AttentionShapes;
  mask: string;
  probsMask: string;
  outputMask: string;
  /** What becomes of the per-head context before the heads merge (self-attention: heads patching). */
  patchHeads?: (context: string) => string;
}

/** q from x, k and v from `keysFrom` (x itself, or the encoder's output), output projection, dropout. */
function attend(sc: StackContext, x: string, at: AttentionPlaces): { out: string; probs: string } {
  const { ctx } = sc;
  const b = ctx.b;
  const q = splitHeads(b, dense(ctx, x, `${at.prefix}.q_proj`, 'linear'), sc.shapes);
  const k = splitHeads(b, dense(ctx, at.keysFrom, `${at.prefix}.k_proj`, 'linear'), at.keyShapes);
  const v = splitHeads(b, dense(ctx, at.keysFrom, `${at.prefix}.v_proj`, 'linear'), at.keyShapes);
  const probsDropout = b.input({
    name: at.probsMask,
    elemType: 'float',
    shape: ['mask_batch', 'mask_heads', 'mask_seq', 'mask_keys'],
  });
  const att = attention(b, q, k, v, at.mask, probsDropout, sc.shapes.headSize, 'multiply');
  const context = at.patchHeads ? at.patchHeads(att.context) : att.context;
  const projected = dense(ctx, mergeHeads(b, context, sc.shapes), `${at.prefix}.out_proj`, 'linear');
  return { out: b.op('Mul', [projected, hiddenMask(b, at.outputMask)]), probs: att.probs };
}

/** residual + dropout(fc2(dropout(act(fc1(x))))), then the final LayerNorm. */
function feedForward(sc: StackContext, i: number, x: string, prefix: string): string {
  const { ctx, d, stack } = sc;
  const b = ctx.b;
  const inner = b.op('Mul', [
    activation(b, d.activation, dense(ctx, x, `${prefix}.fc1`, 'linear')),
    hiddenMask(b, seq2seqInputs.activation(stack, i)),
  ]);
  const out = b.op('Mul', [
    dense(ctx, inner, `${prefix}.fc2`, 'linear'),
    hiddenMask(b, seq2seqInputs.ffnOutput(stack, i)),
  ]);
  return layerNorm(ctx, b.op('Add', [x, out]), `${prefix}.final_layer_norm`, d.layerNormEps);
}

export function encoderLayer(sc: StackContext, i: number, x: string): { out: string; probs: string } {
  const prefix = `model.encoder.layers.${i}`;
  const self = attend(sc, x, {
    prefix: `${prefix}.self_attn`,
    keysFrom: x,
    keyShapes: sc.shapes,
    mask: sc.mask,
    probsMask: seq2seqInputs.selfProbs('encoder', i),
    outputMask: seq2seqInputs.selfOutput('encoder', i),
    patchHeads: (context) => sc.patchHeads(i, context),
  });
  const b = sc.ctx.b;
  const h = layerNorm(sc.ctx, b.op('Add', [x, self.out]), `${prefix}.self_attn_layer_norm`, sc.d.layerNormEps);
  return { out: feedForward(sc, i, h, prefix), probs: self.probs };
}

export interface CrossSource {
  /** The encoder's last hidden state [B·S, H]. */
  encoderOut: string;
  /** Splits the encoder's output into the decoder's heads. */
  encoderShapes: AttentionShapes;
  /** Additive mask [B, 1, T, S]: the source's padding. */
  crossMask: string;
  /** Block i's cross-attention context [B, heads, T, d] with the heads patching masks put in (graph.ts). */
  patchHeads(i: number, context: string): string;
}

export function decoderLayer(
  sc: StackContext,
  i: number,
  y: string,
  cross: CrossSource,
): { out: string; probs: string; crossProbs: string } {
  const prefix = `model.decoder.layers.${i}`;
  const b = sc.ctx.b;
  const eps = sc.d.layerNormEps;
  const self = attend(sc, y, {
    prefix: `${prefix}.self_attn`,
    keysFrom: y,
    keyShapes: sc.shapes,
    mask: sc.mask,
    probsMask: seq2seqInputs.selfProbs('decoder', i),
    outputMask: seq2seqInputs.selfOutput('decoder', i),
    patchHeads: (context) => sc.patchHeads(i, context),
  });
  const h = layerNorm(sc.ctx, b.op('Add', [y, self.out]), `${prefix}.self_attn_layer_norm`, eps);
  const crossed = attend(sc, h, {
    prefix: `${prefix}.encoder_attn`,
    keysFrom: cross.encoderOut,
    keyShapes: cross.encoderShapes,
    mask: cross.crossMask,
    probsMask: seq2seqInputs.crossProbs(i),
    outputMask: seq2seqInputs.crossOutput(i),
    patchHeads: (context) => cross.patchHeads(i, context),
  });
  const g = layerNorm(sc.ctx, b.op('Add', [h, crossed.out]), `${prefix}.encoder_attn_layer_norm`, eps);
  return { out: feedForward(sc, i, g, prefix), probs: self.probs, crossProbs: crossed.probs };
}
