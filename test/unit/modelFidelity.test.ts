/**
 * Fidelity: the engine's graphs over Hugging Face's own checkpoints compute what Hugging Face computes
 * (every hidden state within 1e-4 — we check 1e-5 — and every attention map within 1e-5), for every
 * fixture model and every run in its reference.json.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureModel } from '../../extension/lab/models/modelCache';
import { ModelSession } from '../../extension/lab/models/session';
import { freshDir } from '../helpers/paths';
import { loadReference, maxAbsDiff, REFERENCE_MODELS, referenceSpec } from '../helpers/hfReference';

const cacheDir = freshDir();

for (const model of REFERENCE_MODELS) {
  test(`${model}: every hidden state, attention map and logit matches Hugging Face`, { timeout: 60_000 }, async () => {
    const spec = referenceSpec(model);
    const built = await ensureModel(spec, cacheDir);
    const session = await ModelSession.open(built.onnxPath, built.dims);
    const reference = loadReference(model);
    const causal = spec.config.is_decoder === true;
    try {
      for (const [runName, run] of Object.entries(reference.runs)) {
        const [out] = await session.forward(
          [{ ids: run.input_ids[0], attentionMask: run.attention_mask?.[0] }],
          { causal, rates: { hidden: 0, attention: 0, embedding: 0 } },
          { attentions: true, logits: 'all' },
        );
        assert.equal(out.hiddenStates.length, run.hidden_states.data.length, `${runName}: number of hidden states`);
        run.hidden_states.data.forEach((expected, layer) => {
          const diff = maxAbsDiff(out.hiddenStates[layer], expected);
          assert.ok(diff <= 1e-5, `${model}/${runName}: hidden_states.${layer} differs by ${diff}`);
        });
        assert.equal(out.attentions.length, run.attentions.data.length);
        run.attentions.data.forEach((expected, layer) => {
          const diff = maxAbsDiff(out.attentions[layer], expected);
          assert.ok(diff <= 1e-5, `${model}/${runName}: attentions.${layer} differs by ${diff}`);
        });
        if (run.logits) {
          assert.ok(out.logits, 'GPT-2 returns logits');
          const diff = maxAbsDiff(out.logits, run.logits.data);
          assert.ok(diff <= 1e-4, `${model}/${runName}: logits differ by ${diff}`);
        }
      }
    } finally {
      await session.release();
    }
  });
}
