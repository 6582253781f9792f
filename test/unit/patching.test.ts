/**
 * Activation patching against Hugging Face's forward hooks (`patching.json`: bert, bert-causal, gpt2, llama —
 * every effect and logit fraction within 1e-5), and the properties a patching grid rests on: a cell where base
 * and variant agree changes nothing (and the skipped cells, run anyway, give 0 within rounding); patching every
 * position at block 0 gives the variant's run; in a causal model, positions after t have no effect; heads
 * patching of every head of block 0 at once gives the variant's run in a model whose block 0 sees only the
 * edited token's change through attention.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureModel } from '../../extension/lab/models/modelCache';
import { ModelSession, type ForwardSettings } from '../../extension/lab/models/session';
import { patchGrid, type PatchRequest } from '../../extension/lab/patching/grid';
import { singleStackSubject } from '../../extension/lab/patching/subjects';
import { fixturesDir, freshDir } from '../helpers/paths';
import { maxAbsDiff, referenceFolder, referenceSpec } from '../helpers/hfReference';
import { configSpec, llamaConfig } from '../helpers/familyModels';
import type { ModelSpec } from '../../extension/lab/types';

interface PatchingFixture {
  base: number[];
  variant: number[];
  target: number;
  effect: number[][];
  base_top?: number;
  variant_top?: number;
  logit_diff_fraction?: number[][];
  full_logit_diff?: number;
}

const fixture = JSON.parse(readFileSync(join(fixturesDir(), 'hf-reference', 'patching.json'), 'utf8')) as {
  models: Record<string, PatchingFixture>;
};
const cacheDir = freshDir();

/** A row's numbers, every one finite (a null cell fails the test). */
function finite(xs: (number | null)[] | null | undefined): number[] {
  assert.ok(xs, 'a row of numbers');
  assert.ok(
    xs.every((x) => x !== null),
    `a cell without a finite number: ${JSON.stringify(xs)}`,
  );
  return xs as number[];
}

function specOf(model: string): ModelSpec {
  return model === 'llama'
    ? configSpec(llamaConfig('llama'), { checkpoint: referenceFolder('llama') })
    : referenceSpec(model);
}

async function open(model: string) {
  const spec = specOf(model);
  const built = await ensureModel(spec, cacheDir);
  const session = await ModelSession.open(built.onnxPath, built.dims, { attentions: false });
  const settings: ForwardSettings = { causal: spec.config.is_decoder === true, rates: {} };
  return { session, settings };
}

/** The grid of base vs variant on a single-stack session, as the engine runs it (cells per pass, target, kind). */
function grid(
  session: ModelSession,
  f: Pick<PatchingFixture, 'base' | 'variant' | 'target'>,
  settings: ForwardSettings,
  extra: Partial<PatchRequest> = {},
) {
  return patchGrid(singleStackSubject(session, f.base, f.variant, settings), {
    kind: 'residual',
    target: f.target,
    targetText: 't',
    cellsPerPass: 64,
    decode: (id) => `<${id}>`,
    checkCancelled: () => undefined,
    ...extra,
  });
}

for (const model of ['bert', 'bert-causal', 'gpt2', 'llama']) {
  test(`${model}: residual patching matches Hugging Face's forward hooks within 1e-5`, async (t) => {
    const f = fixture.models[model];
    const { session, settings } = await open(model);
    try {
      const streamed: number[][] = [];
      const result = await grid(session, f, settings, {
        cellsPerPass: 5,
        onRows: (p) => streamed.push(p.rows.map((r) => r.layer)),
      });
      assert.equal(result.layers, f.effect.length);
      assert.equal(result.columns, f.base.length);
      assert.deepEqual(
        result.rows.map((r) => r.layer),
        f.effect.map((_, l) => l),
      );
      // Rows streamed in more than one update, each a superset of the one before.
      assert.ok(streamed.length > 1, `rows arrived in ${streamed.length} updates`);
      let worst = 0;
      result.rows.forEach((row, l) => {
        const diff = maxAbsDiff(finite(row.effect), f.effect[l]);
        worst = Math.max(worst, diff);
        assert.ok(diff <= 1e-5, `${model}: effect of block ${l} differs by ${diff}: ${row.effect} vs ${f.effect[l]}`);
      });
      if (f.logit_diff_fraction) {
        assert.ok(result.logit);
        assert.equal(result.logit.token, f.variant_top);
        assert.equal(result.logit.baseTop, f.base_top);
        assert.ok(Math.abs(result.logit.variant - result.logit.base - f.full_logit_diff!) <= 1e-5);
        result.rows.forEach((row, l) => {
          assert.ok(row.fraction);
          // A fraction divides by the variant's logit change (0.0036 for GPT-2): compare the restored logit itself.
          const scale = Math.abs(f.full_logit_diff!);
          const diff = maxAbsDiff(
            finite(row.fraction).map((x) => x * scale),
            f.logit_diff_fraction![l].map((x) => x * scale),
          );
          assert.ok(diff <= 1e-5, `${model}: logit fraction of block ${l} differs by ${diff / scale} (logit ${diff})`);
        });
      } else assert.equal(result.logit, null);
      t.diagnostic(`${model}: worst effect difference ${worst.toExponential(2)}, skipped cells ${result.skipped}`);
    } finally {
      await session.release();
    }
  });
}

test('where base and variant agree, patching changes nothing; skipped cells run anyway give 0 within rounding', async () => {
  const f = fixture.models['bert'];
  const { session, settings } = await open('bert');
  try {
    const same = await grid(session, { ...f, variant: f.base }, settings);
    assert.equal(same.skipped, same.layers * same.columns, 'every cell is the base bit for bit');
    for (const row of same.rows) assert.ok(row.effect.every((x) => x === 0));
    const ran = await grid(session, { ...f, variant: f.base }, settings, { runSkipped: true });
    assert.equal(ran.skipped, 0);
    const worst = Math.max(...ran.rows.flatMap((r) => finite(r.effect)));
    assert.ok(worst <= 1e-6, `a cell equal to the base moved the output by ${worst}`);
  } finally {
    await session.release();
  }
});

for (const model of ['bert-causal', 'gpt2', 'llama']) {
  test(`${model}: the cells skipped as equal to the base give the same effects when run`, async () => {
    const f = fixture.models[model];
    const { session, settings } = await open(model);
    try {
      const skipping = await grid(session, f, settings);
      const running = await grid(session, f, settings, { runSkipped: true });
      assert.ok(skipping.skipped > 0);
      // Each row names the columns it did not run: as many as were skipped, each exactly 0; a full run names none.
      assert.equal(
        skipping.rows.reduce((n, r) => n + r.notRun.length, 0),
        skipping.skipped,
      );
      for (const r of skipping.rows) for (const c of r.notRun) assert.equal(r.effect[c], 0);
      assert.ok(running.rows.every((r) => r.notRun.length === 0));
      const diff = Math.max(
        ...running.rows.map((r, l) => maxAbsDiff(finite(r.effect), finite(skipping.rows[l].effect))),
      );
      assert.ok(diff <= 1e-6, `running the skipped cells changed an effect by ${diff}`);
      if (running.rows[0].fraction) {
        const scale = Math.abs(running.logit!.variant - running.logit!.base);
        const fdiff = Math.max(
          ...running.rows.map((r, l) => maxAbsDiff(finite(r.fraction), finite(skipping.rows[l].fraction))),
        );
        assert.ok(fdiff * scale <= 1e-6, `running the skipped cells changed a restored logit by ${fdiff * scale}`);
      }
    } finally {
      await session.release();
    }
  });
}

for (const model of ['bert', 'gpt2', 'llama']) {
  test(`${model}: patching every position at block 0 gives the variant's run`, async () => {
    const f = fixture.models[model];
    const { session, settings } = await open(model);
    try {
      const [, variant] = await session.forward([{ ids: f.base }, { ids: f.variant }], settings, { logits: 'none' });
      const L = session.plan.layers;
      const H = session.plan.hiddenSize;
      const T = f.base.length;
      const entries = Array.from({ length: L }, (_, l) => (l === 0 ? variant.hiddenStates[0] : new Float32Array(0)));
      const out = await session.patchedPass([{ ids: f.base }, { ids: f.variant }], settings, {
        entries,
        headMasks: null,
        headSource: 1,
        logitRows: [T - 1, 2 * T - 1, 3 * T - 1],
      });
      const variantRow = out.last.subarray(T * H, 2 * T * H);
      const patchedRow = out.last.subarray(2 * T * H, 3 * T * H);
      assert.equal(maxAbsDiff(patchedRow, variantRow), 0, 'the whole patched stream is the variant run, bit for bit');
      assert.ok(maxAbsDiff(patchedRow, variant.hiddenStates[L]) <= 1e-6);
      if (out.logits) {
        const V = session.plan.lmHeadVocab;
        assert.equal(maxAbsDiff(out.logits.subarray(2 * V, 3 * V), out.logits.subarray(V, 2 * V)), 0);
      }
    } finally {
      await session.release();
    }
  });
}

for (const model of ['bert-causal', 'gpt2', 'llama']) {
  test(`${model}: in a causal model, positions after the target have no effect`, async () => {
    const f = fixture.models[model];
    const edit = f.base.findIndex((id, i) => id !== f.variant[i]);
    const target = edit + 2;
    const { session, settings } = await open(model);
    try {
      const result = await grid(session, f, { ...settings, causal: true }, { target, runSkipped: true });
      for (const row of result.rows) {
        assert.ok(
          row.effect.slice(target + 1).every((x) => x === 0),
          `block ${row.layer}: ${row.effect}`,
        );
        assert.ok(finite(row.effect)[edit] > 0, `block ${row.layer}: the edited position moves the target`);
      }
    } finally {
      await session.release();
    }
  });
}

test('bert: in the bidirectional model, positions after the target do have an effect', async () => {
  const f = fixture.models['bert'];
  const { session, settings } = await open('bert');
  try {
    const result = await grid(session, f, settings, { target: 1 });
    assert.ok(finite(result.rows[0].effect)[3] > 0, 'the edit at 3 reaches position 1 through attention');
  } finally {
    await session.release();
  }
});

for (const model of ['bert', 'gpt2', 'llama']) {
  test(`${model}: heads patching gives a block × head grid; before the edit a causal target is untouched`, async () => {
    const f = fixture.models[model];
    const { session, settings } = await open(model);
    const causal = model !== 'bert';
    try {
      const result = await grid(session, f, settings, { kind: 'heads' });
      assert.equal(result.columns, session.plan.heads);
      assert.equal(result.rows.length, session.plan.layers);
      assert.ok(
        result.rows.some((r) => finite(r.effect).some((x) => x > 0)),
        'some head carries the edit to t',
      );
      if (causal) {
        const edit = f.base.findIndex((id, i) => id !== f.variant[i]);
        const early = await grid(session, f, settings, { kind: 'heads', target: edit - 1 });
        for (const row of early.rows)
          assert.ok(
            row.effect.every((x) => x === 0),
            `block ${row.layer}: ${row.effect}`,
          );
      }
    } finally {
      await session.release();
    }
  });
}
