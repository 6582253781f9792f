/**
 * The CLI's download progress: a bar redrawn in place only on a terminal, plain lines elsewhere, names from a
 * repo escaped. Driven by a real download from the loopback Hub.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { downloadProgress, type ProgressStream } from '../../extension/cli/downloadProgress';
import { type HubProgress, resolveModel } from '../../extension/lab/hub';
import { referenceRepo, settingsFor } from '../helpers/hubKit';
import { HubServer } from '../helpers/hubServer';

let server: HubServer;
before(async () => {
  server = await HubServer.start([referenceRepo('gpt2')]);
});
after(() => server.close());

function capture(isTTY: boolean): ProgressStream & { out: string } {
  const s = {
    isTTY,
    columns: 100,
    out: '',
    write(text: string) {
      s.out += text;
      return true;
    },
  };
  return s;
}

async function download(): Promise<HubProgress[]> {
  const events: HubProgress[] = [];
  await resolveModel({ repoId: 'hf-reference/gpt2' }, settingsFor(server), { onProgress: (e) => events.push(e) });
  return events;
}

test('not a terminal: one plain line per file start and end, no carriage return or escape code', async () => {
  const events = await download();
  const stream = capture(false);
  const progress = downloadProgress(stream, 'gpt2');
  for (const e of events) progress.report(e);
  progress.done();
  assert.doesNotMatch(stream.out, /[\r\x1b]/);
  const lines = stream.out.trimEnd().split('\n');
  assert.equal(lines[0], 'gpt2: asking the Hub about hf-reference/gpt2@main');
  assert.ok(lines.includes('gpt2: downloading model.safetensors (125 kB)'));
  assert.ok(lines.some((l) => /^gpt2: model\.safetensors done/.test(l)));
  assert.ok(lines.some((l) => /^gpt2: generation_config\.json done \(125 kB of 125 kB\)$/.test(l)));
  assert.match(lines.at(-1)!, /^gpt2: downloaded 125 kB in \d+\.\d s$/);
});

test('a terminal: one line redrawn in place, at most every 100 ms, cleared at the end', async () => {
  const events = await download();
  const stream = capture(true);
  let clock = 0;
  const progress = downloadProgress(stream, 'gpt2', () => clock);
  const bytes = events.filter((e) => e.kind === 'bytes');
  assert.ok(bytes.length > 2, 'several chunks');
  for (const e of events) progress.report(e); // all at the same instant: only the first and the last are drawn
  const draws = stream.out.split('\r\x1b[2K').length - 1;
  assert.equal(draws, 2);
  assert.match(stream.out, /gpt2 █+ 125 kB \/ 125 kB 100% · generation_config\.json/);
  clock = 2500;
  progress.done();
  assert.ok(stream.out.endsWith('\r\x1b[2Kgpt2: downloaded 125 kB in 2.5 s\n'));
  assert.ok(!stream.out.includes('\n\r'), 'no stray lines while drawing');
});

test('file and model names with terminal escapes are shown escaped', () => {
  const stream = capture(false);
  const progress = downloadProgress(stream, 'evil\x1b]0;title\x07');
  progress.report({ kind: 'bytes', file: 'x\x1b[2J.safetensors', fileBytes: 1, fileTotal: 2, bytes: 1, total: 2 });
  assert.doesNotMatch(stream.out, /\x1b/);
  assert.match(stream.out, /evil\\x1b\]0;title\\x07: downloading x\\x1b\[2J\.safetensors/);
});
