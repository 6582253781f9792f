/**
 * One layer's attention maps picked in the graph (`heads_pick.<l>`, blocks/lens.ts), for sessions opened
 * without the attention outputs: on Hugging Face's tiny checkpoints they are Hugging Face's own attentions of
 * that layer (decoder self-attention and cross-attention of an encoder-decoder, encoder self-attention), for
 * every input of a batch, whatever layer is asked; and a session with nothing asked returns none.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureModel } from '../../extension/lab/models/modelCache';
import { openSession, singleStack } from '../../extension/lab/models/session';
import { withClassDefaults } from '../../extension/lab/models/registry';
import type { HfConfig } from '../../extension/lab/types';
import { maxAbsDiff, referenceFolder } from '../helpers/hfReference';
import { fixtureConfig, loadFamilyReference, type DecoderRun, type Seq2SeqRun } from '../helpers/familyReference';
import { configSpec } from '../helpers/familyModels';
import { freshDir } from '../helpers/paths';

async function openWithoutAttentions(fixture: string) {
  const config = withClassDefaults(fixtureConfig(fixture) as HfConfig);
  const built = await ensureModel(configSpec(config, { checkpoint: referenceFolder(fixture) }), freshDir());
  return openSession(built.onnxPath, built.dims, { attentions: false });
}

for (const fixture of ['gpt2', 'llama', 'bert'] as const) {
  test(`${fixture}: one layer's heads, picked from a session without attention outputs, are Hugging Face's`, async () => {
    const session = singleStack(await openWithoutAttentions(fixture));
    const runs = loadFamilyReference<DecoderRun>(fixture).runs;
    const names = Object.keys(runs).filter((n) => !runs[n].attention_mask);
    const inputs = names.map((n) => ({ ids: runs[n].input_ids[0] }));
    const causal = fixture !== 'bert';
    try {
      const none = await session.forward(inputs, { causal, rates: {} });
      assert.ok(none.every((o) => o.heads === null));
      for (let layer = 0; layer < runs[names[0]].attentions.data.length; layer++) {
        const outs = await session.forward(inputs, { causal, rates: {} }, { heads: { layer } });
        outs.forEach((out, b) => {
          const diff = maxAbsDiff(out.heads!, runs[names[b]].attentions.data[layer]);
          assert.ok(diff <= 1e-5, `${names[b]} layer ${layer}: ${diff}`);
        });
      }
    } finally {
      await session.release();
    }
  });
}

test("marian: a decoder layer's self- and cross-attention heads and an encoder layer's heads are Hugging Face's", async () => {
  const session = await openWithoutAttentions('marian');
  if (session.kind !== 'encoder-decoder') throw new Error('not an encoder-decoder');
  const runs = loadFamilyReference<Seq2SeqRun>('marian').runs;
  const names = Object.keys(runs);
  const inputs = names.map((n) => ({ encoderIds: runs[n].input_ids[0], decoderIds: runs[n].decoder_input_ids[0] }));
  try {
    for (let layer = 0; layer < 2; layer++) {
      const dec = await session.forward(inputs, { rates: {} }, { heads: { layer, stack: 'decoder' } });
      const enc = await session.forward(inputs, { rates: {} }, { heads: { layer, stack: 'encoder' } });
      const both = await session.forward(inputs, { rates: {} }, { heads: { layer } });
      names.forEach((n, b) => {
        assert.ok(maxAbsDiff(dec[b].heads!.decoder!, runs[n].decoder_attentions.data[layer]) <= 1e-5, `${n} decoder`);
        assert.ok(maxAbsDiff(dec[b].heads!.cross!, runs[n].cross_attentions.data[layer]) <= 1e-5, `${n} cross`);
        assert.equal(dec[b].heads!.encoder, null);
        assert.ok(maxAbsDiff(enc[b].heads!.encoder!, runs[n].encoder_attentions.data[layer]) <= 1e-5, `${n} encoder`);
        assert.equal(enc[b].heads!.cross, null);
        assert.deepEqual(both[b].heads, { ...dec[b].heads, encoder: enc[b].heads!.encoder });
      });
    }
  } finally {
    await session.release();
  }
});
