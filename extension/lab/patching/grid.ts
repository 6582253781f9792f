/**
 * Activation patching as a few batched passes in a model's one session, on a `PatchSubject` (`subjects.ts`: a
 * single-stack model, or the stack an encoder-decoder's variant edits, measured at its decoder).
 *
 * A cell is the base run with one piece replaced by the variant's: the stream entering block l at position
 * p (`residual`, Hugging Face's `hidden_states[l][p]`), or head h's attention context in block l (`heads`; an
 * encoder-decoder's decoder cross-attention: `cross_heads`).
 * A cell's row enters the graph at block l (`patch.entry.l`, see `blocks/singleStack.ts`) with the base's
 * `hidden_states[l]` (row p the variant's, for `residual`), so it runs only blocks l..L−1: the blocks before
 * l would compute exactly the base's stream again. Every pass also runs the base and the variant as its
 * first two rows, so each effect is measured against a base computed with the same shapes.
 *
 * Cells whose patched input is the base's bit for bit (the variant's stream equals the base's at (l, p): every
 * position before the edit in a causal model, every unedited position at block 0) would run exactly the
 * base's computation: they are not run, and their effect and fraction are exactly 0 (`skipped`).
 * `test/unit/patching.test.ts` runs such cells anyway and checks they give 0 within float rounding. A NaN or ±Inf
 * anywhere in an output is no number: null in the grid (`nonFinite`), never an effect of 0.
 */
import type { PatchedLogit, PatchingResult, PatchingRow, PatchKind } from '../../protocol/report';
import type { PatchSubject } from './subjects';
import { FLOAT32_EPSILON, ROUNDING_ULPS } from '../compare/noiseFloor';

export interface PatchRequest {
  kind: PatchKind;
  /** The position measured, 0-based (already resolved from `patch_target`), in the measured stack's tokens. */
  target: number;
  /** The base's token at the target, as text (for the report). */
  targetText: string;
  /** At most this many patched cells per pass (from the resource plan). */
  cellsPerPass: number;
  decode: (id: number) => string;
  checkCancelled: () => void;
  /** The grid so far, each time rows complete. */
  onRows?: (partial: PatchingResult) => void;
  /** Run every cell, also those whose patched input is the base's (tests of the skip). */
  runSkipped?: boolean;
}

export type { PatchSubject } from './subjects';

interface Cell {
  layer: number;
  column: number;
}

export async function patchGrid(subject: PatchSubject, req: PatchRequest): Promise<PatchingResult> {
  const L = subject.layers;
  const H = subject.hiddenSize;
  const Tm = subject.measuredLength;
  const t = req.target;
  // Head cells of a subject whose rows all start at block 0 need no streams: no entry rows, nothing to skip.
  const streams = req.kind === 'residual' || subject.entersRows ? await subject.streams() : { base: [], variant: [] };
  const base = { hiddenStates: streams.base };
  const variant = { hiddenStates: streams.variant };
  const columns = req.kind === 'residual' ? subject.patchedLength : subject.heads;
  // Null: not a finite number (a NaN or ±Inf in the patched output, or in the logits at t); JSON has no NaN.
  const effect = Array.from({ length: L }, () => new Array<number | null>(columns).fill(0));
  const hasLm = subject.lmHeadVocab > 0;
  const fraction = hasLm ? Array.from({ length: L }, () => new Array<number | null>(columns).fill(0)) : null;
  let nonFinite = 0;
  const pendingInRow = new Array<number>(L).fill(0);
  const cells: Cell[] = [];
  let skipped = 0;
  const notRun = Array.from({ length: L }, () => [] as number[]);
  for (let l = 0; l < L; l++)
    for (let c = 0; c < columns; c++) {
      if (req.kind === 'residual' && !req.runSkipped && sameRow(base.hiddenStates[l], variant.hiddenStates[l], c, H)) {
        skipped++;
        notRun[l].push(c);
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
    stack: subject.stack,
    target: t,
    targetText: req.targetText,
    layers: L,
    columns,
    rows: [...emitted].sort((a, b) => a - b).map((l) => rowOf(l)),
    logit,
    skipped,
    nonFinite: baseNonFinite ? L * columns : nonFinite,
    roundingFloor,
  });
  // The base's own output at t holds NaN or ±Inf: no cell has a difference to it, skipped ones included.
  let baseNonFinite = false;
  let roundingFloor = 0;
  const rowOf = (l: number): PatchingRow => ({
    layer: l,
    effect: baseNonFinite ? effect[l].map(() => null) : effect[l],
    fraction:
      fraction && logit && logitDelta !== 0 ? (baseNonFinite ? fraction[l].map(() => null) : fraction[l]) : null,
    notRun: notRun[l],
  });

  const per = Math.max(1, req.cellsPerPass);
  for (let start = 0; start === 0 || start < cells.length; start += per) {
    req.checkCancelled();
    const passCells = cells.slice(start, start + per);
    const out = await runPass(subject, req, passCells, base.hiddenStates, variant.hiddenStates);
    const row = (r: number) => out.last.subarray((r * Tm + t) * H, (r * Tm + t + 1) * H);
    if (start === 0) {
      baseNonFinite = !allFinite(row(0));
      // Row 0 is the base: its whole last hidden state (every position) sets the scale of rounding.
      roundingFloor = ROUNDING_ULPS * FLOAT32_EPSILON * maxFiniteMagnitude(out.last.subarray(0, Tm * H));
    }
    if (logit === null && out.logits) {
      const V = subject.lmHeadVocab;
      const baseLogits = out.logits.subarray(0, V);
      const variantLogits = out.logits.subarray(V, 2 * V);
      // A NaN or ±Inf logit has no top token and no change to restore: no logit, no fractions.
      if (allFinite(baseLogits) && allFinite(variantLogits)) {
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
    }
    passCells.forEach((cell, k) => {
      const r = out.rowOf[k];
      const moved = maxAbsDiff(row(r), row(0));
      effect[cell.layer][cell.column] = Number.isFinite(moved) ? moved : null;
      if (!Number.isFinite(moved)) nonFinite++;
      if (fraction && out.logits && logit) {
        const V = subject.lmHeadVocab;
        // Logit rows are the pass's rows in order (base, variant, cells).
        const patched = out.logits[r * V + logit.token];
        const restored = logitDelta === 0 ? 0 : (patched - out.logits[logit.token]) / logitDelta;
        fraction[cell.layer][cell.column] = Number.isFinite(restored) ? restored : null;
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
 * One pass: the base and the variant as plain rows, each cell's row entering at its block. Returns the measured
 * stack's last hidden state of every row, the logits at t of every row (in row order), and each cell's row index.
 */
async function runPass(
  subject: PatchSubject,
  req: PatchRequest,
  cells: Cell[],
  baseStates: Float32Array[],
  variantStates: Float32Array[],
): Promise<{ last: Float32Array; logits: Float32Array | null; rowOf: number[] }> {
  const { layers: L, hiddenSize: H } = subject;
  const heads = subject.heads;
  const T = subject.patchedLength;
  const byLayer = Array.from({ length: L }, () => [] as number[]);
  cells.forEach((cell, k) => byLayer[cell.layer].push(k));
  const rowOf = new Array<number>(cells.length);
  const entries: Float32Array[] = [];
  const headMasks: (Uint8Array | null)[] = [];
  let rows = 2;
  for (let l = 0; l < L; l++) {
    const entering = byLayer[l];
    const block = new Float32Array(subject.entersRows ? entering.length * T * H : 0);
    entering.forEach((k, i) => {
      if (subject.entersRows) block.set(baseStates[l], i * T * H);
      if (req.kind === 'residual') {
        const p = cells[k].column;
        block.set(variantStates[l].subarray(p * H, (p + 1) * H), (i * T + p) * H);
      }
      rowOf[k] = rows + i;
    });
    rows += entering.length;
    entries.push(block);
    if (req.kind !== 'residual' && entering.length > 0) {
      // Rows present at block l: the plain ones and every row entered so far; only those entering here patch a head.
      const mask = new Uint8Array(rows * heads);
      entering.forEach((k, i) => (mask[(rows - entering.length + i) * heads + cells[k].column] = 1));
      headMasks.push(mask);
    } else headMasks.push(null);
  }
  const Tm = subject.measuredLength;
  const logitRows = Array.from({ length: rows }, (_, r) => r * Tm + req.target);
  const out = await subject.pass(entries, req.kind !== 'residual' ? headMasks : null, rows, logitRows);
  return { ...out, rowOf };
}

/** Row p of both states is the same finite vector bit for bit (a NaN row is run: its effect is no number, not 0). */
function sameRow(a: Float32Array, b: Float32Array, p: number, H: number): boolean {
  for (let i = p * H; i < (p + 1) * H; i++) if (!Object.is(a[i], b[i]) || !Number.isFinite(a[i])) return false;
  return true;
}

/** NaN when either side holds NaN or ±Inf (Inf − Inf is no difference of 0). */
function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i]) || !Number.isFinite(b[i])) return NaN;
    m = Math.max(m, Math.abs(a[i] - b[i]));
  }
  return m;
}

function maxFiniteMagnitude(x: Float32Array): number {
  let m = 0;
  for (const v of x) if (Number.isFinite(v)) m = Math.max(m, Math.abs(v));
  return m;
}

function allFinite(x: Float32Array): boolean {
  for (const v of x) if (!Number.isFinite(v)) return false;
  return true;
}

function argmax(x: Float32Array): number {
  let best = 0;
  for (let i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
  return best;
}
