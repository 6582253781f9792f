/**
 * The runner opens no file a prompt names before the trust check, and then only regular files, never
 * quoting their content: a real FIFO and a real secret file outside the workspace, over a real forked
 * runner. Before the fix the parser read `config:` files while parsing: an untrusted workspace could
 * make it read any file (and print it), and a FIFO blocked the runner for good.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunnerClient, type RunEvent } from '../../extension/host/runnerClient';
import { makeFifo } from '../helpers/hostileFiles';
import { freshDir, repoRoot } from '../helpers/paths';
import { TINY_BERT_KEYS } from '../helpers/tinyPrompts';

const runnerPath = join(repoRoot(), 'dist', 'runner.js');
const cacheDir = freshDir();
const workspace = freshDir('plab-workspace-');
const outside = freshDir('plab-outside-');
const file = join(workspace, 'probe.prompt');
const SECRET = 'SECRET-VALUE-123';
const fifo = makeFifo(outside, 'fifo.json');
const secretJson = join(outside, 'secret.json');
writeFileSync(secretJson, JSON.stringify({ model_type: SECRET, api_key: SECRET }));
const passwd = join(outside, 'passwd');
writeFileSync(passwd, `root:x:0:0:${SECRET}:/root:/bin/bash\n`);
const badValue = join(outside, 'bad-value.json');
writeFileSync(badValue, JSON.stringify({ model_type: 'bert', hidden_act: SECRET, [SECRET]: 1 }));

const TINY = `${TINY_BERT_KEYS}
`;
const presetOnly = `---\nmodels:\n  - name: tiny\n${TINY}mode: eval\n---\nthe cat sat\n~ the dog sat\n`;
/** One model whose `config:` is `value` (its value starts at line 3, column 12, 0-based). */
const withConfig = (value: string) =>
  `---\nmodels:\n  - name: probe\n    config: ${value}\n---\nthe cat sat\n~ the dog sat\n`;

function client(trusted: boolean): RunnerClient {
  return new RunnerClient({ runnerPath, settings: () => ({ cacheDir, threads: 1, trusted }), log: () => {} });
}

async function run(c: RunnerClient, text: string): Promise<RunEvent> {
  return c.run({ file, text }, () => {}).finished;
}

function failure(event: RunEvent) {
  assert.equal(event.type, 'failed', JSON.stringify(event));
  return (event as Extract<RunEvent, { type: 'failed' }>).error;
}

test(
  'untrusted: a FIFO and a secret outside the workspace are refused by the trust check, unopened',
  { timeout: 60_000 },
  async () => {
    const c = client(false);
    try {
      const text = withConfig(fifo).replace('---\nthe', `  - name: leak\n    config: ${secretJson}\n---\nthe`);
      const error = failure(await run(c, text));
      assert.equal(error.kind, 'untrusted', 'the trust check answers, not a read of the FIFO');
      assert.match(error.message, new RegExp(`probe: config ${fifo}`));
      assert.match(error.message, new RegExp(`leak: config ${secretJson}`));
      assert.ok(!JSON.stringify(error).includes(SECRET), 'nothing of the secret file');
      // A typo of a preset is a path too, and is not stat-ed either.
      const typo = failure(await run(c, withConfig('gtp2')));
      assert.equal(typo.kind, 'untrusted');
      assert.match(typo.message, /did you mean the preset `gpt2`\?/);
      assert.equal((await run(c, presetOnly)).type, 'done', 'presets still run');
    } finally {
      c.dispose();
    }
  },
);

test(
  'trusted: a FIFO is an input error at the config: value, and the runner keeps answering',
  { timeout: 60_000 },
  async () => {
    const c = client(true);
    try {
      const error = failure(await run(c, withConfig(fifo)));
      assert.equal(error.kind, 'input');
      const [d] = error.diagnostics ?? [];
      assert.equal(d.message, `${fifo} is a FIFO (named pipe), not a regular file: only regular files are read`);
      assert.deepEqual(d.range, { start: { line: 3, column: 12 }, end: { line: 3, column: 12 + fifo.length } });
      assert.equal((await run(c, presetOnly)).type, 'done');
    } finally {
      c.dispose();
    }
  },
);

test('trusted: messages about a file never repeat what it holds', { timeout: 60_000 }, async () => {
  const c = client(true);
  try {
    const relative = `../${outside.split('/').pop()}/secret.json`;
    for (const [value, expected] of [
      [
        relative,
        /^not supported yet: `model_type` in .*secret\.json; the engine builds `bert`, `gpt2`, .* and `marian`$/,
      ],
      [passwd, new RegExp(`^${passwd} is not valid JSON at line 1 column 1$`)],
      [badValue, /`hidden_act` must be .*, not \(text from the file, not shown\)/],
    ] as const) {
      const error = failure(await run(c, withConfig(value)));
      assert.equal(error.kind, 'input');
      assert.ok(!JSON.stringify(error).includes(SECRET), JSON.stringify(error));
      assert.ok(!JSON.stringify(error).includes('root:x'), JSON.stringify(error));
      assert.ok(
        error.diagnostics?.some((d) => expected.test(d.message)),
        JSON.stringify(error.diagnostics),
      );
      assert.ok(error.diagnostics?.every((d) => d.range.start.line === 3 && d.range.start.column === 12));
    }
  } finally {
    c.dispose();
  }
});
