/**
 * Fuzz: 10 000 seeded, deterministic prompt files — mutations of the examples and files built from the
 * grammar with hostile pieces (see test/helpers/promptFuzz.ts) — through the parser, the validator
 * (which opens real FIFOs, /dev/zero, link loops and secrets) and the real language server over its
 * LSP connection. No crash, no hang (each file has a deadline), and every diagnostic has a message and
 * a range inside the document. A failure names the seed and the file's index, so it can be replayed:
 * FUZZ_SEED=… FUZZ_COUNT=… node --test out/test/server/fuzz.test.js
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Diagnostic } from 'vscode-languageserver';
import { loadModelFiles, parsePromptFile } from '../../extension/lab/promptFile';
import type { LabDiagnostic } from '../../extension/lab/types';
import { hostileFolder, makeFifo } from '../helpers/hostileFiles';
import { repoRoot } from '../helpers/paths';
import { Prng, generatePromptFile, mutatePromptFile, type HostilePaths } from '../helpers/promptFuzz';
import { tempDir } from './fixtures';
import { LspTestClient } from './lspClient';

const SEED = Number(process.env.FUZZ_SEED ?? 20261128);
const COUNT = Number(process.env.FUZZ_COUNT ?? 10_000);
/** Far above what any file takes; reaching it means a hang (a blocked read, an endless loop). */
const DEADLINE_MS = 20_000;

const hostile = hostileFolder();
const paths: HostilePaths = {
  fifo: hostile.fifo,
  loop: hostile.loop,
  tooLong: hostile.tooLong,
  fileInTheWay: hostile.fileInTheWay,
  secret: join(hostile.dir, 'secret.json'),
  bigJson: join(hostile.dir, 'big.json'),
  goodConfig: join(hostile.dir, 'good.json'),
  folder: join(hostile.dir, 'checkpoint'),
};
writeFileSync(paths.secret, 'root:x:0:0:SECRET-VALUE-123:/root:/bin/bash\n');
writeFileSync(paths.bigJson, `{"model_type": "gpt2", "x": "${'y'.repeat(1_200_000)}"}`);
writeFileSync(paths.goodConfig, JSON.stringify({ model_type: 'gpt2', n_layer: 1, n_embd: 8, n_head: 2 }));
mkdirSync(paths.folder);
writeFileSync(join(paths.folder, 'config.json'), JSON.stringify({ model_type: 'bert', hidden_size: 8 }));
makeFifo(paths.folder, 'model.safetensors');

const examples = readdirSync(join(repoRoot(), 'examples'))
  .filter((n) => n.endsWith('.prompt'))
  .map((n) => readFileSync(join(repoRoot(), 'examples', n), 'utf8'));
const withPaths = `---\nmodels:\n  - name: a\n    config: ${paths.goodConfig}\n  - name: b\n    weights: ${paths.folder}\n  - name: c\n    config: ${paths.fifo}\natol: 1e-3\n---\nthe cat sat\n~ the dog sat\n`;
const corpus = [...examples, withPaths];

function fileNumber(i: number): string {
  const r = new Prng(SEED * 1_000_003 + i);
  return r.chance(0.5) ? generatePromptFile(r, paths) : mutatePromptFile(r, r.pick(corpus), paths);
}

/** Lines as LSP counts them: `\r\n`, `\r` and `\n` each end one. */
function lineLengths(text: string): number[] {
  return text.split(/\r\n|\r|\n/).map((l) => l.length);
}

type Place = { start: { line: number; column: number }; end: { line: number; column: number } };

function checkRange(range: Place, lines: number[], what: string): void {
  const ok = (p: { line: number; column: number }) =>
    Number.isInteger(p.line) &&
    Number.isInteger(p.column) &&
    p.line >= 0 &&
    p.line < lines.length &&
    p.column >= 0 &&
    p.column <= lines[p.line];
  assert.ok(
    ok(range.start) && ok(range.end),
    `${what}: range ${JSON.stringify(range)} outside a document of ${lines.length} lines`,
  );
  const ordered =
    range.start.line < range.end.line ||
    (range.start.line === range.end.line && range.start.column <= range.end.column);
  assert.ok(ordered, `${what}: range ${JSON.stringify(range)} ends before it starts`);
}

function checkLab(diagnostics: LabDiagnostic[], lines: number[], what: string): void {
  for (const d of diagnostics) {
    assert.ok(
      typeof d.message === 'string' && d.message.trim().length > 0,
      `${what}: a diagnostic without a message: ${JSON.stringify(d)}`,
    );
    assert.ok(['error', 'warning', 'info'].includes(d.severity), `${what}: severity ${String(d.severity)}`);
    assert.doesNotMatch(d.message, /SECRET-VALUE|root:x|function Object|\[object Object\]/, `${what}: ${d.message}`);
    checkRange(d.range, lines, `${what}: ${d.code}`);
  }
}

function checkLsp(diagnostics: Diagnostic[], lines: number[], what: string): void {
  checkLab(
    diagnostics.map((d) => ({
      severity: d.severity === 1 ? 'error' : d.severity === 2 ? 'warning' : 'info',
      code: String(d.code),
      message: typeof d.message === 'string' ? d.message : '',
      file: '',
      range: {
        start: { line: d.range.start.line, column: d.range.start.character },
        end: { line: d.range.end.line, column: d.range.end.character },
      },
    })),
    lines,
    what,
  );
}

/** `work`, or a failure naming the file if it takes longer than the deadline. */
async function withinDeadline<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not finish within ${DEADLINE_MS} ms (a hang)`)),
      DEADLINE_MS,
    );
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

let client: LspTestClient;
const dir = tempDir();
before(async () => {
  client = await LspTestClient.start({ initializationOptions: { cacheDir: tempDir(), trusted: true } });
});
after(() => client.kill());

/** The parser and the validator, in this process. Returns how many publishes the server will make. */
async function checkInProcess(i: number, text: string, file: string, stats: { withFiles: number; withErrors: number }) {
  const what = describe(i, text);
  const lines = lineLengths(text);
  const parsed = parsePromptFile(text, file);
  checkLab(parsed.diagnostics, lines, `${what}, parser`);
  const loaded = await withinDeadline(loadModelFiles(parsed), `${what}, validator`);
  checkLab(loaded.diagnostics, lines, `${what}, validator`);
  const hasError = loaded.diagnostics.some((d) => d.severity === 'error');
  assert.equal(loaded.experiment === null, hasError || parsed.pending === null, `${what}: experiment iff no error`);
  if (parsed.files.length > 0) stats.withFiles++;
  if (hasError) stats.withErrors++;
  // The server publishes what the text says, then (when the file names files) again once they are read.
  return parsed.files.length > 0 ? 2 : 1;
}

/** The language server: every publish for this document, checked; every 10th file also gets requests. */
async function checkInServer(i: number, text: string, uri: string, publishes: number): Promise<void> {
  const what = describe(i, text);
  const lines = lineLengths(text);
  const first = client.diagnostics.seen.length;
  await client.open(uri, text, 1);
  for (let n = 0, from = first; n < publishes; n++) {
    const published = await withinDeadline(
      client.unlessExited(client.diagnostics.next((p) => p.uri === uri && p.version === 1, from)),
      `${what}, language server publish ${n + 1}`,
    );
    from = client.diagnostics.seen.indexOf(published) + 1;
    checkLsp(published.diagnostics, lines, `${what}, language server`);
  }
  if (i % 10 === 0) {
    const r = new Prng(i);
    const position = { line: r.int(lines.length), character: r.int(lines[0] + 1) };
    await withinDeadline(
      Promise.all([
        client.hover(uri, position),
        client.completion(uri, position),
        client.codeLenses(uri),
        client.symbols(uri),
      ]),
      `${what}, requests`,
    );
  }
  await client.close(uri);
}

function describe(i: number, text: string): string {
  return `seed ${SEED}, file ${i} (${JSON.stringify(text.slice(0, 120))}…)`;
}

/** Files in flight at once in the server: its answers overlap, as they do while a user types in several editors. */
const WINDOW = 16;

test(
  `fuzz: ${COUNT} prompt files (seed ${SEED}) through parser, validator and language server`,
  { timeout: 600_000 },
  async () => {
    const stats = { withFiles: 0, withErrors: 0 };
    for (let start = 0; start < COUNT; start += WINDOW) {
      const batch: Promise<void>[] = [];
      for (let i = start; i < Math.min(COUNT, start + WINDOW); i++) {
        const text = fileNumber(i);
        const file = join(dir, `fuzz-${i}.prompt`);
        const publishes = await checkInProcess(i, text, file, stats);
        batch.push(checkInServer(i, text, pathToFileURL(file).href, publishes));
      }
      await Promise.all(batch);
    }
    assert.deepEqual(client.errorLogs(), [], 'no handler of the language server threw');
    // The generators reach what they are meant to: files that name files, files with errors, clean files.
    assert.ok(stats.withFiles > COUNT / 20, `${stats.withFiles} files named files`);
    assert.ok(
      stats.withErrors > COUNT / 4 && stats.withErrors < COUNT,
      `${stats.withErrors} of ${COUNT} files had errors`,
    );
  },
);
