/**
 * Activation patching of encoder-decoders (Hugging Face's tiny BART and MarianMT, their own checkpoints, the
 * fixture's base run with one token replaced): a decoder edit patches the decoder's streams, a source edit the encoder's, both measured at the decoder's last position.
 * There is no Hugging Face grid for these yet, so the properties a grid rests on are checked, each against numbers
 * computed another way: the edited token patched at block 0 reproduces the variant's run (its effect is the
 * variant's own change at t, computed by a plain forward; it restores the whole logit change); the cells equal to
 * the base, run anyway, give 0 within rounding; in the causal decoder, positions after t have no effect; a variant
 * equal to its base changes nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureModel } from '../../extension/lab/models/modelCache';
import { openSession } from '../../extension/lab/models/session';
import type { Seq2SeqSession } from '../../extension/lab/models/bart/session';
import { patchGrid, type PatchRequest } from '../../extension/lab/patching/grid';
import { seq2seqSubject } from '../../extension/lab/patching/subjects';
import { configSpec, seq2seqConfig } from '../helpers/familyModels';
import { loadFamilyReference, type Seq2SeqRun } from '../helpers/familyReference';
import { referenceFolder } from '../helpers/hfReference';
import { freshDir } from '../helpers/paths';

const cacheDir = freshDir();

async function open(model: 'bart' | 'marian'): Promise<Seq2SeqSession> {
  const spec = configSpec(seq2seqConfig(model), { checkpoint: referenceFolder(model) });
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

for (const model of ['bart', 'marian'] as const) {
  for (const edits of ['text', 'encoder'] as const) {
    test(`${model}: a ${edits === 'text' ? 'decoder' : 'source'} edit patched into the ${edits === 'text' ? 'decoder' : 'encoder'}`, async () => {
      const runs = loadFamilyReference<Seq2SeqRun>(model).runs;
      const source = runs.base.input_ids[0];
      const decoder = runs.base.decoder_input_ids[0];
      const edited = edits === 'text' ? decoder : source;
      // One token replaced (as patching.json's Llama run does): a decoder token before the last, a source token.
      const edit = edits === 'text' ? decoder.length - 2 : 2;
      const changed = edited.map((id, i) => (i === edit ? id + 1 : id));
      const session = await open(model);
      try {
        const t = decoder.length - 1;
        const subject = seq2seqSubject(session, { source, decoder }, changed, edits);
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
        const same = await patchGrid(seq2seqSubject(session, { source, decoder }, edited, edits), request(t));
        assert.equal(same.skipped, same.layers * same.columns);
      } finally {
        await session.release();
      }
    });
  }
}
