/**
 * Fidelity of the Llama family: the graph over Hugging Face's own checkpoints (`llama`: untied head,
 * 4 heads / 2 key-value heads; `qwen2`: q/k/v biases, tied head, rope_theta 1e6) computes what Hugging
 * Face computes for every run of reference.json, the left-padded one included (position ids not shifted):
 * every hidden state and attention within 1e-5, logits within 1e-4. Built and run the way the engine
 * engine does: built through the model cache, opened by path by the single-stack session.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { moduleOf } from '../../extension/lab/models/registry';
import { maxAbsDiff, referenceFolder } from '../helpers/hfReference';
import { DECODER_FIXTURES, loadFamilyReference, type DecoderRun } from '../helpers/familyReference';
import { llamaConfig, openDecoder } from '../helpers/familyModels';

for (const model of DECODER_FIXTURES) {
  test(`${model}: every hidden state, attention and logit of every run matches Hugging Face`, async (t) => {
    const config = llamaConfig(model);
    assert.deepEqual(moduleOf(config.model_type).crossKeyProblems(config), []);
    const { session } = await openDecoder(config, { checkpoint: referenceFolder(model) });
    const reference = loadFamilyReference<DecoderRun>(model);
    const worst = { hidden: 0, attention: 0, logits: 0 };
    try {
      for (const [runName, run] of Object.entries(reference.runs)) {
        const [out] = await session.forward([{ ids: run.input_ids[0], attentionMask: run.attention_mask?.[0] }], {
          attentions: true,
          logits: 'all',
        });
        assert.equal(out.hiddenStates.length, run.hidden_states.data.length, `${runName}: number of hidden states`);
        run.hidden_states.data.forEach((expected, layer) => {
          const diff = maxAbsDiff(out.hiddenStates[layer], expected);
          worst.hidden = Math.max(worst.hidden, diff);
          assert.ok(diff <= 1e-5, `${model}/${runName}: hidden_states.${layer} differs by ${diff}`);
        });
        assert.equal(out.attentions.length, run.attentions.data.length);
        run.attentions.data.forEach((expected, layer) => {
          const diff = maxAbsDiff(out.attentions[layer], expected);
          worst.attention = Math.max(worst.attention, diff);
          assert.ok(diff <= 1e-5, `${model}/${runName}: attentions.${layer} differs by ${diff}`);
        });
        const diff = maxAbsDiff(out.logits!, run.logits.data);
        worst.logits = Math.max(worst.logits, diff);
        assert.ok(diff <= 1e-4, `${model}/${runName}: logits differ by ${diff}`);
      }
    } finally {
      await session.release();
    }
    t.diagnostic(
      `${model}: largest difference vs Hugging Face: hidden ${worst.hidden.toExponential(2)}, attention ${worst.attention.toExponential(2)}, logits ${worst.logits.toExponential(2)}`,
    );
  });
}
