/**
 * Activation patching of encoder-decoders (Hugging Face's tiny BART and MarianMT, their own checkpoints, the
 * fixture's base run with one token replaced): a decoder edit patches the decoder's streams, a source edit the encoder's, both measured at the decoder's last position.
 * There is no Hugging Face grid for these yet, so the properties a grid rests on are checked, each against numbers
 * computed another way: the edited token patched at block 0 reproduces the variant's run (its effect is the
 * variant's own change at t, computed by a plain forward; it restores the whole logit change); the cells equal to
 * the base, run anyway, give 0 within rounding; in the causal decoder, positions after t have no effect; a variant
 * equal to its base changes nothing. Heads patching (`heads`: the self-attention heads of the edited stack;
 * `cross_heads`: the decoder's cross-attention heads) is checked the same way. In a one-block, one-head decoder,
 * patching its self-attention head after a decoder edit gives the variant's run at every position after the edit,
 * and patching its cross-attention head after a source edit gives it at every position (everything else in the block
 * is position by position and reads what the base and the variant share), so the one cell is the variant's own
 * change and restores the logit change fully; before a decoder edit nothing moves; a variant equal to its base gives 0
 * in every cell.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureModel } from '../../extension/lab/models/modelCache';
import { openSession } from '../../extension/lab/models/session';
import type { Seq2SeqSession } from '../../extension/lab/models/bart/session';
import { patchGrid, type PatchRequest } from '../../extension/lab/patching/grid';
import { seq2seqSubject } from '../../extension/lab/patching/subjects';
import { configSpec, seq2seqConfig, type WeightsFrom } from '../helpers/familyModels';
import { loadFamilyReference, type Seq2SeqRun } from '../helpers/familyReference';
import { referenceFolder } from '../helpers/hfReference';
import { freshDir } from '../helpers/paths';

const cacheDir = freshDir();

async function open(
  model: 'bart' | 'marian',
  overrides: Record<string, unknown> = {},
  from: WeightsFrom = { checkpoint: referenceFolder(model) },
): Promise<Seq2SeqSession> {
  const spec = configSpec(seq2seqConfig(model, overrides), from);
  const built = await ensureModel(spec, cacheDir);
  const session = await openSession(built.onnxPath, built.dims, { attentions: false });
  if (session.kind !== 'encoder-decoder') throw new Error('not an encoder-decoder');
  return session;
}

const request = (target: number, extra: Partial<PatchRequest> = {}): PatchRequest => ({
  kind: 'residual',
  target,
  targetText: 't',
  cellsPerPass: 7,
  decode: String,
  checkCancelled: () => undefined,
  ...extra,
});

function maxAbs(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/**
 * The fixture's base run with one token replaced: a decoder token (before the last, by default) for a decoder edit
 * (`text`), a source token (2 by default) for a source edit, as patching.json's Llama run does.
 */
function oneTokenEdit(model: 'bart' | 'marian', edits: 'text' | 'encoder', at?: number) {
  const runs = loadFamilyReference<Seq2SeqRun>(model).runs;
  const source = runs.base.input_ids[0];
  const decoder = runs.base.decoder_input_ids[0];
  const edited = edits === 'text' ? decoder : source;
  const edit = at ?? (edits === 'text' ? decoder.length - 2 : 2);
  const changed = edited.map((id, i) => (i === edit ? id + 1 : id));
  return { source, decoder, edited, edit, changed };
}

for (const model of ['bart', 'marian'] as const) {
  for (const edits of ['text', 'encoder'] as const) {
    test(`${model}: a ${edits === 'text' ? 'decoder' : 'source'} edit patched into the ${edits === 'text' ? 'decoder' : 'encoder'}`, async () => {
      const { source, decoder, edited, edit, changed } = oneTokenEdit(model, edits);
      const session = await open(model);
      try {
        const t = decoder.length - 1;
        const subject = seq2seqSubject(session, { source, decoder }, changed, edits, 'residual');
        const grid = await patchGrid(subject, request(t));
        const layers = edits === 'text' ? session.dims.decoderLayers : session.dims.encoderLayers;
        assert.equal(grid.stack, edits === 'text' ? 'decoder' : 'encoder');
        assert.equal(grid.rows.length, layers);
        assert.equal(grid.columns, edited.length);

        // The variant's own change at t, from a plain forward of base and variant.
        const pair = [
          { encoderIds: source, decoderIds: decoder },
          edits === 'text' ? { encoderIds: source, decoderIds: changed } : { encoderIds: changed, decoderIds: decoder },
        ];
        const [b, v] = await session.forward(pair, { rates: {} }, { logits: 'last' });
        const H = session.dims.dModel;
        const last = (o: typeof b) => o.decoderHiddenStates[session.dims.decoderLayers].subarray(t * H, (t + 1) * H);
        const full = maxAbs(last(v), last(b));
        assert.ok(full > 0, 'the edit reaches the target');
        // The rounding floor is the comparison's: 64 ulps of the base's largest |value| in its last hidden state.
        const top = b.decoderHiddenStates[session.dims.decoderLayers].reduce((m, x) => Math.max(m, Math.abs(x)), 0);
        assert.equal(grid.roundingFloor, 64 * 2 ** -23 * top);
        const atEdit = grid.rows[0].effect[edit]!;
        assert.ok(Math.abs(atEdit - full) <= 1e-6, `block 0 at the edit: ${atEdit} vs the variant's own ${full}`);
        assert.ok(Math.abs(grid.rows[0].fraction![edit]! - 1) <= 1e-4, `restores ${grid.rows[0].fraction![edit]}`);
        assert.ok(grid.logit && Math.abs(grid.logit.variant - grid.logit.base) > 0);
        // Unedited positions at block 0 hold the base's own vectors: skipped, exactly 0; run anyway, 0 within rounding.
        assert.ok(grid.skipped >= edited.length - 1);
        const ran = await patchGrid(subject, request(t, { runSkipped: true }));
        const worst = Math.max(
          ...ran.rows.flatMap((r, l) => r.effect.map((x, p) => Math.abs(x! - grid.rows[l].effect[p]!))),
        );
        assert.ok(worst <= 1e-6, `running the skipped cells changed an effect by ${worst}`);
        if (edits === 'text') {
          // The decoder is causal: a target before the last position is not reached from after it.
          const early = await patchGrid(subject, request(t - 1, { runSkipped: true }));
          for (const row of early.rows) assert.equal(row.effect[t], 0, `block ${row.layer}`);
        }
        const same = await patchGrid(
          seq2seqSubject(session, { source, decoder }, edited, edits, 'residual'),
          request(t),
        );
        assert.equal(same.skipped, same.layers * same.columns);
      } finally {
        await session.release();
      }
    });
  }
}

/** The variant's own change at decoder position t (max |Δ| of the last hidden state) and the logits, by plain forwards. */
async function ownChange(session: Seq2SeqSession, pair: { encoderIds: number[]; decoderIds: number[] }[], t: number) {
  const [b, v] = await session.forward(pair, { rates: {} }, { logits: 'last' });
  const H = session.dims.dModel;
  const last = (o: typeof b) => o.decoderHiddenStates[session.dims.decoderLayers].subarray(t * H, (t + 1) * H);
  return maxAbs(last(v), last(b));
}

/** A one-block decoder of one head: the exact cases (see the top of this file). */
const exactCases = [
  { kind: 'heads', edits: 'text', why: 'a decoder self-attention head, after a decoder edit' },
  { kind: 'cross_heads', edits: 'encoder', why: 'a cross-attention head, after a source edit' },
] as const;

for (const model of ['bart', 'marian'] as const) {
  for (const { kind, edits, why } of exactCases) {
    test(`${model}: patching ${why}, in a one-block, one-head decoder, is the variant's run`, async () => {
      const { source, decoder, edit, changed } = oneTokenEdit(model, edits, 1);
      // Random weights (seeded) of the fixture's sizes with one decoder block of one head.
      const session = await open(model, { decoder_layers: 1, decoder_attention_heads: 1 }, { seed: 3 });
      try {
        const subject = seq2seqSubject(session, { source, decoder }, changed, edits, kind);
        const pair = [
          { encoderIds: source, decoderIds: decoder },
          edits === 'text' ? { encoderIds: source, decoderIds: changed } : { encoderIds: changed, decoderIds: decoder },
        ];
        // After a decoder edit, the positions after it (the edited one keeps the base's stream); after a source edit, every one.
        for (let t = edits === 'text' ? edit + 1 : 0; t < decoder.length; t++) {
          const grid = await patchGrid(subject, request(t, { kind }));
          assert.equal(grid.stack, 'decoder');
          assert.deepEqual([grid.layers, grid.columns, grid.skipped], [1, 1, 0]);
          const full = await ownChange(session, pair, t);
          assert.ok(full > 0, 'the edit reaches the target');
          const effect = grid.rows[0].effect[0]!;
          assert.ok(
            Math.abs(effect - full) <= 1e-5 * Math.max(1, full),
            `t ${t}: ${effect} vs the variant's own ${full}`,
          );
          if (grid.logit && grid.logit.variant !== grid.logit.base)
            assert.ok(
              Math.abs(grid.rows[0].fraction![0]! - 1) <= 1e-4,
              `t ${t}: restores ${grid.rows[0].fraction![0]}`,
            );
        }
      } finally {
        await session.release();
      }
    });
  }

  for (const kind of ['heads', 'cross_heads'] as const)
    for (const edits of ['text', 'encoder'] as const) {
      const stack = kind === 'cross_heads' || edits === 'text' ? 'decoder' : 'encoder';
      const attention = kind === 'cross_heads' ? 'cross-attention' : 'self-attention';
      test(`${model}: patching the ${stack}'s ${attention} heads for a ${edits === 'text' ? 'decoder' : 'source'} edit`, async () => {
        const { source, decoder, edited, edit, changed } = oneTokenEdit(model, edits);
        const session = await open(model);
        const grid = (variant: number[], t: number) =>
          patchGrid(seq2seqSubject(session, { source, decoder }, variant, edits, kind), request(t, { kind }));
        try {
          const d = session.dims;
          const t = decoder.length - 1;
          const patched = await grid(changed, t);
          assert.equal(patched.stack, stack);
          assert.equal(patched.layers, stack === 'decoder' ? d.decoderLayers : d.encoderLayers);
          assert.equal(patched.columns, stack === 'decoder' ? d.decoderHeads : d.encoderHeads);
          assert.equal(patched.rows.length, patched.layers);
          // Every head's context differs at the positions t reads: each cell moves the output at t. Not so for the
          // cross-attention after a decoder edit: only its queries differ, and the tiny fixture's cross-attention is
          // nearly uniform (every weight ≈ 1/13), so its contexts hardly move (~1e-7, float rounding): finite, ≥ 0.
          const decoderQueriesOnly = kind === 'cross_heads' && edits === 'text';
          for (const row of patched.rows)
            for (const x of row.effect)
              assert.ok(x !== null && (decoderQueriesOnly ? x >= 0 : x > 0), `block ${row.layer}: ${x}`);
          assert.ok(patched.logit !== null);
          // A variant equal to its base: every head's context is the base's, every cell exactly 0.
          const same = await grid(edited, t);
          assert.ok(same.rows.every((row) => row.effect.every((x) => x === 0)));
          if (edits === 'text') {
            // The decoder is causal: at a target before the edit no head's context changed.
            const early = await grid(changed, edit - 1);
            assert.ok(early.rows.every((row) => row.effect.every((x) => x === 0)));
          }
        } finally {
          await session.release();
        }
      });
    }
}
