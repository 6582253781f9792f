/**
 * Checkpoints as they come in the wild: base-model files without the `model.` prefix (facebook/bart-base is
 * a `BartModel`), tied matrices stored under their other names or twice, BART's `final_logits_bias` absent
 * (zeros, as Hugging Face starts it), Marian's stored sinusoids and old `rotary_emb.inv_freq` buffers
 * ignored, a missing untied `lm_head` refused; plus Marian with separate encoder and decoder embeddings.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  planSafetensors,
  readSafetensorsHeader,
  readTensorAsFloat32,
  writeSafetensors,
} from '../../extension/lab/models/safetensors';
import { CheckpointError } from '../../extension/lab/models/weightSource';
import { freshDir } from '../helpers/paths';
import { maxAbsDiff, referenceFolder } from '../helpers/hfReference';
import { loadFamilyReference, type DecoderRun, type Seq2SeqRun } from '../helpers/familyReference';
import { llamaConfig, openDecoder, openSeq2Seq, seq2seqConfig } from '../helpers/familyModels';

interface Tensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

function fixtureTensors(model: string): Tensor[] {
  const file = join(referenceFolder(model), 'model.safetensors');
  return [...readSafetensorsHeader(file).tensors.values()].map((e) => ({
    name: e.name,
    shape: e.shape,
    data: readTensorAsFloat32(file, e),
  }));
}

function writeCheckpoint(tensors: Tensor[]): string {
  const dir = freshDir();
  writeSafetensors(join(dir, 'model.safetensors'), tensors, planSafetensors(tensors, { format: 'pt' }), (t) => t.data);
  return dir;
}

test('bart as a BartModel checkpoint (no `model.` prefix, embed_tokens stored too, no final_logits_bias) computes the same states', async () => {
  const tensors = fixtureTensors('bart');
  const shared = tensors.find((t) => t.name === 'model.shared.weight')!;
  const bias = tensors.find((t) => t.name === 'final_logits_bias')!.data;
  const renamed = tensors
    .filter((t) => t.name !== 'final_logits_bias')
    .map((t) => ({ ...t, name: t.name.replace(/^model\./, '') }));
  renamed.push({ ...shared, name: 'encoder.embed_tokens.weight' }, { ...shared, name: 'decoder.embed_tokens.weight' });
  const { session } = await openSeq2Seq(seq2seqConfig('bart'), { checkpoint: writeCheckpoint(renamed) });
  const run = loadFamilyReference<Seq2SeqRun>('bart').runs.base;
  const [out] = await session.forward([{ encoderIds: run.input_ids[0], decoderIds: run.decoder_input_ids[0] }], {
    logits: 'all',
  });
  await session.release();
  run.decoder_hidden_states.data.forEach((e, l) => assert.ok(maxAbsDiff(out.decoderHiddenStates[l], e) <= 1e-5));
  // Without the stored bias the logits are Hugging Face's minus final_logits_bias.
  const V = bias.length;
  const unbiased = run.logits.data.map((x, i) => x - bias[i % V]);
  assert.ok(maxAbsDiff(out.logits!, unbiased) <= 1e-4);
});

test('marian with stored sinusoids and a stored tied lm_head reads neither: the same numbers as the fixture', async () => {
  const tensors = fixtureTensors('marian');
  const shared = tensors.find((t) => t.name === 'model.shared.weight')!;
  const noise = (name: string) => ({ name, shape: [64, 32], data: new Float32Array(64 * 32).fill(7) });
  tensors.push(noise('model.encoder.embed_positions.weight'), noise('model.decoder.embed_positions.weight'));
  tensors.push({ ...shared, name: 'lm_head.weight' });
  const { session } = await openSeq2Seq(seq2seqConfig('marian'), { checkpoint: writeCheckpoint(tensors) });
  const run = loadFamilyReference<Seq2SeqRun>('marian').runs.base;
  const [out] = await session.forward([{ encoderIds: run.input_ids[0], decoderIds: run.decoder_input_ids[0] }], {
    logits: 'all',
  });
  await session.release();
  run.encoder_hidden_states.data.forEach((e, l) => assert.ok(maxAbsDiff(out.encoderHiddenStates[l], e) <= 1e-5));
  assert.ok(maxAbsDiff(out.logits!, run.logits.data) <= 1e-4);
});

test('llama as a LlamaModel checkpoint with old rotary buffers: states load, and the missing untied lm_head is named', async () => {
  const tensors = fixtureTensors('llama').map((t) => ({ ...t, name: t.name.replace(/^model\./, '') }));
  const inv = { name: 'layers.0.self_attn.rotary_emb.inv_freq', shape: [4], data: new Float32Array(4).fill(3) };
  const withHead = writeCheckpoint([...tensors, inv]);
  const { session } = await openDecoder(llamaConfig('llama'), { checkpoint: withHead });
  const run = loadFamilyReference<DecoderRun>('llama').runs.base;
  const [out] = await session.forward([{ ids: run.input_ids[0] }], { logits: 'all' });
  await session.release();
  assert.ok(maxAbsDiff(out.logits!, run.logits.data) <= 1e-4);
  const headless = writeCheckpoint(tensors.filter((t) => t.name !== 'lm_head.weight'));
  await assert.rejects(openDecoder(llamaConfig('llama'), { checkpoint: headless }), (e: unknown) => {
    assert.ok(e instanceof CheckpointError);
    assert.match(e.message, /lacks 1 tensor\(s\) this Llama config needs: lm_head\.weight/);
    return true;
  });
});

test('qwen2 with its tied lm_head stored as the only copy of the embedding: read under the embedding name', async () => {
  const tensors = fixtureTensors('qwen2').map((t) =>
    t.name === 'model.embed_tokens.weight' ? { ...t, name: 'lm_head.weight' } : t,
  );
  const { session } = await openDecoder(llamaConfig('qwen2'), { checkpoint: writeCheckpoint(tensors) });
  const run = loadFamilyReference<DecoderRun>('qwen2').runs.base;
  const [out] = await session.forward([{ ids: run.input_ids[0] }], { logits: 'all' });
  await session.release();
  assert.ok(maxAbsDiff(out.logits!, run.logits.data) <= 1e-4);
});

test('marian with separate encoder and decoder embeddings (decoder_vocab_size 100): its own tables, logits over 100 tokens', async () => {
  const { session, dims } = await openSeq2Seq(
    seq2seqConfig('marian', { share_encoder_decoder_embeddings: false, decoder_vocab_size: 100 }),
  );
  assert.equal(dims.decoderVocabSize, 100);
  const [out] = await session.forward([{ encoderIds: [120, 3, 0], decoderIds: [2, 99] }]);
  await session.release();
  assert.equal(out.lastLogits!.length, 100);
});

test('Llama biases (attention_bias, mlp_bias) start at zero: the same numbers as the model without them', async () => {
  const plain = await openDecoder(llamaConfig('llama'));
  const biased = await openDecoder(llamaConfig('llama', { attention_bias: true, mlp_bias: true }));
  assert.ok(biased.dims.qkvBias && biased.dims.outputBias && biased.dims.mlpBias);
  const ids = [4, 50, 300, 12];
  const [a] = await plain.session.forward([{ ids }]);
  const [b] = await biased.session.forward([{ ids }]);
  await plain.session.release();
  await biased.session.release();
  a.hiddenStates.forEach((h, l) => assert.ok(maxAbsDiff(h, b.hiddenStates[l]) <= 1e-6, `hidden_states.${l}`));
});
