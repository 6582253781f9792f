// Cancel, damage and identity costs (run by bench/run.mjs; prints JSON rows for the README table):
// - checking a bert-base cache entry the first time a process uses it (sizes + sha256 of both files),
//   and again in the same process (remembered by the files' stat identity);
// - a checkpoint's content hash (bert-base weights as a `weights:` file): first time, and in a later
//   process that finds it remembered beside the cache;
// - cancel during a bert-base build through the real runner: time to the answer, until the runner's CPU
//   is idle, and until the build folder is gone.
// Each measurement that needs a fresh process runs this script again with a phase argument.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureModel, modelKey } from '../extension/lab/models/modelCache';
import { damageOf } from '../extension/lab/models/cacheEntry';
import { PRESETS } from '../extension/lab/config';
import type { HfConfig, ModelSpec } from '../extension/lab/types';
import { RunnerClient } from '../extension/host/runnerClient';
import { ModelStore } from '../extension/lab/models/modelStore';
import { ModelSession } from '../extension/lab/models/session';
import { benchSpec } from './benchSpec';

const [cacheDir, root, phase] = process.argv.slice(2);

function bertBase(weights?: string): ModelSpec {
  return benchSpec(PRESETS['bert-base-uncased'] as HfConfig, {
    name: 'bert',
    configSource: 'bert-base-uncased',
    weights,
  });
}

const ms = (since: number) => performance.now() - since;

/** Runs one phase in a fresh process and returns what it printed. */
function inFreshProcess(name: string): string {
  const r = spawnSync(process.execPath, [__filename, cacheDir, root, name], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${name}: ${r.stderr}`);
  return r.stdout.trim();
}

async function phaseVerify(): Promise<void> {
  const { key } = await modelKey(bertBase(), cacheDir);
  const dir = join(cacheDir, 'models', key);
  let t = performance.now();
  const first = await damageOf(dir, key);
  const firstMs = ms(t);
  t = performance.now();
  await damageOf(dir, key);
  console.log(JSON.stringify({ firstMs, againMs: ms(t), damage: first }));
}

/** Opening the cached bert-base in a fresh process through the store: its check runs beside the opening. */
async function phaseOpen(): Promise<void> {
  const store = new ModelStore(cacheDir);
  const t = performance.now();
  await store.get(bertBase());
  console.log(JSON.stringify({ ms: ms(t) }));
  await store.dispose();
}

/** Opening alone (no check), for comparison. */
async function phaseOpenOnly(): Promise<void> {
  const built = await ensureModel(bertBase(), cacheDir);
  const t = performance.now();
  const session = await ModelSession.open(built.onnxPath, built.dims);
  console.log(JSON.stringify({ ms: ms(t) }));
  await session.release();
}

async function phaseHash(): Promise<void> {
  const weights = join(
    cacheDir,
    'models',
    readdirSync(join(cacheDir, 'models')).find((n) => n.startsWith('bert-'))!,
  );
  const t = performance.now();
  await modelKey(bertBase(join(weights, 'model.safetensors')), cacheDir);
  console.log(JSON.stringify({ ms: ms(t) }));
}

function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

async function cancelDuringBuild(): Promise<{ answer: number; idle: number; gone: number }> {
  const client = new RunnerClient({
    runnerPath: join(root, 'dist', 'runner.js'),
    settings: () => ({ cacheDir, threads: 0, trusted: true }),
    log: () => {},
  });
  const models = join(cacheDir, 'models');
  const text = `---\nmodels:\n  - name: bert\n    config: bert-base-uncased\n    seed: 12345\nmode: eval\n---\nthe cat sat\n~ the dog sat\n`;
  try {
    let cancelledAt = 0;
    const handle = client.run({ file: join(root, 'bench.prompt'), text }, (e) => {
      // One second into generating the weights: the workers are at full speed.
      if (e.type === 'progress' && /random parameters/.test(e.message) && !cancelledAt)
        setTimeout(() => {
          cancelledAt = performance.now();
          handle.cancel();
        }, 1000);
    });
    const last = await handle.finished;
    if (last.type !== 'failed' || last.error.kind !== 'cancelled') throw new Error(`not cancelled: ${last.type}`);
    const answer = ms(cancelledAt);
    const pid = client.pid!;
    let idle = -1;
    let gone = -1;
    let ticks = cpuTicks(pid);
    for (let i = 0; i < 200 && (idle < 0 || gone < 0); i++) {
      await new Promise((r) => setTimeout(r, 20));
      const now = cpuTicks(pid);
      if (idle < 0 && now === ticks) idle = ms(cancelledAt);
      ticks = now;
      if (gone < 0 && !readdirSync(models).some((n) => n.startsWith('.tmp-'))) gone = ms(cancelledAt);
    }
    return { answer, idle, gone };
  } finally {
    client.dispose();
  }
}

async function main(): Promise<void> {
  if (phase === 'verify') return phaseVerify();
  if (phase === 'hash') return phaseHash();
  if (phase === 'open') return phaseOpen();
  if (phase === 'open-only') return phaseOpenOnly();
  const row = (...cells: string[]) => console.log(JSON.stringify(cells));
  if (!existsSync(join(cacheDir, 'models'))) await ensureModel(bertBase(), cacheDir);
  const verify = JSON.parse(inFreshProcess('verify')) as { firstMs: number; againMs: number };
  row(
    'cache entry check, bert-base (sizes + sha256 of 0.44 GB), first use in a process / again',
    `${verify.firstMs.toFixed(0)} ms / ${verify.againMs.toFixed(1)} ms`,
    '',
    'once per process per entry',
  );
  const openOnly = JSON.parse(inFreshProcess('open-only')) as { ms: number };
  const open = JSON.parse(inFreshProcess('open')) as { ms: number };
  row(
    'opening the cached bert-base in a fresh process: open alone / checked and opened (check beside the open)',
    `${openOnly.ms.toFixed(0)} ms / ${open.ms.toFixed(0)} ms`,
    '',
    `the check adds ${(open.ms - openOnly.ms).toFixed(0)} ms`,
  );
  rmSync(join(cacheDir, 'checkpoint-hashes'), { recursive: true, force: true });
  const cold = JSON.parse(inFreshProcess('hash')) as { ms: number };
  const warm = JSON.parse(inFreshProcess('hash')) as { ms: number };
  row(
    'checkpoint content hash, bert-base weights (0.44 GB), first time / remembered in a later process',
    `${cold.ms.toFixed(0)} ms / ${warm.ms.toFixed(1)} ms`,
    '',
    'the cache key is the content',
  );
  const c = await cancelDuringBuild();
  row(
    'cancel 1 s into a bert-base build, via the runner',
    `answer ${c.answer.toFixed(0)} ms · CPU idle ${c.idle.toFixed(0)} ms · build folder gone ${c.gone.toFixed(0)} ms`,
    '',
    'target < 1 s',
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
