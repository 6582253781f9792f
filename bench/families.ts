// Benchmark of the Llama-family builder and runner at full size (not a test): `node build.mjs && node out/bench/families.js`
// (a markdown table), or `--rows` (JSON rows for `npm run bench`). Qwen2.5-0.5B always; TinyLlama-1.1B (4.4 GB written)
// with PLAB_BENCH_TINYLLAMA=1 or `--tinyllama`.
// For Qwen2.5-0.5B and TinyLlama-1.1B from their presets (random, seeded): build time (weights + graph), open time,
// one 32-token comparison (base, control, variant in one batch; every hidden state and attention; the LM head on the
// last row of each) first and warm (median of 5), and the peak resident memory of each phase, each phase in its own
// process. Python's figures (python-figures.md, same machine kind) are quoted for comparison. The machine is shared:
// each phase also reports the CPU seconds it used (all threads), which other processes' load does not inflate.
// PREPACK=1 opens the model with ORT's weight prepacking (faster Gemms, +1 packed copy of a tied embedding).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureModel, modelKey } from '../extension/lab/models/modelCache';
import { PRESETS as ALL_PRESETS, withClassDefaults } from '../extension/lab/models/registry';
import { ModelSession } from '../extension/lab/models/session';
import { parameterCount } from '../extension/lab/models/blocks/parameters';
import { moduleOf } from '../extension/lab/models/registry';
import type { ModelSpec } from '../extension/lab/types';
import { benchSpec } from './benchSpec';
import { cpuSeconds, median, seconds } from './harness';

const PRESETS = {
  'Qwen/Qwen2.5-0.5B': { build: 7.9, warm: 2.07, peakGb: 2.73 },
  'TinyLlama/TinyLlama-1.1B-Chat-v1.0': { build: 11.9, warm: 3.57, peakGb: 4.58 },
} as const;
type Preset = keyof typeof PRESETS;

/** The preset as a model entry would resolve it: random weights (seed 0), eval mode. */
function specOf(preset: Preset): ModelSpec {
  return benchSpec(withClassDefaults(ALL_PRESETS[preset]), { name: preset, configSource: preset });
}

async function phase(name: string, preset: Preset, dir: string): Promise<Record<string, number>> {
  const spec = specOf(preset);
  if (name === 'build') {
    // The build path every model takes (modelCache.ts): weights, graph, content hashes, rename into place.
    const start = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    const built = await ensureModel(spec, dir);
    const parameters = parameterCount(moduleOf(built.dims.architecture).parameters(built.dims));
    return { seconds: seconds(start), cpu: cpuSeconds(cpu), parameters };
  }
  const { key } = await modelKey(spec, dir);
  const folder = join(dir, 'models', key);
  const start = process.hrtime.bigint();
  const dims = moduleOf(spec.architecture).dims(spec.config);
  const session = await ModelSession.open(join(folder, 'model.onnx'), dims, {
    prepackWeights: process.env.PREPACK === '1',
  });
  const open = seconds(start);
  const base = Array.from({ length: 32 }, (_, i) => 100 + ((i * 7919) % 20000));
  const variant = base.map((x, i) => (i === 20 ? x + 1 : x));
  const other = base.map((x, i) => (i === 12 ? x + 1 : x));
  // `comparison`: what a comparison runs (the control is the base again; eval mode computes it once).
  // `distinct`: three different inputs, the cost without that saving.
  const batches = { comparison: [base, base, variant], distinct: [base, other, variant] };
  const result: Record<string, number> = { open };
  for (const [label, batch] of Object.entries(batches)) {
    const run = async () => {
      const t = process.hrtime.bigint();
      const cpu = process.cpuUsage();
      await session.forward(
        batch.map((ids) => ({ ids })),
        { causal: true, rates: {} },
        { attentions: true, logits: 'last' },
      );
      return { wall: seconds(t), cpu: cpuSeconds(cpu) };
    };
    result[`${label}First`] = (await run()).wall;
    const warm = [];
    for (let i = 0; i < 5; i++) warm.push(await run());
    result[`${label}Warm`] = median(warm.map((w) => w.wall));
    result[`${label}WarmMin`] = Math.min(...warm.map((w) => w.wall));
    result[`${label}Cpu`] = median(warm.map((w) => w.cpu));
  }
  await session.release();
  return result;
}

function child(name: string, preset: Preset, dir: string): Record<string, number> {
  const r = spawnSync(process.execPath, [__filename, name, preset, dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${name} ${preset} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, number>;
}

function main(asRows: boolean, tinyLlama: boolean): void {
  const rows: string[][] = [];
  const presets = (Object.keys(PRESETS) as Preset[]).filter((p) => tinyLlama || !p.startsWith('TinyLlama'));
  for (const preset of presets) {
    const python = PRESETS[preset];
    const dir = mkdtempSync(join(tmpdir(), 'plab-bench-families-'));
    try {
      const build = child('build', preset, join(dir, 'model'));
      const weightsGb = (build.parameters * 4) / 1e9;
      const run = child('compare', preset, join(dir, 'model'));
      const ratio = (x: number, y: number) => `${(x / y).toFixed(2)}×`;
      rows.push(
        [
          `${preset}, build from config (random, seeded: ${(build.parameters / 1e6).toFixed(0)} M parameters)`,
          `${build.seconds.toFixed(2)} s (${build.cpu.toFixed(1)} CPU s)`,
          `${(build.peakMb / 1024).toFixed(2)} GB`,
          `${ratio(build.seconds, python.build)} Python's ${python.build} s`,
        ],
        [`${preset}, open the built model`, `${run.open.toFixed(2)} s`, '', ''],
        [
          `${preset}, 32-token comparison (base, control, variant), first / warm median of 5`,
          `${run.comparisonFirst.toFixed(2)} s / ${run.comparisonWarm.toFixed(2)} s (fastest ${run.comparisonWarmMin.toFixed(2)} s; ${run.comparisonCpu.toFixed(2)} CPU s)`,
          `${(run.peakMb / 1024).toFixed(2)} GB (${ratio(run.peakMb / 1024, weightsGb)} the ${weightsGb.toFixed(2)} GB float32 weights)`,
          `${ratio(run.comparisonWarm, python.warm)} Python's ${python.warm} s warm; peak ${python.peakGb} GB`,
        ],
        [
          `${preset}, 3 distinct 32-token inputs in one batch, first / warm median of 5`,
          `${run.distinctFirst.toFixed(2)} s / ${run.distinctWarm.toFixed(2)} s (fastest ${run.distinctWarmMin.toFixed(2)} s; ${run.distinctCpu.toFixed(2)} CPU s)`,
          '',
          `${ratio(run.distinctWarm, python.warm)} Python's ${python.warm} s`,
        ],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const load = `load average ${loadavg()
    .map((x) => x.toFixed(1))
    .join(', ')} (2 cores)`;
  if (asRows) {
    rows[0][3] += `; ${load}`;
    for (const r of rows) console.log(JSON.stringify(r));
    return;
  }
  console.log(`${load}\n`);
  console.log(`| measurement | time | peak memory | versus |\n|---|---|---|---|`);
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
}

const [name, preset, dir] = process.argv.slice(2);
if (name && !name.startsWith('--')) {
  phase(name, preset as Preset, dir)
    .then((r) => console.log(JSON.stringify({ ...r, peakMb: process.resourceUsage().maxRSS / 1024 })))
    .catch((e: unknown) => {
      console.error(e);
      process.exit(1);
    });
} else
  main(
    process.argv.includes('--rows'),
    process.argv.includes('--tinyllama') || process.env.PLAB_BENCH_TINYLLAMA === '1',
  );
