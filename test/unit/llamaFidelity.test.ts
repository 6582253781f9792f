/**
 * Fidelity of the Llama family: the graph over Hugging Face's own checkpoints (`llama`: untied head,
 * 4 heads / 2 key-value heads; `qwen2`: q/k/v biases, tied head, rope_theta 1e6) computes what Hugging
 * Face computes for every run of reference.json, the left-padded one included (position ids not shifted):
 * every hidden state and attention within 1e-5, logits within 1e-4. Built and run the way the engine
 * will: folder written by buildFamilyModel, opened by path by DecoderSession.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { buildFamilyModel } from '../../extension/lab/models/familyBuild';
import { withDefaults } from '../../extension/lab/models/familyKeys';
import { DecoderSession, llamaFamily, type LlamaType } from '../../extension/lab/models/llama';
import { freshDir } from '../helpers/paths';
import { maxAbsDiff, referenceFolder } from '../helpers/hfReference';
import { DECODER_FIXTURES, fixtureConfig, loadFamilyReference, type DecoderRun } from '../helpers/familyReference';

const cacheDir = freshDir();

for (const model of DECODER_FIXTURES) {
  test(`${model}: every hidden state, attention and logit of every run matches Hugging Face`, async (t) => {
    const raw = fixtureConfig(model);
    const config = withDefaults(raw, llamaFamily.defaults[raw.model_type as LlamaType]);
    assert.deepEqual(llamaFamily.crossKeyProblems(config), []);
    const dims = llamaFamily.dims(config);
    const built = await buildFamilyModel(
      llamaFamily,
      dims,
      { checkpoint: referenceFolder(model) },
      join(cacheDir, model),
    );
    const session = await DecoderSession.open(built.onnxPath, dims);
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
