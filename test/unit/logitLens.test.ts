/**
 * The logit lens in the graph, on Hugging Face's own tiny checkpoints of every family with an LM head (GPT-2,
 * Llama, Qwen2, BART, Marian): at the last layer it is the model's logits (Hugging Face's, within 1e-4: the
 * final norm is not applied twice); at every earlier layer it is the family's final norm (none for BART/Marian)
 * and head (+ `final_logits_bias`) applied to Hugging Face's own hidden state of that layer, computed here in
 * float64 from the fixture's states and the safetensors weights. Checked: the top-k logits (values and ids up
 * to ties) and the log-sum-exp over the whole vocabulary, at every position of every run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readSafetensorsHeader, readTensorAsFloat32 } from '../../extension/lab/models/safetensors';
import { withClassDefaults } from '../../extension/lab/models/registry';
import type { LensReadout } from '../../extension/lab/models/readOuts';
import type { HfConfig } from '../../extension/lab/types';
import { referenceFolder } from '../helpers/hfReference';
import { fixtureConfig, loadFamilyReference, type Layered } from '../helpers/familyReference';
import { openDecoder, openSeq2Seq } from '../helpers/familyModels';
import type { FlatTensor } from '../helpers/hfReference';

const K = 6;

interface LensFamily {
  fixture: string;
  head: string;
  /** The final norm the lens applies to layers before the last, or null (BART/Marian: none). */
  norm: { kind: 'layer' | 'rms'; weight: string; bias?: string; eps: (c: HfConfig) => number } | null;
  bias: string | null;
}

const FAMILIES: LensFamily[] = [
  {
    fixture: 'gpt2',
    head: 'transformer.wte.weight',
    norm: {
      kind: 'layer',
      weight: 'transformer.ln_f.weight',
      bias: 'transformer.ln_f.bias',
      eps: (c) => c.layer_norm_epsilon as number,
    },
    bias: null,
  },
  {
    fixture: 'llama',
    head: 'lm_head.weight',
    norm: { kind: 'rms', weight: 'model.norm.weight', eps: (c) => c.rms_norm_eps as number },
    bias: null,
  },
  {
    fixture: 'qwen2',
    head: 'model.embed_tokens.weight',
    norm: { kind: 'rms', weight: 'model.norm.weight', eps: (c) => c.rms_norm_eps as number },
    bias: null,
  },
  { fixture: 'bart', head: 'model.shared.weight', norm: null, bias: 'final_logits_bias' },
  { fixture: 'marian', head: 'model.shared.weight', norm: null, bias: 'final_logits_bias' },
];

function weights(fixture: string): (name: string) => Float32Array {
  const path = join(referenceFolder(fixture), 'model.safetensors');
  const header = readSafetensorsHeader(path);
  return (name) => readTensorAsFloat32(path, header.tensors.get(name)!);
}

/** Float64 logits of one state row through the norm (when given) and the head. */
function referenceLogits(x: number[], f: LensFamily, w: (n: string) => Float32Array, config: HfConfig, norm: boolean) {
  const H = x.length;
  let y = x;
  if (norm && f.norm) {
    const g = w(f.norm.weight);
    const eps = f.norm.eps(config);
    if (f.norm.kind === 'layer') {
      const mean = x.reduce((s, v) => s + v, 0) / H;
      const variance = x.reduce((s, v) => s + (v - mean) ** 2, 0) / H;
      const beta = w(f.norm.bias!);
      y = x.map((v, i) => ((v - mean) / Math.sqrt(variance + eps)) * g[i] + beta[i]);
    } else {
      const inv = 1 / Math.sqrt(x.reduce((s, v) => s + v * v, 0) / H + eps);
      y = x.map((v, i) => v * inv * g[i]);
    }
  }
  const head = w(f.head);
  const bias = f.bias ? w(f.bias) : null;
  const V = head.length / H;
  return Array.from({ length: V }, (_, t) => {
    let s = bias ? bias[t] : 0;
    for (let i = 0; i < H; i++) s += head[t * H + i] * y[i];
    return s;
  });
}

const logSumExp = (xs: number[]) => {
  const m = Math.max(...xs);
  return m + Math.log(xs.reduce((s, v) => s + Math.exp(v - m), 0));
};

/** Our top k at (layer, position) against the full reference logits of that row. */
function checkRow(lens: LensReadout, layer: number, p: number, expected: number[], what: string): number {
  const P = lens.positions.length;
  const sorted = [...expected].sort((a, b) => b - a);
  let worst = 0;
  for (let r = 0; r < lens.k; r++) {
    const id = lens.ids[(layer * P + p) * lens.k + r];
    const value = lens.logits[(layer * P + p) * lens.k + r];
    // The value is that id's logit, and it is the r-th largest (ids may swap only where logits tie).
    worst = Math.max(worst, Math.abs(value - expected[id]), Math.abs(value - sorted[r]));
  }
  worst = Math.max(worst, Math.abs(lens.logSumExp[layer * P + p] - logSumExp(expected)));
  assert.ok(worst <= 1e-4, `${what}: lens differs by ${worst}`);
  return worst;
}

for (const f of FAMILIES) {
  test(`${f.fixture}: the logit lens is the final norm and head on every layer, the logits at the last`, async (t) => {
    const config = withClassDefaults(fixtureConfig(f.fixture) as HfConfig);
    const w = weights(f.fixture);
    const seq2seq = f.norm === null;
    const reference = loadFamilyReference<Record<string, unknown>>(f.fixture);
    const opened = seq2seq
      ? await openSeq2Seq(config, { checkpoint: referenceFolder(f.fixture) })
      : await openDecoder(config, { checkpoint: referenceFolder(f.fixture) });
    const worst = { intermediate: 0, last: 0 };
    try {
      for (const [runName, run] of Object.entries(reference.runs)) {
        const states = (seq2seq ? run.decoder_hidden_states : run.hidden_states) as Layered;
        const ids = ((seq2seq ? run.decoder_input_ids : run.input_ids) as number[][])[0];
        const mask = (run.attention_mask as number[][] | undefined)?.[0];
        const positions = ids.map((_, p) => p).filter((p) => !mask || mask[p] === 1);
        const lensRequest = { lens: { positions: [positions], k: K } };
        const [out] = seq2seq
          ? await (opened as Awaited<ReturnType<typeof openSeq2Seq>>).session.forward(
              [{ encoderIds: (run.input_ids as number[][])[0], decoderIds: ids }],
              lensRequest,
            )
          : await (opened as Awaited<ReturnType<typeof openDecoder>>).session.forward(
              [{ ids, attentionMask: mask }],
              lensRequest,
            );
        const lens = out.lens!;
        const L = states.data.length - 1;
        assert.equal(lens.layers, L + 1);
        assert.deepEqual(lens.positions, positions);
        const H = states.shape.at(-1)!;
        const V = (run.logits as FlatTensor).shape.at(-1)!;
        positions.forEach((pos, p) => {
          for (let l = 0; l < L; l++) {
            const x = states.data[l].slice(pos * H, (pos + 1) * H);
            const expected = referenceLogits(x, f, w, config, true);
            worst.intermediate = Math.max(
              worst.intermediate,
              checkRow(lens, l, p, expected, `${runName} layer ${l} @${pos}`),
            );
          }
          const hf = (run.logits as FlatTensor).data.slice(pos * V, (pos + 1) * V);
          worst.last = Math.max(worst.last, checkRow(lens, L, p, hf, `${runName} last layer @${pos}`));
        });
      }
    } finally {
      await opened.session.release();
    }
    t.diagnostic(
      `${f.fixture}: worst lens difference ${worst.intermediate.toExponential(2)} (float64 reference, layers < L), ${worst.last.toExponential(2)} (Hugging Face's logits, layer L)`,
    );
  });
}

test('gpt2: the lens at the last layer is not normalised twice (applying ln_f again would differ)', async () => {
  // A check that the test above could fail: Hugging Face's last hidden state through ln_f once more.
  const f = FAMILIES[0];
  const config = withClassDefaults(fixtureConfig('gpt2') as HfConfig);
  const run = loadFamilyReference<Record<string, unknown>>('gpt2').runs.base;
  const states = run.hidden_states as Layered;
  const H = states.shape.at(-1)!;
  const last = states.data.at(-1)!.slice(0, H);
  const twice = referenceLogits(last, f, weights('gpt2'), config, true);
  const hf = (run.logits as FlatTensor).data.slice(0, twice.length);
  assert.ok(Math.max(...twice.map((v, i) => Math.abs(v - hf[i]))) > 1e-3);
});
