/**
 * Dropout in train mode, checked on the real graph: eval is exact, train drops about p of the elements
 * and scales the rest by exactly 1/(1−p), masks are reproducible from a seed in a warm and in a fresh
 * session whatever ran before, and `paired` shares masks where `independent` does not.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureModel } from '../../extension/lab/models/modelCache';
import { ModelSession, type ForwardSettings } from '../../extension/lab/models/session';
import { dropoutSeedFor } from '../../extension/lab/experiment/dropoutSeeds';
import { freshDir } from '../helpers/paths';
import { maxAbsDiff } from '../helpers/hfReference';
import { tinySpec } from '../helpers/specs';

const cacheDir = freshDir();
const ids = Array.from({ length: 60 }, (_, i) => 1 + (i % 98));
const p = 0.3;
const train: ForwardSettings = { causal: false, rates: { hidden_dropout_prob: p, attention_probs_dropout_prob: p } };

async function open(family: 'bert' | 'gpt2' = 'bert') {
  const spec = tinySpec(family);
  const built = await ensureModel(spec, cacheDir);
  return ModelSession.open(built.onnxPath, built.dims);
}

test('eval mode is exact: two runs agree bit for bit, and dropout rates are ignored without a seed', async () => {
  const s = await open();
  const [a, b] = await s.forward([{ ids }, { ids, dropoutSeed: null }], train);
  for (let l = 0; l < a.hiddenStates.length; l++) assert.equal(maxAbsDiff(a.hiddenStates[l], b.hiddenStates[l]), 0);
  const [c] = await s.forward([{ ids }], { causal: false, rates: { hidden: 0, attention: 0, embedding: 0 } });
  assert.equal(maxAbsDiff(a.hiddenStates[2], c.hiddenStates[2]), 0);
  await s.release();
});

test('train mode drops about p of the elements and scales the kept ones by exactly 1/(1-p)', async () => {
  const s = await open();
  const [evalRun, trainRun] = await s.forward([{ ids }, { ids, dropoutSeed: 1234 }], train, { attentions: true });
  // hidden_states.0 = LayerNorm(embeddings) × mask: compare element by element.
  const e = evalRun.hiddenStates[0];
  const t = trainRun.hiddenStates[0];
  let dropped = 0;
  for (let i = 0; i < e.length; i++) {
    if (t[i] === 0) dropped++;
    else assert.ok(Math.abs(t[i] / e[i] - 1 / (1 - p)) < 1e-6, `kept element ${i} scaled by ${t[i] / e[i]}`);
  }
  const rate = dropped / e.length;
  assert.ok(Math.abs(rate - p) < 0.05, `dropped ${rate} of ${e.length} elements, expected about ${p}`);
  // Attention probabilities returned are the ones after dropout, as Hugging Face returns them.
  const probs = trainRun.attentions[0];
  let zeros = 0;
  for (const x of probs) if (x === 0) zeros++;
  assert.ok(Math.abs(zeros / probs.length - p) < 0.05, `attention dropout rate ${zeros / probs.length}`);
  // Every later layer differs from eval mode at every position.
  const H = 32;
  for (let pos = 0; pos < ids.length; pos++) {
    assert.ok(
      maxAbsDiff(
        trainRun.hiddenStates[2].subarray(pos * H, (pos + 1) * H),
        evalRun.hiddenStates[2].subarray(pos * H, (pos + 1) * H),
      ) > 0,
    );
  }
  await s.release();
});

test('masks are reproducible from the seed in a warm session and in a fresh one, whatever ran before', async () => {
  const warm = await open();
  const [first] = await warm.forward([{ ids, dropoutSeed: 7 }], train);
  await warm.forward(
    [
      { ids: ids.slice(0, 10), dropoutSeed: 99 },
      { ids, dropoutSeed: 8 },
    ],
    train,
  );
  const [again] = await warm.forward([{ ids, dropoutSeed: 7 }], train);
  const fresh = await open();
  const [inFresh] = await fresh.forward([{ ids, dropoutSeed: 7 }], train);
  const [other] = await fresh.forward([{ ids, dropoutSeed: 8 }], train);
  for (let l = 0; l < first.hiddenStates.length; l++) {
    assert.equal(maxAbsDiff(first.hiddenStates[l], again.hiddenStates[l]), 0, `warm layer ${l}`);
    assert.equal(maxAbsDiff(first.hiddenStates[l], inFresh.hiddenStates[l]), 0, `fresh layer ${l}`);
  }
  assert.ok(maxAbsDiff(first.hiddenStates[2], other.hiddenStates[2]) > 1e-3, 'another seed draws other masks');
  await warm.release();
  await fresh.release();
});

test('paired shares every mask within a case (control included); independent draws new ones per run', async () => {
  const paired = tinySpec('bert', { dropout: 'paired' });
  const independent = tinySpec('bert', { dropout: 'independent' });
  assert.equal(dropoutSeedFor(paired, 0, 0), dropoutSeedFor(paired, 0, 1));
  assert.equal(dropoutSeedFor(paired, 0, 0), dropoutSeedFor(paired, 0, 5));
  assert.notEqual(dropoutSeedFor(independent, 0, 0), dropoutSeedFor(independent, 0, 1));
  assert.equal(dropoutSeedFor(tinySpec('bert', { mode: 'eval' }), 0, 0), null);

  const s = await open('gpt2');
  const gpt2Train: ForwardSettings = { causal: true, rates: { resid_pdrop: 0.1, attn_pdrop: 0.1, embd_pdrop: 0.1 } };
  const variant = [...ids.slice(0, 40), 5, ...ids.slice(41)];
  const run = (spec: typeof paired) =>
    s.forward(
      [ids, ids, variant].map((x, r) => ({ ids: x, dropoutSeed: dropoutSeedFor(spec, 0, r) })),
      gpt2Train,
    );
  const [pb, pc, pv] = await run(paired);
  assert.equal(maxAbsDiff(pb.hiddenStates[2], pc.hiddenStates[2]), 0, 'paired control is identical');
  // Paired masks are keyed by position, so a causal model keeps every earlier position in train mode too.
  assert.equal(maxAbsDiff(pb.hiddenStates[2].subarray(0, 40 * 32), pv.hiddenStates[2].subarray(0, 40 * 32)), 0);
  const [ib, ic] = await run(independent);
  assert.ok(maxAbsDiff(ib.hiddenStates[2], ic.hiddenStates[2]) > 1e-3, 'independent control differs');
  await s.release();
});

test('an eval-mode batch feeds one broadcast 1 per mask and gives the same states as full masks of ones', async () => {
  const s = await open();
  // A null seed next to a real one forces full-size masks (ones for the eval input); alone it gets the broadcast 1.
  const [alone] = await s.forward([{ ids }], train);
  const [withFullMasks] = await s.forward([{ ids }, { ids, dropoutSeed: 5 }], train);
  for (let l = 0; l < alone.hiddenStates.length; l++)
    assert.equal(maxAbsDiff(alone.hiddenStates[l], withFullMasks.hiddenStates[l]), 0, `layer ${l}`);
  assert.equal(alone.attentions.length, 0, 'attention maps only when asked for');
  await s.release();
});
