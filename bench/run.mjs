// The benchmark: `npm run bench`. Prints a markdown table for the README. Never part of the tests.
// Measures (1) the seed experiment end to end through the CLI with a cold and a warm model cache
// (wall time and peak resident memory of the CLI process), (2) one 6-token forward pass of each
// full-size model in a warm session. Python's numbers cannot be measured here (no PyPI): they are the
// ones the issue gives for this 2-core machine, quoted as such.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resourceRows } from './resources.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const seed = join(root, 'examples', 'encoder-vs-decoder.prompt');
const PYTHON = {
  seconds: 9.0,
  gb: 2.1,
  note: "transformers, the seed's four models from_config (figure from the issue, this machine kind)",
};
const PYTHON_TWO = { seconds: 5.7, gb: 1.26 };

/** Runs the CLI in a child that reports its own peak RSS (worker threads included: same process). */
function timedCli(args, cache) {
  const wrapper = `process.on('exit', () => process.stderr.write('\\nBENCH_MAXRSS_KB ' + process.resourceUsage().maxRSS + '\\n')); process.argv.splice(1, 0, 'cli'); require(${JSON.stringify(join(root, 'dist', 'cli.js'))});`;
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['-e', wrapper, ...args], {
    encoding: 'utf8',
    env: { ...process.env, PERTURBATION_LAB_CACHE: cache, NO_COLOR: '1' },
    // 20 000 results print a 13 MB table: past spawnSync's 1 MB default the child would be killed.
    maxBuffer: 1 << 30,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (r.status !== 0) throw new Error(`CLI failed (${r.status}): ${r.stderr}`);
  const kb = Number(/BENCH_MAXRSS_KB (\d+)/.exec(r.stderr)?.[1]);
  // How the plan split the case, from the progress lines: "(6 per pass)" or one batch.
  const perPass = /\((\d+) per pass\)/.exec(r.stderr)?.[1];
  const inputs = / of (\d+) \(/.exec(r.stderr)?.[1];
  const passes = perPass ? `${Math.ceil(inputs / perPass)} passes of ≤ ${perPass}` : 'one pass';
  return { seconds, mb: kb / 1024, passes };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const rows = [];
const cache = mkdtempSync(join(tmpdir(), 'plab-bench-'));
try {
  const cold = timedCli(['compare', seed], cache);
  rows.push([
    'seed experiment, CLI, cold model cache (builds gpt2 + bert-base)',
    `${cold.seconds.toFixed(2)} s`,
    `${cold.mb.toFixed(0)} MB`,
    `${(cold.seconds / PYTHON.seconds).toFixed(2)}× Python (target ≤ 1×)`,
  ]);
  const warmRuns = [0, 1, 2].map(() => timedCli(['compare', seed], cache));
  const warm = { seconds: median(warmRuns.map((r) => r.seconds)), mb: Math.max(...warmRuns.map((r) => r.mb)) };
  rows.push([
    'seed experiment, CLI, warm model cache (median of 3)',
    `${warm.seconds.toFixed(2)} s`,
    `${warm.mb.toFixed(0)} MB`,
    `${(warm.seconds / PYTHON.seconds).toFixed(2)}× Python (target ≤ 0.35×)`,
  ]);
  const forward = spawnSync(process.execPath, [join(root, 'out', 'bench', 'forward.js'), cache], { encoding: 'utf8' });
  if (forward.status !== 0) throw new Error(forward.stderr);
  for (const line of forward.stdout.trim().split('\n')) rows.push(JSON.parse(line));
  const runner = spawnSync(process.execPath, [join(root, 'out', 'bench', 'runner.js'), cache, root], {
    encoding: 'utf8',
  });
  if (runner.status !== 0) throw new Error(runner.stderr);
  for (const line of runner.stdout.trim().split('\n')) rows.push(JSON.parse(line));
  const lifecycle = spawnSync(process.execPath, [join(root, 'out', 'bench', 'lifecycle.js'), cache, root], {
    encoding: 'utf8',
  });
  if (lifecycle.status !== 0) throw new Error(lifecycle.stderr);
  for (const line of lifecycle.stdout.trim().split('\n')) rows.push(JSON.parse(line));
  rows.push(...resourceRows(timedCli, cache));
  // Full-size Llama-family models from their presets (random, seeded); TinyLlama with PLAB_BENCH_TINYLLAMA=1.
  const families = spawnSync(process.execPath, [join(root, 'out', 'bench', 'families.js'), '--rows'], {
    encoding: 'utf8',
  });
  if (families.status !== 0) throw new Error(families.stderr);
  for (const line of families.stdout.trim().split('\n')) rows.push(JSON.parse(line));
  // Residual activation patching of bert-base and GPT-2, 12 blocks × 16 positions, against Python's hook loop.
  const patching = spawnSync(process.execPath, [join(root, 'out', 'bench', 'patching.js'), '--rows'], {
    encoding: 'utf8',
  });
  if (patching.status !== 0) throw new Error(patching.stderr);
  for (const line of patching.stdout.trim().split('\n')) rows.push(JSON.parse(line));
  // What the logit lens and one layer's heads add to a comparison (gpt2, Qwen2.5-0.5B).
  const readOuts = spawnSync(process.execPath, [join(root, 'out', 'bench', 'readOuts.js'), '--rows'], {
    encoding: 'utf8',
  });
  if (readOuts.status !== 0) throw new Error(readOuts.stderr);
  for (const line of readOuts.stdout.trim().split('\n')) rows.push(JSON.parse(line));
  rows.push([`Python, ${PYTHON.note}`, `${PYTHON.seconds} s`, `${(PYTHON.gb * 1024).toFixed(0)} MB`, 'reference']);
  rows.push([
    "Python, the seed's two distinct models (gpt2 + causal BERT) from_config",
    `${PYTHON_TWO.seconds} s`,
    `${(PYTHON_TWO.gb * 1024).toFixed(0)} MB`,
    'reference',
  ]);
} finally {
  rmSync(cache, { recursive: true, force: true });
}

console.log(`| measurement | time | peak memory | versus |\n|---|---|---|---|`);
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
