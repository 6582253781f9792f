/**
 * Activation patching of a single-stack model, as a few batched passes in its one session.
 *
 * A cell is the base run with one piece replaced by the variant's: the stream entering block l at position
 * p (`residual`, Hugging Face's `hidden_states[l][p]`), or head h's attention context in block l (`heads`).
 * A cell's row enters the graph at block l (`patch.entry.l`, see `blocks/singleStack.ts`) with the base's
 * `hidden_states[l]` (row p the variant's, for `residual`), so it runs only blocks l..L−1: the blocks before
 * l would compute exactly the base's stream again. Every pass also runs the base and the variant as its
 * first two rows, so each effect is measured against a base computed with the same shapes.
 *
 * Cells whose patched input is the base's bit for bit (the variant's stream equals the base's at (l, p): every
 * position before the edit in a causal model, every unedited position at block 0) would run exactly the
 * base's computation: they are not run, and their effect and fraction are exactly 0 (`skipped`).
 * `test/unit/patching.test.ts` runs such cells anyway and checks they give 0 within float rounding.
 */
import type { PatchedLogit, PatchingResult, PatchingRow, PatchKind } from '../../protocol/report';
import type { ForwardSettings, ModelSession } from '../models/session';

export interface PatchRequest {
  kind: PatchKind;
  /** The position measured, 0-based (already resolved from `patch_target`). */
  target: number;
  base: number[];
  variant: number[];
  /** Eval mode: the rates are not used (every pass runs without dropout). */
  settings: Pick<ForwardSettings, 'causal' | 'rates'>;
  /** At most this many patched cells per pass (from the resource plan). */
  cellsPerPass: number;
  decode: (id: number) => string;
  checkCancelled: () => void;
  /** The grid so far, each time rows complete. */
  onRows?: (partial: PatchingResult) => void;
  /** Run every cell, also those whose patched input is the base's (tests of the skip). */
  runSkipped?: boolean;
}

interface Cell {
  layer: number;
  column: number;
}

export async function patchGrid(session: ModelSession, req: PatchRequest): Promise<PatchingResult> {
  const plan = session.plan;
  const L = plan.layers;
  const H = plan.hiddenSize;
  const T = req.base.length;
  const t = req.target;
  if (req.variant.length !== T) throw new Error('internal: patching needs base and variant of one length');
  const settings: ForwardSettings = { causal: req.settings.causal, rates: req.settings.rates };
  const [base, variant] = await session.forward([{ ids: req.base }, { ids: req.variant }], settings, {
    logits: 'none',
  });
  const columns = req.kind === 'residual' ? T : plan.heads;
  const effect = Array.from({ length: L }, () => new Array<number>(columns).fill(0));
  const hasLm = plan.lmHeadVocab > 0;
  const fraction = hasLm ? Array.from({ length: L }, () => new Array<number>(columns).fill(0)) : null;
  const pendingInRow = new Array<number>(L).fill(0);
  const cells: Cell[] = [];
  let skipped = 0;
  for (let l = 0; l < L; l++)
    for (let c = 0; c < columns; c++) {
      if (req.kind === 'residual' && !req.runSkipped && sameRow(base.hiddenStates[l], variant.hiddenStates[l], c, H)) {
        skipped++;
        continue;
      }
      cells.push({ layer: l, column: c });
      pendingInRow[l]++;
    }

  let logit: PatchedLogit | null = null;
  let logitDelta = 0;
  const emitted = new Set<number>();
  const partial = (): PatchingResult => ({
    kind: req.kind,
    stack: 'model',
    target: t,
    layers: L,
    columns,
    rows: [...emitted].sort((a, b) => a - b).map((l) => rowOf(l)),
    logit,
    skipped,
  });
  const rowOf = (l: number): PatchingRow => ({
    layer: l,
    effect: effect[l],
    fraction: fraction && logitDelta !== 0 ? fraction[l] : null,
  });

  const per = Math.max(1, req.cellsPerPass);
  for (let start = 0; start === 0 || start < cells.length; start += per) {
    req.checkCancelled();
    const passCells = cells.slice(start, start + per);
    const out = await runPass(session, req, passCells, base.hiddenStates, variant.hiddenStates, T);
    const row = (r: number) => out.last.subarray((r * T + t) * H, (r * T + t + 1) * H);
    if (logit === null && out.logits) {
      const V = plan.lmHeadVocab;
      const baseLogits = out.logits.subarray(0, V);
      const variantLogits = out.logits.subarray(V, 2 * V);
      const token = argmax(variantLogits);
      const baseTop = argmax(baseLogits);
      logit = {
        token,
        text: req.decode(token),
        baseTop,
        baseTopText: req.decode(baseTop),
        base: baseLogits[token],
        variant: variantLogits[token],
      };
      logitDelta = logit.variant - logit.base;
    }
    passCells.forEach((cell, k) => {
      const r = out.rowOf[k];
      effect[cell.layer][cell.column] = maxAbsDiff(row(r), row(0));
      if (fraction && out.logits && logit) {
        const V = plan.lmHeadVocab;
        // Logit rows are the pass's rows in order (base, variant, cells).
        const patched = out.logits[r * V + logit.token];
        fraction[cell.layer][cell.column] = logitDelta === 0 ? 0 : (patched - out.logits[logit.token]) / logitDelta;
      }
      pendingInRow[cell.layer]--;
    });
    let fresh = false;
    for (let l = 0; l < L; l++)
      if (pendingInRow[l] === 0 && !emitted.has(l)) {
        emitted.add(l);
        fresh = true;
      }
    if (fresh) req.onRows?.(partial());
  }
  return partial();
}

/**
 * One pass: the base and the variant as plain rows, each cell's row entering at its block. Returns the last
 * hidden state of every row, the logits at t of every row (in row order), and each cell's row index.
 */
async function runPass(
  session: ModelSession,
  req: PatchRequest,
  cells: Cell[],
  baseStates: Float32Array[],
  variantStates: Float32Array[],
  T: number,
): Promise<{ last: Float32Array; logits: Float32Array | null; rowOf: number[] }> {
  const { layers: L, hiddenSize: H, heads } = session.plan;
  const byLayer = Array.from({ length: L }, () => [] as number[]);
  cells.forEach((cell, k) => byLayer[cell.layer].push(k));
  const rowOf = new Array<number>(cells.length);
  const entries: Float32Array[] = [];
  const headMasks: (Uint8Array | null)[] = [];
  let rows = 2;
  for (let l = 0; l < L; l++) {
    const entering = byLayer[l];
    const block = new Float32Array(entering.length * T * H);
    entering.forEach((k, i) => {
      block.set(baseStates[l], i * T * H);
      if (req.kind === 'residual') {
        const p = cells[k].column;
        block.set(variantStates[l].subarray(p * H, (p + 1) * H), (i * T + p) * H);
      }
      rowOf[k] = rows + i;
    });
    rows += entering.length;
    entries.push(block);
    if (req.kind === 'heads' && entering.length > 0) {
      // Rows present at block l: the plain ones and every row entered so far; only those entering here patch a head.
      const mask = new Uint8Array(rows * heads);
      entering.forEach((k, i) => (mask[(rows - entering.length + i) * heads + cells[k].column] = 1));
      headMasks.push(mask);
    } else headMasks.push(null);
  }
  const logitRows = Array.from({ length: rows }, (_, r) => r * T + req.target);
  const out = await session.patchedPass(
    [{ ids: req.base }, { ids: req.variant }],
    { causal: req.settings.causal, rates: req.settings.rates },
    { entries, headMasks: req.kind === 'heads' ? headMasks : null, headSource: 1, logitRows },
  );
  return { ...out, rowOf };
}

function sameRow(a: Float32Array, b: Float32Array, p: number, H: number): boolean {
  for (let i = p * H; i < (p + 1) * H; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function argmax(x: Float32Array): number {
  let best = 0;
  for (let i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
  return best;
}
