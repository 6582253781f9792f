/**
 * The two phases of a `from:` entry, in process: phase 1 records the repo and revision and opens nothing;
 * phase 2 asks the real Hub client (against the loopback Hub) once per repo and revision, never while the
 * text has an error, and finishes the entry as `weights:` its snapshot folder — eval mode, the repo's config
 * with the entry's overrides on top, the repo's tokenizer.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { HubPlanner } from '../../extension/lab/config';
import { planModel } from '../../extension/lab/hub';
import { loadModelFiles, parsePromptFile } from '../../extension/lab/promptFile';
import { nodeModelFileReader } from '../../extension/lab/config';
import { CancelledError } from '../../extension/lab/cancel';
import { settingsFor } from '../helpers/hubKit';
import { HubServer, repoOf } from '../helpers/hubServer';
import { tinyRepoFiles } from '../helpers/tinyTokenizers';

let server: HubServer;
before(async () => {
  server = await HubServer.start([
    repoOf('gpt2', tinyRepoFiles('gpt2')),
    repoOf('bert-base-uncased', tinyRepoFiles('bert')),
  ]);
});
after(() => server.close());

const FILE = '/work/x.prompt';
const text = (models: string, extra = '') =>
  `---\nmodels:\n${models}${extra}---\n<pad> Ich will ein\n~ <pad> Ich will das\n`;
const SEED = text(
  '  - name: gpt2\n    from: gpt2\n  - name: a\n    from: bert-base-uncased\n    is_decoder: true\n    mode: train\n' +
    '  - name: b\n    from: bert-base-uncased\n    is_decoder: true\n  - name: c\n    from: bert-base-uncased\n',
);

/** The real planner, counting the lookups it is asked for. */
function countingPlanner(): { planner: HubPlanner; asked: string[] } {
  const settings = settingsFor(server);
  const asked: string[] = [];
  return {
    asked,
    planner: (ref) => {
      asked.push(`${ref.repoId}@${ref.revision}`);
      return planModel(ref, settings);
    },
  };
}

test('phase 1 records from: and revision: and opens nothing', () => {
  const parsed = parsePromptFile(text('  - name: m\n    from: org/model.v2\n    revision: refs/pr/3\n'), FILE);
  assert.deepEqual(parsed.diagnostics, []);
  assert.equal(parsed.experiment, null, 'waits for phase 2');
  assert.deepEqual(parsed.files, []);
  assert.deepEqual(
    parsed.hub.map((h) => [h.model, h.repoId, h.revision, h.range.start.line, h.range.start.column]),
    [['m', 'org/model.v2', 'refs/pr/3', 3, 10]],
  );
});

test('a revision written as a number says to quote it; an empty from: says what to write', () => {
  const parsed = parsePromptFile(
    text('  - name: m\n    from: gpt2\n    revision: 1234567\n  - name: n\n    from:\n'),
    FILE,
  );
  const messages = parsed.diagnostics.map((d) => `${d.range.start.line}:${d.range.start.column} ${d.message}`);
  assert.deepEqual(messages, [
    '4:14 `revision` must be text, not 1234567 (write it in quotes: `revision: "1234567"`)',
    '6:4 `from` has no value; write a Hub model id such as `gpt2` or `org/name`',
  ]);
  assert.deepEqual(parsed.hub, []);
});

test('phase 2 asks once per repo and revision, and finishes each entry as weights: its snapshot', async () => {
  const { planner, asked } = countingPlanner();
  const loaded = await loadModelFiles(parsePromptFile(SEED, FILE), nodeModelFileReader, { hub: planner });
  assert.deepEqual(asked, ['gpt2@main', 'bert-base-uncased@main']);
  assert.deepEqual(loaded.diagnostics, []);
  const models = loaded.experiment!.models;
  assert.deepEqual(
    models.map((m) => [m.name, m.architecture, m.mode, m.config.is_decoder ?? false]),
    [
      ['gpt2', 'gpt2', 'eval'],
      ['a', 'bert', 'train', true],
      ['b', 'bert', 'eval', true],
      ['c', 'bert', 'eval', false],
    ].map((r) => (r.length === 3 ? [...r, false] : r)),
  );
  const gpt2 = models[0];
  assert.equal(gpt2.weights, gpt2.hub!.plan.snapshotDir);
  assert.deepEqual(gpt2.tokenizer, { kind: 'folder', folder: gpt2.weights }, "the repo's own tokenizer");
  assert.equal(gpt2.configSource, join(gpt2.weights!, 'config.json'));
  assert.equal(gpt2.config.n_embd, 32, "the repo's config");
  assert.equal(gpt2.hub!.plan.bytesToFetch > 0, true, 'planned, not downloaded');
});

test('no lookup while the text has an error; a cancelled lookup is a cancel, not an input error', async () => {
  const { planner, asked } = countingPlanner();
  const broken = SEED.replace('  - name: c\n', '  - name: c\n    atol: -1\n');
  const loaded = await loadModelFiles(parsePromptFile(broken, FILE), nodeModelFileReader, { hub: planner });
  assert.deepEqual(asked, []);
  assert.equal(loaded.experiment, null);
  assert.ok(loaded.diagnostics.some((d) => d.message.includes('atol')));

  const controller = new AbortController();
  controller.abort();
  const settings = settingsFor(server);
  await assert.rejects(
    loadModelFiles(parsePromptFile(SEED, FILE), nodeModelFileReader, {
      hub: (ref) => planModel(ref, settings, { signal: controller.signal }),
    }),
    CancelledError,
  );
});
