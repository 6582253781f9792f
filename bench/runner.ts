// The runner benchmark (run by bench/run.mjs): the seed example through the host's RunnerClient and a
// real forked runner — the same path a click on "Compare" takes, minus the webview's postMessage.
// Time to the first and to the last result with a cold runner (fresh process, models on disk) and a
// warm one (models open), and the runner's memory with both full-size models loaded.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunnerClient } from '../extension/host/runnerClient';

const [cacheDir, root] = process.argv.slice(2);
const file = join(root, 'examples', 'encoder-vs-decoder.prompt');
const text = readFileSync(file, 'utf8');

function timedRun(client: RunnerClient): Promise<{ first: number; last: number }> {
  const started = process.hrtime.bigint();
  const ms = () => Number(process.hrtime.bigint() - started) / 1e6;
  let first = -1;
  const handle = client.run({ file, text }, (e) => {
    if (e.type === 'result' && first < 0) first = ms();
  });
  return handle.finished.then((e) => {
    if (e.type !== 'done') throw new Error(`run ended with ${e.type}: ${JSON.stringify(e)}`);
    return { first, last: ms() };
  });
}

function rssMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

async function main(): Promise<void> {
  const client = new RunnerClient({
    runnerPath: join(root, 'dist', 'runner.js'),
    settings: () => ({ cacheDir, threads: 0, trusted: true }),
    log: () => {},
  });
  const row = (what: string, r: { first: number; last: number }, target: string) =>
    console.log(JSON.stringify([what, `first ${r.first.toFixed(0)} ms · last ${r.last.toFixed(0)} ms`, '', target]));
  try {
    row(
      'seed example via the runner, cold runner (fresh process, models built on disk)',
      await timedRun(client),
      'a process start and two model loads',
    );
    const warm: { first: number; last: number }[] = [];
    for (let i = 0; i < 5; i++) warm.push(await timedRun(client));
    warm.sort((a, b) => a.last - b.last);
    row('seed example via the runner, warm runner (median of 5)', warm[2], 'first < 300 ms, last < 1 s');
    const mem = rssMb(client.pid!);
    console.log(
      JSON.stringify([
        'runner process with gpt2 + bert-base loaded',
        '',
        `${mem.rss.toFixed(0)} MB (peak ${mem.peak.toFixed(0)} MB)`,
        'the extension host holds no model',
      ]),
    );
  } finally {
    client.dispose();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
