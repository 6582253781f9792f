/**
 * The ONNX graph of `BertModel` as Hugging Face's eager path computes it: word + token-type embeddings,
 * then positions, LayerNorm, dropout; post-LayerNorm encoder layers (attention, dropout, add, norm;
 * gelu (erf) feed-forward, dropout, add, norm). `is_decoder` is the causal keep mask, fed at run time.
 * Dropout is a mask input at each of Hugging Face's places (see `bertDropoutSites`).
 */
import type { DropoutSite, WeightRef } from '../architecture';
import type { GraphBuilder } from '../onnxGraph';
import { attention, dense, geluErf, layerNorm, mergeHeads, splitHeads } from '../blocks/layers';
import { dropoutInputs, dropoutSites, singleStackGraph } from '../blocks/singleStack';
import type { BertDims } from './dims';

export function bertGraph(d: BertDims, weight: WeightRef): GraphBuilder {
  const g = singleStackGraph(d.hiddenSize, weight);
  const { b, ctx } = g;
  const shapes = g.shapesOf(d.numHeads, d.headSize);
  const tokenTypes = b.input({ name: 'token_type_ids', elemType: 'int64', shape: ['batch', 'seq'] });
  // Hugging Face adds word + token type first, then positions.
  const words = b.op('Gather', [ctx.weight('embeddings.word_embeddings.weight'), g.ids]);
  const types = b.op('Gather', [ctx.weight('embeddings.token_type_embeddings.weight'), tokenTypes]);
  const pos = b.op('Gather', [ctx.weight('embeddings.position_embeddings.weight'), g.positions]);
  const summed = g.flat(b.op('Add', [b.op('Add', [words, types]), pos]));
  let x = b.op('Mul', [
    layerNorm(ctx, summed, 'embeddings.LayerNorm', d.layerNormEps),
    g.hiddenMask(dropoutInputs.embeddings),
  ]);
  g.emitHidden(0, x);
  for (let i = 0; i < d.numLayers; i++) {
    x = g.enter(i, x);
    const p = `encoder.layer.${i}`;
    const q = splitHeads(b, dense(ctx, x, `${p}.attention.self.query`, 'linear'), shapes);
    const k = splitHeads(b, dense(ctx, x, `${p}.attention.self.key`, 'linear'), shapes);
    const v = splitHeads(b, dense(ctx, x, `${p}.attention.self.value`, 'linear'), shapes);
    const att = attention(b, q, k, v, g.mask, g.probsMask(dropoutInputs.attentionProbs(i)), d.headSize, 'multiply');
    g.emitAttention(i, att.probs, d.numHeads);
    const projected = b.op('Mul', [
      dense(ctx, mergeHeads(b, g.patchHeads(i, att.context), shapes), `${p}.attention.output.dense`, 'linear'),
      g.hiddenMask(dropoutInputs.attentionOutput(i)),
    ]);
    const attended = layerNorm(ctx, b.op('Add', [projected, x]), `${p}.attention.output.LayerNorm`, d.layerNormEps);
    const inner = geluErf(b, dense(ctx, attended, `${p}.intermediate.dense`, 'linear'));
    const out = b.op('Mul', [
      dense(ctx, inner, `${p}.output.dense`, 'linear'),
      g.hiddenMask(dropoutInputs.ffnOutput(i)),
    ]);
    x = layerNorm(ctx, b.op('Add', [out, attended]), `${p}.output.LayerNorm`, d.layerNormEps);
    g.emitHidden(i + 1, x);
  }
  return b;
}

/**
 * Hugging Face's dropout places in BERT: after the embeddings' LayerNorm and after the attention output
 * and the feed-forward output (`hidden_dropout_prob`), on the attention probabilities
 * (`attention_probs_dropout_prob`).
 */
export function bertDropoutSites(d: BertDims): DropoutSite[] {
  const hidden = (input: string, site: string): DropoutSite => ({
    input,
    site,
    shape: 'hidden',
    width: d.hiddenSize,
    rateKey: 'hidden_dropout_prob',
  });
  const sites = [hidden(dropoutInputs.embeddings, dropoutSites.embeddings)];
  for (let l = 0; l < d.numLayers; l++)
    sites.push(
      {
        input: dropoutInputs.attentionProbs(l),
        site: dropoutSites.attentionProbs(l),
        shape: 'probs',
        width: d.numHeads,
        rateKey: 'attention_probs_dropout_prob',
      },
      hidden(dropoutInputs.attentionOutput(l), dropoutSites.attentionOutput(l)),
      hidden(dropoutInputs.ffnOutput(l), dropoutSites.ffnOutput(l)),
    );
  return sites;
}
