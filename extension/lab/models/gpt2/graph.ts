/**
 * The ONNX graph of `GPT2LMHeadModel` as Hugging Face's eager path computes it: `wte + wpe`, dropout;
 * pre-LayerNorm blocks (ln_1, attention scaled by 1/√d, c_proj, dropout, add; ln_2, gelu_new (tanh)
 * feed-forward, dropout, add); `ln_f`; the LM head tied to `wte`, on the rows asked for. No past/present
 * key-values: every run is a whole forward pass (nothing here generates), so there is no cache to feed.
 */
import type { DropoutSite, WeightRef } from '../architecture';
import type { GraphBuilder } from '../onnxGraph';
import { attention, dense, geluTanh, layerNorm, mergeHeads, splitHeads } from '../blocks/layers';
import { dropoutInputs, dropoutSites, singleStackGraph } from '../blocks/singleStack';
import type { Gpt2Dims } from './dims';

export function gpt2Graph(d: Gpt2Dims, weight: WeightRef): GraphBuilder {
  const g = singleStackGraph(d.hiddenSize, weight);
  const { b, ctx } = g;
  const H = d.hiddenSize;
  const shapes = g.shapesOf(d.numHeads, d.headSize);
  const words = b.op('Gather', [ctx.weight('transformer.wte.weight'), g.ids]);
  const pos = b.op('Gather', [ctx.weight('transformer.wpe.weight'), g.positions]);
  let x = b.op('Mul', [g.flat(b.op('Add', [words, pos])), g.hiddenMask(dropoutInputs.embeddings)]);
  for (let i = 0; i < d.numLayers; i++) {
    g.emitHidden(i, x);
    x = g.enter(i, x);
    const p = `transformer.h.${i}`;
    const qkv = dense(ctx, layerNorm(ctx, x, `${p}.ln_1`, d.layerNormEps), `${p}.attn.c_attn`, 'conv1d');
    const [q, k, v] = b
      .opMulti('Split', [qkv, b.int64s([H, H, H])], 3, { axis: 1 }, 'qkv')
      .map((t) => splitHeads(b, t, shapes));
    const att = attention(b, q, k, v, g.mask, g.probsMask(dropoutInputs.attentionProbs(i)), d.headSize, 'divide');
    g.emitAttention(i, att.probs, d.numHeads);
    const projected = b.op('Mul', [
      dense(ctx, mergeHeads(b, g.patchHeads(i, att.context), shapes), `${p}.attn.c_proj`, 'conv1d'),
      g.hiddenMask(dropoutInputs.attentionOutput(i)),
    ]);
    x = b.op('Add', [projected, x]);
    const inner = geluTanh(b, dense(ctx, layerNorm(ctx, x, `${p}.ln_2`, d.layerNormEps), `${p}.mlp.c_fc`, 'conv1d'));
    const mlp = b.op('Mul', [dense(ctx, inner, `${p}.mlp.c_proj`, 'conv1d'), g.hiddenMask(dropoutInputs.ffnOutput(i))]);
    x = b.op('Add', [x, mlp]);
  }
  const final = layerNorm(ctx, x, 'transformer.ln_f', d.layerNormEps);
  g.emitHidden(d.numLayers, final);
  const wte = ctx.weight('transformer.wte.weight');
  g.emitLogits(final, wte, d.vocabSize);
  // The lens: ln_f then the tied head on each earlier stream; the last stream is already after ln_f.
  g.emitLens(d.vocabSize, (x, l) =>
    b.op('Gemm', [l < d.numLayers ? layerNorm(ctx, x, 'transformer.ln_f', d.layerNormEps) : x, wte], { transB: 1 }),
  );
  return b;
}

/**
 * Hugging Face's dropout places in GPT-2: after `wte + wpe` (`embd_pdrop`), on the attention
 * probabilities (`attn_pdrop`), after the attention's and the MLP's `c_proj` (`resid_pdrop`).
 */
export function gpt2DropoutSites(d: Gpt2Dims): DropoutSite[] {
  const residual = (input: string, site: string): DropoutSite => ({
    input,
    site,
    shape: 'hidden',
    width: d.hiddenSize,
    rateKey: 'resid_pdrop',
  });
  const sites: DropoutSite[] = [
    {
      input: dropoutInputs.embeddings,
      site: dropoutSites.embeddings,
      shape: 'hidden',
      width: d.hiddenSize,
      rateKey: 'embd_pdrop',
    },
  ];
  for (let l = 0; l < d.numLayers; l++)
    sites.push(
      {
        input: dropoutInputs.attentionProbs(l),
        site: dropoutSites.attentionProbs(l),
        shape: 'probs',
        width: d.numHeads,
        rateKey: 'attn_pdrop',
      },
      residual(dropoutInputs.attentionOutput(l), dropoutSites.attentionOutput(l)),
      residual(dropoutInputs.ffnOutput(l), dropoutSites.ffnOutput(l)),
    );
  return sites;
}
