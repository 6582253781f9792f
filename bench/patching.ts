// Benchmark of residual activation patching (not a test): `node build.mjs && node out/bench/patching.js` (a markdown
// table), or `--rows` (JSON rows for `npm run bench`). bert-base-uncased and gpt2 from their presets (random weights,
// seed 0, eval mode), a 16-token base and a variant that changes position 8: the 12 blocks × 16 positions grid (192
// patched runs), warm (median of 3 after one run to warm up), wall time, CPU seconds (all threads) and the peak
// resident memory of the process, each model in its own process. Rows: the grid as the engine runs it (batched passes
// sized by the resource plan, cells equal to the base not run), the same with every one of the 192 cells run, and one
// pass per cell (what a hook loop does: a forward per cell, still in the one session). Python's figures are
// `bench/python/patching_hooks.py` on this machine kind (python-figures.md: PyTorch does not install here).
import { loadavg } from 'node:os';
import { ensureModel } from '../extension/lab/models/modelCache';
import { PRESETS, withClassDefaults } from '../extension/lab/models/registry';
import { ModelSession } from '../extension/lab/models/session';
import { patchGrid } from '../extension/lab/patching/grid';
import { singleStackSubject } from '../extension/lab/patching/subjects';
import { planModel, planPasses, readMachineMemory, resolveLimits } from '../extension/lab/resources';
import type { ModelSpec } from '../extension/lab/types';
import { benchSpec } from './benchSpec';
import { benchMain, childRows, peakMb, warmMedian } from './harness';

const PYTHON = { 'bert-base-uncased': 20.3, gpt2: 23.2 } as const;
type Model = keyof typeof PYTHON;
const T = 16;
const EDIT = 8;

function specOf(model: Model): ModelSpec {
  return benchSpec(withClassDefaults(PRESETS[model]), { name: model, configSource: model });
}

/** One model in this process: prints one JSON line per way of running the grid. */
async function measure(model: Model, cacheDir: string): Promise<void> {
  const spec = specOf(model);
  const built = await ensureModel(spec, cacheDir);
  const session = await ModelSession.open(built.onnxPath, built.dims, { attentions: false });
  // The cells per pass the engine would use (patchCase.ts): the resource plan's inputs per pass, less base and variant.
  const machine = readMachineMemory();
  const limits = resolveLimits({ memoryKnob: '--memory-limit', cacheKnob: '--cache-limit' }, machine);
  const plan = planModel(spec, { machine, limits });
  const perPass =
    planPasses(plan, { inputs: 12 * T + 2, kept: 2, length: T, train: false, attentions: false, logitRowsPerInput: 1 })
      .inputsPerPass - 2;
  const base = Array.from({ length: T }, (_, i) => 1000 + 37 * i);
  const variant = base.map((id, i) => (i === EDIT ? id + 1 : id));
  const run = (cellsPerPass: number, runSkipped: boolean) =>
    patchGrid(singleStackSubject(session, base, variant, { causal: model === 'gpt2', rates: {} }), {
      kind: 'residual',
      target: T - 1,
      targetText: 't',
      cellsPerPass,
      decode: String,
      checkCancelled: () => undefined,
      runSkipped,
    });
  const ways: [string, number, boolean][] = [
    [`engine (passes of ≤ ${perPass} cells, equal cells not run)`, perPass, false],
    [`every cell run (passes of ≤ ${perPass})`, perPass, true],
    ['one pass per cell (a hook loop’s shape)', 1, true],
  ];
  for (const [name, cellsPerPass, runSkipped] of ways) {
    const timed = await warmMedian(() => run(cellsPerPass, runSkipped), 3);
    const cells = 12 * T - timed.first.skipped;
    console.log(JSON.stringify({ model, way: name, cells, seconds: timed.seconds, cpu: timed.cpu, peakMb: peakMb() }));
  }
  await session.release();
}

function rows(): string[][] {
  return childRows(
    __filename,
    Object.keys(PYTHON),
    'plab-bench-patching-',
    (name, m: { way: string; cells: number; seconds: number; cpu: number; peakMb: number }) => {
      const model = name as Model;
      return [
        `residual patching, ${model}, 12 blocks × ${T} positions, warm: ${m.way}; ${m.cells} cells run, CPU ${m.cpu.toFixed(1)} s (load ${loadavg()[0].toFixed(1)})`,
        `${m.seconds.toFixed(2)} s`,
        `${m.peakMb.toFixed(0)} MB`,
        `${(m.seconds / PYTHON[model]).toFixed(3)}× Python hooks ${PYTHON[model]} s (target ≤ 0.2×)`,
      ];
    },
  );
}

benchMain((model, cacheDir) => measure(model as Model, cacheDir), rows);
