// The calibration of the memory estimates (bench/calibration.md): for gpt2 and bert-base, T ∈ {16, 128, 512},
// B ∈ {1, 4, 16}, eval and train, and with attentions, one process per point (bench/memoryProbe.ts) measures
// the RSS growth of opening the model and of one forward pass, beside the estimates of extension/lab/resources.
// Run by hand (`node build.mjs && node bench/calibrate.mjs`): it takes minutes and up to 5 GB.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cache = mkdtempSync(join(tmpdir(), 'plab-calibrate-'));
const points = [];
for (const preset of ['gpt2', 'bert-base-uncased'])
  for (const mode of ['eval', 'train'])
    for (const T of [16, 128, 512]) for (const B of [1, 4, 16]) points.push([preset, T, B, mode, 0]);
for (const preset of ['gpt2', 'bert-base-uncased']) for (const T of [128, 512]) points.push([preset, T, 4, 'eval', 1]);
console.log('| model | T | B | mode | attentions | open MB (est.) | pass MB (est.) | estimate / measured |');
console.log('|---|---|---|---|---|---|---|---|');
try {
  for (const p of points) {
    const r = spawnSync(process.execPath, [join(root, 'out', 'bench', 'memoryProbe.js'), cache, ...p.map(String)], {
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(r.stderr);
    const m = JSON.parse(r.stdout.trim().split('\n').at(-1));
    console.log(
      `| ${m.preset} | ${m.T} | ${m.B} | ${m.mode} | ${m.attentions ? 'yes' : 'no'} | ${m.openMb} (${m.estimatedOpenMb}) | ${m.passMb} (${m.estimatedPassMb}) | ${(m.estimatedPassMb / Math.max(1, m.passMb)).toFixed(2)} |`,
    );
  }
} finally {
  rmSync(cache, { recursive: true, force: true });
}
