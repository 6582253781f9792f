/**
 * Fidelity of the encoder-decoders: the graph over Hugging Face's own checkpoints (`bart`: learned
 * positions with offset 2, layernorm_embedding, nonzero final_logits_bias, GELU; `marian`: sinusoidal
 * positions not stored, scaled embeddings, SiLU, shared embeddings) computes what Hugging Face computes for
 * every run of reference.json: every encoder and decoder hidden state, self-attention and cross-attention
 * within 1e-5, logits within 1e-4. Built through the model cache, run by Seq2SeqSession.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { moduleOf } from '../../extension/lab/models/registry';
import { maxAbsDiff, referenceFolder } from '../helpers/hfReference';
import { loadFamilyReference, SEQ2SEQ_FIXTURES, type Seq2SeqRun } from '../helpers/familyReference';
import { openSeq2Seq, seq2seqConfig } from '../helpers/familyModels';

for (const model of SEQ2SEQ_FIXTURES) {
  test(`${model}: every encoder/decoder state, attention, cross-attention and logit matches Hugging Face`, async (t) => {
    const config = seq2seqConfig(model);
    assert.deepEqual(moduleOf(config.model_type).crossKeyProblems(config), []);
    const { session } = await openSeq2Seq(config, { checkpoint: referenceFolder(model) });
    const reference = loadFamilyReference<Seq2SeqRun>(model);
    const worst = { hidden: 0, attention: 0, cross: 0, logits: 0 };
    const check = (
      kind: keyof typeof worst,
      what: string,
      actual: ArrayLike<number>,
      expected: number[],
      tol: number,
    ) => {
      const diff = maxAbsDiff(actual, expected);
      worst[kind] = Math.max(worst[kind], diff);
      assert.ok(diff <= tol, `${model}/${what} differs by ${diff}`);
    };
    try {
      for (const [runName, run] of Object.entries(reference.runs)) {
        const [out] = await session.forward([{ encoderIds: run.input_ids[0], decoderIds: run.decoder_input_ids[0] }], {
          attentions: true,
          logits: 'all',
        });
        const pairs: [string, keyof typeof worst, Float32Array[], number[][]][] = [
          ['encoder_hidden_states', 'hidden', out.encoderHiddenStates, run.encoder_hidden_states.data],
          ['decoder_hidden_states', 'hidden', out.decoderHiddenStates, run.decoder_hidden_states.data],
          ['encoder_attentions', 'attention', out.encoderAttentions, run.encoder_attentions.data],
          ['decoder_attentions', 'attention', out.decoderAttentions, run.decoder_attentions.data],
          ['cross_attentions', 'cross', out.crossAttentions, run.cross_attentions.data],
        ];
        for (const [name, kind, actual, expected] of pairs) {
          assert.equal(actual.length, expected.length, `${runName}: number of ${name}`);
          expected.forEach((e, layer) => check(kind, `${runName}/${name}.${layer}`, actual[layer], e, 1e-5));
        }
        check('logits', `${runName}/logits`, out.logits!, run.logits.data, 1e-4);
      }
    } finally {
      await session.release();
    }
    t.diagnostic(
      `${model}: largest difference vs Hugging Face: hidden ${worst.hidden.toExponential(2)}, attention ${worst.attention.toExponential(2)}, cross-attention ${worst.cross.toExponential(2)}, logits ${worst.logits.toExponential(2)}`,
    );
  });
}
