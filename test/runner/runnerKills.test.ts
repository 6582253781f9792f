/**
 * The kill test: twenty real SIGKILLs of the real forked runner at random points of a run — while it
 * starts, while it generates a model's weights, while it opens a model, while it runs a batch, between two
 * results — through one host RunnerClient. Each killed run must end with the reason, and the next run must
 * start a new runner and give exactly the results an undisturbed run gives. At the end no build folder of
 * a killed runner is left once the next build sweeps, and every cache entry is intact.
 * The points are drawn from a seed (printed; set PLAB_KILL_SEED to replay one).
 */
import { cacheFolderNames } from '../helpers/cacheFolder';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { RunnerClient, type RunEvent } from '../../extension/host/runnerClient';
import type { VariantResult } from '../../extension/protocol/report';
import { damageOf } from '../../extension/lab/models/cacheEntry';
import { freshDir, repoRoot } from '../helpers/paths';
import { TINY_BERT_KEYS, TINY_GPT2_KEYS } from '../helpers/tinyPrompts';

const runnerPath = join(repoRoot(), 'dist', 'runner.js');
const file = join(freshDir(), 'kills.prompt');
const KILLS = 20;

/** The run that must keep working: two tiny models, three cases, eight results. */
const STEADY = `---
models:
  - name: tiny
${TINY_BERT_KEYS}
  - name: tiny-gpt2
${TINY_GPT2_KEYS}
mode: eval
add_special_tokens: false
---
the cat sat on the mat
~ the cat sat on the rug
~ a cat sat on the mat

the bird sang
~ the bird slept

one two three four
~ one two three five
`;

/** The same models over many cases: a run long enough that a kill lands well before its end. */
const LONG =
  STEADY.slice(0, STEADY.lastIndexOf('---\n') + 4) +
  Array.from({ length: 20 }, (_, i) => `the cat number ${i} sat\n~ the cat number ${i} slept`).join('\n\n') +
  '\n';

/** A model built afresh for each seed, big enough that generating its weights takes a moment. */
const BUILDING = (seed: number) =>
  `---\nmodels:\n  - name: fresh\n    config: gpt2\n    n_layer: 2\n    n_embd: 384\n    n_head: 6\n    seed: ${seed}\nmode: eval\n---\nthe cat sat\n~ the dog sat\n`;

type Point = 'starting' | 'building' | 'opening' | 'running' | 'between results';
const POINTS: Point[] = ['starting', 'building', 'opening', 'running', 'between results'];

/** mulberry32: a small seeded generator, so a failing sequence of kill points can be replayed. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What a result says, without the run-specific parts: equal for any two undisturbed runs. */
const essence = (r: VariantResult) =>
  r.kind === 'measured'
    ? JSON.stringify([r.model, r.caseIndex, r.variantIndex, r.verdict, r.layers, r.control, r.evidence])
    : JSON.stringify(r);

test(
  `${KILLS} SIGKILLs of the runner at random points: each run fails with the reason and the next run works`,
  { timeout: 600_000 },
  async (t) => {
    const seed = Number(process.env.PLAB_KILL_SEED ?? Date.now() % 1_000_000);
    t.diagnostic(`kill points drawn from seed ${seed} (PLAB_KILL_SEED=${seed} replays them)`);
    const random = generator(seed);
    const cacheDir = freshDir();
    const logs: string[] = [];
    const c = new RunnerClient({
      runnerPath,
      settings: () => ({ cacheDir, threads: 1, trusted: true }),
      log: (l) => logs.push(l),
    });
    const runToEnd = async () => {
      const results: VariantResult[] = [];
      const last = await c.run({ file, text: STEADY }, (e) => e.type === 'result' && results.push(e.result)).finished;
      assert.equal(last.type, 'done', JSON.stringify(last).slice(0, 500));
      return results.map(essence);
    };
    try {
      const undisturbed = await runToEnd();
      assert.equal(undisturbed.length, 8);
      // Four kills at each point, in an order drawn from the seed.
      const points = POINTS.flatMap((p) => [p, p, p, p]);
      for (let i = points.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [points[i], points[j]] = [points[j], points[i]];
      }
      for (const [k, point] of points.entries()) {
        const where = `kill ${k + 1} (${point})`;
        // Starting and opening happen only in a fresh runner (a warm one has its models open).
        if (point === 'starting' || point === 'opening') c.restart('a fresh runner for the next kill');
        const text = point === 'building' ? BUILDING(seed * 100 + k) : LONG;
        // Which message of the step the kill follows: a random one among those the step sends.
        const nth = 1 + Math.floor(random() * (point === 'between results' ? 6 : point === 'running' ? 3 : 2));
        const buildStep = random() < 0.5 ? /random parameters/ : /writing the ONNX graph/;
        let killedPid = 0;
        let count = 0;
        const kill = () => {
          if (killedPid) return;
          killedPid = c.pid!;
          process.kill(killedPid, 'SIGKILL');
        };
        const handle = c.run({ file, text }, (e: RunEvent) => {
          if (e.type === 'progress' && point === 'building' && buildStep.test(e.message)) kill();
          if (e.type === 'progress' && point === 'opening' && e.message === 'opening the model' && ++count === nth)
            kill();
          if (e.type === 'progress' && point === 'running' && e.stage === 'running' && ++count === nth) kill();
          if (e.type === 'result' && point === 'between results' && ++count === nth) kill();
        });
        if (point === 'starting') kill();
        const last = await handle.finished;
        assert.ok(killedPid, `${where}: the kill happened`);
        assert.equal(last.type, 'crashed', `${where}: ${JSON.stringify(last).slice(0, 300)}`);
        assert.match(
          (last as Extract<RunEvent, { type: 'crashed' }>).reason,
          /runner process was killed by SIGKILL/,
          where,
        );
        assert.deepEqual(await runToEnd(), undisturbed, `${where}: the next run gives the undisturbed results`);
        assert.notEqual(c.pid, killedPid, `${where}: on a new runner`);
      }

      // A new build sweeps what the killed builds left; every entry in the cache is intact.
      const last = await c.run({ file, text: BUILDING(seed * 100 + 99) }, () => {}).finished;
      assert.equal(last.type, 'done');
      const models = join(cacheDir, 'models');
      const names = cacheFolderNames(models);
      assert.deepEqual(
        names.filter((n) => n.startsWith('.')),
        [],
        'no build folder of a killed runner is left',
      );
      for (const name of names) assert.equal(await damageOf(join(models, name), name), null, `${name} is intact`);
      assert.ok(
        logs.every((l) => !/refused a malformed message|event for an unknown run/.test(l)),
        'no stray or malformed message reached the host',
      );
    } finally {
      c.dispose();
    }
  },
);
