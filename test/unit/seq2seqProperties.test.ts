/**
 * Properties of the BART/Marian graph on random seeded models: a decoder edit leaves earlier decoder
 * positions and the whole encoder bit-identical; a source edit changes every encoder and every decoder
 * position (the encoder is bidirectional, cross-attention reads the whole source); the source's padding
 * mask applies to encoder self-attention and cross-attention; train-mode dropout at Hugging Face's places has
 * its keep rate and scale, eval mode is exact, and a seed reproduces its masks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maxAbsDiff } from '../helpers/hfReference';
import { identical, openSeq2Seq, row, seq2seqConfig } from '../helpers/familyModels';

const source = [0, 45, 271, 282, 88, 310, 305, 378, 264, 283, 292, 2];
const decoder = [2, 289, 76, 317, 402, 82, 17, 99];

for (const fixture of ['bart', 'marian'] as const) {
  test(`${fixture}: a decoder edit at 4 leaves decoder positions 0-3 and the encoder bit-identical; a source edit reaches everything`, async () => {
    const { session, dims } = await openSeq2Seq(seq2seqConfig(fixture));
    const vocab = dims.vocabSize;
    const src = source.map((x) => x % vocab);
    const dec = decoder.map((x) => x % vocab);
    const [base, decoderEdit, sourceEdit] = await session.forward([
      { encoderIds: src, decoderIds: dec },
      { encoderIds: src, decoderIds: dec.map((x, i) => (i === 4 ? (x + 5) % vocab : x)) },
      { encoderIds: src.map((x, i) => (i === 9 ? (x + 5) % vocab : x)), decoderIds: dec },
    ]);
    await session.release();
    const H = dims.dModel;
    base.encoderHiddenStates.forEach((h, l) =>
      assert.ok(identical(h, decoderEdit.encoderHiddenStates[l]), `encoder ${l}`),
    );
    for (let l = 0; l <= dims.decoderLayers; l++)
      for (let p = 0; p < dec.length; p++) {
        const same = identical(row(base.decoderHiddenStates[l], p, H), row(decoderEdit.decoderHiddenStates[l], p, H));
        // The embeddings (layer 0) change only at the edit; every layer after it changes from the edit on.
        assert.equal(same, l === 0 ? p !== 4 : p < 4, `decoder layer ${l} position ${p}`);
      }
    const last = dims.encoderLayers;
    for (let p = 0; p < src.length; p++)
      assert.ok(!identical(row(base.encoderHiddenStates[last], p, H), row(sourceEdit.encoderHiddenStates[last], p, H)));
    for (let p = 0; p < dec.length; p++)
      assert.ok(!identical(row(base.decoderHiddenStates[1], p, H), row(sourceEdit.decoderHiddenStates[1], p, H)));
    assert.deepEqual(base.decoderKeep[2], [1, 1, 1, 0, 0, 0, 0, 0]);
  });
}

test('the source padding mask applies to encoder self-attention and cross-attention: a padded source computes the unpadded one', async () => {
  const { session, dims } = await openSeq2Seq(seq2seqConfig('marian'));
  const src = [41, 19, 35, 5, 0];
  const dec = [2, 41, 27, 20];
  const [plain, padded] = await session.forward(
    [
      { encoderIds: src, decoderIds: dec },
      { encoderIds: [...src, 2, 2, 2], encoderMask: [1, 1, 1, 1, 1, 0, 0, 0], decoderIds: dec },
    ],
    { attentions: true, logits: 'all' },
  );
  await session.release();
  const H = dims.dModel;
  plain.encoderHiddenStates.forEach((h, l) =>
    assert.ok(maxAbsDiff(h, padded.encoderHiddenStates[l].subarray(0, src.length * H)) <= 1e-6, `encoder ${l}`),
  );
  plain.decoderHiddenStates.forEach((h, l) => assert.ok(maxAbsDiff(h, padded.decoderHiddenStates[l]) <= 1e-6));
  assert.ok(maxAbsDiff(plain.logits!, padded.logits!) <= 1e-5);
  const S = 8;
  for (const cross of padded.crossAttentions)
    for (let r = 0; r < cross.length / S; r++) for (let j = 5; j < S; j++) assert.equal(cross[r * S + j], 0);
  assert.deepEqual(padded.crossKeep[0], [1, 1, 1, 1, 1, 0, 0, 0]);
});

test('train mode: dropout after the embeddings keeps 1−p scaled by 1/(1−p); attention dropout on the returned maps; eval exact', async () => {
  const p = 0.3;
  const { session, dims } = await openSeq2Seq(
    seq2seqConfig('bart', { dropout: p, attention_dropout: 0.2, activation_dropout: 0.1 }),
  );
  const src = Array.from({ length: 40 }, (_, i) => 3 + ((i * 31) % 400));
  const dec = Array.from({ length: 30 }, (_, i) => 3 + ((i * 17) % 400));
  const [evalA, evalB, train, again, other] = await session.forward(
    [
      { encoderIds: src, decoderIds: dec },
      { encoderIds: src, decoderIds: dec, dropoutSeed: null },
      { encoderIds: src, decoderIds: dec, dropoutSeed: 5 },
      { encoderIds: src, decoderIds: dec, dropoutSeed: 5 },
      { encoderIds: src, decoderIds: dec, dropoutSeed: 6 },
    ],
    { attentions: true },
  );
  await session.release();
  evalA.decoderHiddenStates.forEach((h, l) => assert.ok(identical(h, evalB.decoderHiddenStates[l])));
  train.decoderHiddenStates.forEach((h, l) => assert.ok(identical(h, again.decoderHiddenStates[l])));
  assert.ok(!identical(train.decoderHiddenStates[2], other.decoderHiddenStates[2]));
  // encoder_hidden_states[0] = layernorm_embedding(tokens + positions) × mask, element by element.
  const e = evalA.encoderHiddenStates[0];
  const t = train.encoderHiddenStates[0];
  let dropped = 0;
  for (let i = 0; i < e.length; i++) {
    if (t[i] === 0) dropped++;
    else assert.ok(Math.abs(t[i] / e[i] - 1 / (1 - p)) < 1e-5, `kept element ${i} scaled by ${t[i] / e[i]}`);
  }
  assert.ok(Math.abs(dropped / e.length - p) < 0.04, `dropped ${dropped / e.length}, expected about ${p}`);
  let zeros = 0;
  for (const x of train.encoderAttentions[0]) if (x === 0) zeros++;
  assert.ok(Math.abs(zeros / train.encoderAttentions[0].length - 0.2) < 0.03, `attention dropout ${zeros}`);
  // Every decoder position of the last layer differs from eval mode.
  const H = dims.dModel;
  for (let q = 0; q < dec.length; q++)
    assert.ok(!identical(row(train.decoderHiddenStates[2], q, H), row(evalA.decoderHiddenStates[2], q, H)));
});
