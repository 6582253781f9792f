import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import {
  alignTokens,
  allcloseTorch,
  compareControl,
  compareHiddenStates,
  compareVariant,
  compareVectors,
  klDivergence,
  logSoftmax,
  nextTokenShift,
  noiseFloorOf,
  roundingFloor,
} from '../../extension/lab/compare';
import type { AlignedPair } from '../../extension/protocol/report';
import { loadReference } from '../helpers/hfReference';
import { causalRun, compareInput, summary, withDelta, withNoise } from './compareFakes';

const pair = (base: number | null, variant: number | null, kind: AlignedPair['kind']): AlignedPair => ({
  base,
  variant,
  kind,
});

function vectorDiff(variant: number[], base: number[], atol = 1e-8, rtol = 1e-5) {
  return compareVectors(Float32Array.from(variant), 0, Float32Array.from(base), 0, base.length, atol, rtol);
}

describe('alignTokens', () => {
  it('pairs identical id lists by index and reports no perturbation', () => {
    const a = alignTokens([1, 2, 3], [1, 2, 3]);
    assert.equal(a.firstPerturbed, null);
    assert.equal(a.lengthChange, 0);
    assert.deepEqual(a.pairs, [pair(0, 0, 'same'), pair(1, 1, 'same'), pair(2, 2, 'same')]);
  });

  it('pairs an equal-length change by index, marking each position same or changed', () => {
    const a = alignTokens([1, 2, 3, 4, 5], [1, 2, 9, 4, 8]);
    assert.equal(a.firstPerturbed, 2);
    assert.deepEqual(a.pairs, [
      pair(0, 0, 'same'),
      pair(1, 1, 'same'),
      pair(2, 2, 'changed'),
      pair(3, 3, 'same'),
      pair(4, 4, 'changed'),
    ]);
  });

  it('aligns the suffix from the end around an insertion', () => {
    const a = alignTokens([1, 2, 3, 4], [1, 2, 9, 3, 4]);
    assert.equal(a.firstPerturbed, 2);
    assert.equal(a.lengthChange, 1);
    assert.deepEqual(a.pairs, [
      pair(0, 0, 'same'),
      pair(1, 1, 'same'),
      pair(null, 2, 'inserted'),
      pair(2, 3, 'same'),
      pair(3, 4, 'same'),
    ]);
  });

  it('aligns the suffix from the end around a deletion', () => {
    const a = alignTokens([1, 2, 9, 3, 4], [1, 2, 3, 4]);
    assert.equal(a.firstPerturbed, 2);
    assert.equal(a.lengthChange, -1);
    assert.deepEqual(a.pairs, [
      pair(0, 0, 'same'),
      pair(1, 1, 'same'),
      pair(2, null, 'deleted'),
      pair(3, 2, 'same'),
      pair(4, 3, 'same'),
    ]);
  });

  it('pairs the middle of a replacement that changes the count, extra tokens inserted', () => {
    // `Ġe in` → `Ġd as ...`: two changed pairs, one inserted token, then the common suffix.
    const a = alignTokens([1, 2, 3, 4, 5], [1, 2, 7, 8, 9, 5]);
    assert.equal(a.firstPerturbed, 2);
    assert.deepEqual(a.pairs, [
      pair(0, 0, 'same'),
      pair(1, 1, 'same'),
      pair(2, 2, 'changed'),
      pair(3, 3, 'changed'),
      pair(null, 4, 'inserted'),
      pair(4, 5, 'same'),
    ]);
  });

  it('treats a prefix as perturbed at its end, and never lets the suffix overlap the prefix', () => {
    const longer = alignTokens([1, 2, 3], [1, 2, 3, 4]);
    assert.equal(longer.firstPerturbed, 3);
    assert.deepEqual(longer.pairs.at(-1), pair(null, 3, 'inserted'));
    const repeated = alignTokens([1, 2], [1, 2, 2]);
    assert.equal(repeated.firstPerturbed, 2);
    assert.deepEqual(repeated.pairs, [pair(0, 0, 'same'), pair(1, 1, 'same'), pair(null, 2, 'inserted')]);
  });
});

describe('compareVectors', () => {
  it('follows torch.allclose: |v − b| <= atol + rtol·|b|, with the base as `other`', () => {
    assert.equal(vectorDiff([1.009], [1], 0.01, 0).allclose, true);
    assert.equal(vectorDiff([1.011], [1], 0.01, 0).allclose, false);
    // rtol scales with the base: 0.05 <= 1e-8 + 1e-4·1000.
    assert.equal(vectorDiff([1000.05], [1000], 1e-8, 1e-4).allclose, true);
    assert.equal(vectorDiff([2], [1], 0, 0.6).allclose, false, '1 > 0.6·|1|');
    assert.equal(vectorDiff([1], [2], 0, 0.6).allclose, true, '1 <= 0.6·|2|: not symmetric, as in torch');
    assert.equal(allcloseTorch([1, 2, 3], [1, 2, 3.00001], 1e-8, 1e-5), true);
  });

  it('treats NaN as never close and equal infinities as close (torch, equal_nan=False)', () => {
    assert.equal(vectorDiff([NaN], [NaN]).allclose, false);
    assert.equal(vectorDiff([1, NaN], [1, 2]).allclose, false);
    assert.equal(vectorDiff([Infinity], [Infinity]).allclose, true);
    assert.equal(vectorDiff([Infinity], [-Infinity], 1, 1).allclose, false);
    assert.equal(vectorDiff([Infinity], [1e30], 1, 1).allclose, false);
  });

  it('measures nothing where a value is NaN or ±Inf: NaN == NaN and Inf − Inf are no evidence of "unchanged"', () => {
    for (const [variant, base] of [
      [[NaN], [NaN]],
      [
        [1, NaN],
        [1, 2],
      ],
      [[Infinity], [Infinity]],
      [
        [-Infinity, 0],
        [-Infinity, 0],
      ],
      [[1], [Infinity]],
    ]) {
      const d = vectorDiff(variant, base);
      assert.equal(d.finite, false, `${variant} vs ${base}`);
      assert.ok(Number.isNaN(d.maxAbsDiff) && Number.isNaN(d.cosineDistance), 'not a number that could read as 0');
    }
    assert.equal(vectorDiff([1, 2], [1, 2]).finite, true);
  });

  it('reports max |Δ| and cosine distance', () => {
    const d = vectorDiff([1, 0], [1, 1]);
    assert.ok(Math.abs(d.maxAbsDiff - 1) < 1e-12);
    assert.ok(Math.abs(d.cosineDistance - (1 - Math.SQRT1_2)) < 1e-7);
    assert.equal(vectorDiff([3, 4], [3, 4]).cosineDistance, 0);
    assert.ok(Math.abs(vectorDiff([1, 0], [0, 1]).cosineDistance - 1) < 1e-12);
    assert.ok(Math.abs(vectorDiff([-1, -2], [1, 2]).cosineDistance - 2) < 1e-12);
    assert.equal(vectorDiff([0, 0], [0, 0]).cosineDistance, 0, 'both all-zero: defined as 0');
    assert.equal(vectorDiff([0, 0], [1, 0]).cosineDistance, 1, 'one all-zero: torch eps clamp gives cos 0');
  });
});

describe('compareHiddenStates', () => {
  it('measures every layer × aligned pair and leaves unpaired tokens null', () => {
    const base = causalRun([1, 2, 3, 4]);
    const variant = causalRun([1, 2, 9, 3, 4]);
    const alignment = alignTokens(base.ids, variant.ids);
    const layers = compareHiddenStates(base, variant, alignment, 1e-8, 1e-5);
    assert.equal(layers.length, 3);
    for (const layer of layers) {
      assert.equal(layer.maxAbsDiff.length, alignment.pairs.length);
      assert.deepEqual([layer.maxAbsDiff[0], layer.maxAbsDiff[1]], [0, 0], 'causal prefix is exact');
      assert.equal(layer.maxAbsDiff[2], null);
      assert.equal(layer.allclose[2], null);
      assert.equal(layer.allclose[0], true);
    }
    // Layer 0 compares the shifted suffix tokens by alignment: the same id at a new position.
    assert.ok((layers[0].maxAbsDiff[3] ?? 0) > 0, 'position embedding differs after the shift');
  });

  it('rejects runs of different shapes', () => {
    assert.throws(() =>
      compareHiddenStates(causalRun([1, 2]), causalRun([1, 2], { hidden: 4 }), alignTokens([1, 2], [1, 2]), 0, 0),
    );
  });
});

describe('control run and noise floor', () => {
  it('is identical when the control repeats the base bit for bit, NaNs included', () => {
    const base = causalRun([1, 2, 3]);
    base.hiddenStates[1][0] = NaN;
    const control = { ...base, hiddenStates: base.hiddenStates.map((s) => s.slice()) };
    const result = compareControl(base, control);
    assert.equal(result.identical, true);
    assert.equal(result.maxAbsDiff, 0);
    assert.deepEqual(result.perLayerMaxAbsDiff, [0, 0, 0]);
  });

  it('reports per-layer, per-position and overall max |Δ| of a noisy control', () => {
    const base = causalRun([1, 2, 3]);
    const control = withDelta(base, 2, 1, 3, 0.41);
    const result = compareControl(base, control);
    assert.equal(result.identical, false);
    assert.deepEqual(result.perLayerMaxAbsDiff.slice(0, 2), [0, 0]);
    assert.ok(Math.abs(result.maxAbsDiff - 0.41) < 1e-6);
    assert.deepEqual(result.perPosition[0], [0, 0, 0]);
    assert.deepEqual(
      result.perPosition[2].map((x) => Math.round(x * 100) / 100),
      [0, 0.41, 0],
      'the control says where and in which layer the same input changes',
    );
  });

  it('keeps the control finite when a value becomes NaN in one run only (it is reported apart)', () => {
    const base = causalRun([1, 2, 3]);
    const control = { ...base, hiddenStates: base.hiddenStates.map((s) => s.slice()) };
    control.hiddenStates[1][0] = NaN;
    const result = compareControl(base, control);
    assert.equal(result.identical, false);
    assert.ok(Number.isFinite(result.maxAbsDiff));
    assert.ok(Number.isFinite(noiseFloorOf(base, result).value));
  });

  it('sets the rounding floor at 64 float32 ulps of the largest base magnitude', () => {
    const base = causalRun([1, 2, 3]);
    let max = 0;
    for (const layer of base.hiddenStates) for (const x of layer) max = Math.max(max, Math.abs(x));
    assert.equal(roundingFloor(base), 64 * 2 ** -23 * max);
    const floor = noiseFloorOf(base, compareControl(base, base));
    assert.equal(floor.value, floor.rounding);
    assert.ok(
      floor.value > 1e-6 && floor.value < 1e-4,
      `${floor.value} sits between float32 reordering noise and a 0.003 leak`,
    );
  });

  it('keeps 1e-7 jitter at earlier positions below the floor, so change still starts at the perturbation', () => {
    const base = causalRun([1, 2, 3, 4, 5, 6]);
    let variant = causalRun([1, 2, 3, 4, 5, 7]);
    for (let p = 0; p < 5; p++) variant = withDelta(variant, 2, p, 'all', 1e-7 * (p + 1));
    const result = compareVariant(compareInput(base, variant));
    assert.ok((result.layers[2].maxAbsDiff[0] ?? 0) > 0, 'the jitter is there');
    assert.deepEqual(result.frontier, { firstPerturbed: 5, firstChanged: 5 });
  });

  it('puts the frontier at an appended token: it is new, so change starts there', () => {
    const result = compareVariant(compareInput(causalRun([1, 2, 3]), causalRun([1, 2, 3, 4])));
    assert.deepEqual(result.frontier, { firstPerturbed: 3, firstChanged: 3 });
  });

  it('puts the frontier of a nondeterministic model where its states start to differ, never "none"', () => {
    const base = causalRun([1, 2, 3, 4, 5, 6]);
    const result = compareVariant(
      compareInput(base, withNoise(causalRun([1, 2, 3, 4, 5, 7]), 0.5, 7), { control: withNoise(base, 0.5, 3) }),
    );
    assert.equal(result.verdict, 'nondeterministic');
    assert.equal(result.frontier.firstChanged, 0, 'position 0 changed, so change starts there');
  });

  it('puts the frontier at 0 when an earlier position leaks', () => {
    const base = causalRun([1, 2, 3, 4, 5, 6]);
    const variant = withDelta(causalRun([1, 2, 3, 4, 5, 7]), 1, 0, 0, 0.003);
    assert.deepEqual(compareVariant(compareInput(base, variant)).frontier, { firstPerturbed: 5, firstChanged: 0 });
  });
});

describe('next-token shift', () => {
  it('computes KL(base ‖ variant) at the last position', () => {
    // Last row: p = softmax(0, 0) = (1/2, 1/2), q = softmax(ln 3, 0) = (3/4, 1/4);
    // KL = ½ ln(½ / ¾) + ½ ln(½ / ¼) = ½ ln(4/3).
    const base = { ...causalRun([1, 2]), nextTokenLogits: Float32Array.from([0, 0]) };
    const variant = { ...causalRun([1, 3]), nextTokenLogits: Float32Array.from([Math.log(3), 0]) };
    const shift = nextTokenShift(base, variant, (id) => `tok${id}`, 2);
    assert.ok(shift);
    assert.ok(Math.abs(shift.klDivergence! - 0.5 * Math.log(4 / 3)) < 1e-7, String(shift.klDivergence));
    assert.deepEqual(
      shift.baseTop.map((c) => [c.id, c.text]),
      [
        [0, 'tok0'],
        [1, 'tok1'],
      ],
      'ties: smaller id first',
    );
    assert.deepEqual(
      shift.variantTop.map((c) => c.id),
      [0, 1],
    );
    assert.ok(Math.abs(shift.variantTop[0].probability - 0.75) < 1e-7);
  });

  it('stays finite for large logits (max-shifted log-softmax in float64)', () => {
    const logP = logSoftmax([1000, 1000, 1000, 1000], 0, 4);
    const logQ = logSoftmax([1001, 1000, 1000, -1000], 0, 4);
    const kl = klDivergence(logP, logQ);
    const q = [Math.E, 1, 1, 0].map((w) => w / (Math.E + 2));
    const expected =
      [0, 1, 2].reduce((sum, k) => sum + 0.25 * Math.log(0.25 / q[k]), 0) +
      0.25 * (Math.log(0.25) - (-2000 - Math.log(Math.E + 2)));
    assert.ok(Number.isFinite(kl));
    assert.ok(Math.abs(kl - expected) < 1e-9, `${kl} vs ${expected}`);
  });

  it("matches a plain softmax over Hugging Face's GPT-2 logits", () => {
    const { runs } = loadReference('gpt2');
    const toRun = (run: (typeof runs)[string]) => ({
      ids: run.input_ids[0],
      tokens: run.input_ids[0].map((id) => ({ id, text: String(id), special: false })),
      hiddenStates: run.hidden_states.data.map((layer) => Float32Array.from(layer)),
      nextTokenLogits: Float32Array.from(run.logits?.data ?? []).slice(-99),
      allLogits: Float32Array.from(run.logits?.data ?? []),
    });
    const base = toRun(runs.base);
    const variant = toRun(runs.last_changed);
    const shift = nextTokenShift(base, variant, String);
    assert.ok(shift);
    const vocab = base.allLogits.length / base.ids.length;
    assert.equal(vocab, 99);
    const softmaxLast = (logits: Float32Array) => {
      const row = Array.from(logits.subarray(logits.length - vocab));
      const weights = row.map((x) => Math.exp(x - Math.max(...row)));
      const total = weights.reduce((a, b) => a + b, 0);
      return weights.map((w) => w / total);
    };
    const p = softmaxLast(base.allLogits);
    const q = softmaxLast(variant.allLogits);
    const kl = p.reduce((sum, pk, k) => sum + pk * Math.log(pk / q[k]), 0);
    assert.ok(Math.abs(shift.klDivergence! - kl) < 1e-9, `${shift.klDivergence} vs ${kl}`);
    const best = p.indexOf(Math.max(...p));
    assert.equal(shift.baseTop[0].id, best);
    assert.ok(Math.abs(shift.baseTop[0].probability - p[best]) < 1e-9);
    const frontier = compareVariant(compareInput(base, variant)).frontier;
    assert.deepEqual(frontier, { firstPerturbed: 7, firstChanged: 7 }, "GPT-2's earlier positions are exact");
  });

  it('returns the top 5 of each side with decoded text, and null without logits', () => {
    const base = causalRun([1, 2, 3], { vocab: 20 });
    const variant = causalRun([1, 2, 4], { vocab: 20 });
    const result = compareVariant(compareInput(base, variant, { model: summary({ hasLmHead: true }) }));
    assert.ok(result.nextToken);
    assert.equal(result.nextToken.baseTop.length, 5);
    assert.equal(result.nextToken.baseTop[0].text, `<${result.nextToken.baseTop[0].id}>`);
    const probabilities = result.nextToken.variantTop.map((c) => c.probability);
    assert.deepEqual(
      probabilities,
      [...probabilities].sort((a, b) => b - a),
    );
    assert.ok(result.nextToken.klDivergence! > 0);
    assert.deepEqual(result.nextToken.nonFiniteLogits, []);
    assert.equal(compareVariant(compareInput(causalRun([1, 2]), causalRun([1, 3]))).nextToken, null);
  });

  it('says whose logits are not finite and measures no KL (NaN would become a silent null in JSON)', () => {
    const base = causalRun([1, 2, 3], { vocab: 20 });
    const variant = causalRun([1, 2, 4], { vocab: 20 });
    variant.nextTokenLogits![3] = NaN;
    const shift = nextTokenShift(base, variant, String)!;
    assert.equal(shift.klDivergence, null);
    assert.deepEqual(shift.nonFiniteLogits, ['variant']);
    assert.equal(shift.baseTop.length, 5);
    assert.deepEqual(shift.variantTop, []);
  });
});

describe('compareVariant', () => {
  it('reports the effective attention mask the model used', () => {
    const result = compareVariant(compareInput(causalRun([1, 2, 3]), causalRun([1, 2, 4]), { causal: false }));
    assert.equal(result.attentionMask.rule, 'bidirectional');
    assert.deepEqual(result.attentionMask.keep[0], [1, 1, 1]);
    const causal = compareVariant(compareInput(causalRun([1, 2, 3]), causalRun([1, 2, 4])));
    assert.deepEqual(causal.attentionMask, {
      rule: 'causal',
      keep: [
        [1, 0, 0],
        [1, 1, 0],
        [1, 1, 1],
      ],
      sliding: null,
    });
  });

  it('writes only finite numbers: the JSON of a report with NaN and Inf states reads back the same', () => {
    const base = causalRun([1, 2, 3, 4], { vocab: 12 });
    const variant = causalRun([1, 2, 3, 5], { vocab: 12 });
    base.hiddenStates[1][3] = NaN;
    variant.hiddenStates[2].fill(Infinity, 0, 8);
    variant.nextTokenLogits![0] = -Infinity;
    const control = { ...base, hiddenStates: base.hiddenStates.map((x) => x.slice()) };
    control.hiddenStates[2][9] = NaN;
    const result = compareVariant(compareInput(base, variant, { control, model: summary({ hasLmHead: true }) }));
    assert.deepEqual(JSON.parse(JSON.stringify(result)), result, 'no NaN or Infinity turned into null');
    assert.equal(result.verdict, 'non-finite');
    assert.deepEqual(result.layers[1].nonFinite, [0]);
    assert.equal(result.layers[1].maxAbsDiff[0], null);
    assert.deepEqual(
      result.nonFinite?.runs.map((r) => [r.run, r.firstLayer, r.nan, r.positiveInfinity]),
      [
        ['base', 1, 1, 0],
        ['control', 1, 2, 0],
        ['variant', 2, 0, 8],
      ],
    );
    assert.deepEqual(result.nonFinite?.weights, { kind: 'random' });
  });

  it('handles a full-size run (T=512, 13 layers, H=768)', () => {
    const ids = Array.from({ length: 512 }, (_, i) => (i * 7) % 1000);
    const base = causalRun(ids, { layers: 13, hidden: 768 });
    const variantIds = ids.slice();
    variantIds[400] = 999;
    const variant = withDelta(causalRun(variantIds, { layers: 13, hidden: 768 }), 6, 0, 'all', 0.003);
    const control = withNoise(base, 0);
    const started = performance.now();
    const result = compareVariant(compareInput(base, variant, { control }));
    const elapsed = performance.now() - started;
    assert.equal(result.layers.length, 13);
    assert.equal(result.layers[12].maxAbsDiff.length, 512);
    assert.equal(result.verdict, 'bidirectional');
    // Not a timed test (bench/ measures speed); the duration is printed for whoever reads the log.
    console.log(`compareVariant T=512 L=13 H=768: ${elapsed.toFixed(0)} ms`);
  });
});
