/**
 * The host's checks of runner messages, deep: a real report from the real engine passes, and the same
 * report with any one value replaced by one of the wrong type — anywhere inside, down to a single number
 * of a single layer — or with any required field removed, is refused with the place it went wrong.
 * (A result with garbage inside used to pass and made the panel throw.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { parsePromptFile } from '../../extension/lab/promptFile';
import { runExperiment } from '../../extension/lab/experiment/runExperiment';
import { ModelStore } from '../../extension/lab/models/modelStore';
import type { ComparisonReport } from '../../extension/protocol/report';
import {
  hostMessageProblem,
  isRunnerToHost,
  RUNNER_PROTOCOL_VERSION,
  runnerMessageProblem,
} from '../../extension/protocol/runner';
import { freshDir } from '../helpers/paths';
import { measured } from '../helpers/results';
import { TINY_BERT_KEYS, TINY_GPT2_KEYS } from '../helpers/tinyPrompts';

const TEXT = `---
models:
  - name: tiny-gpt2
${TINY_GPT2_KEYS}
    mode: eval
  - name: tiny-bert
${TINY_BERT_KEYS}
    is_decoder: true
add_special_tokens: false
---
the cat sat on the mat
~ the cat sat on the rug
~ a cat sat on the mat
`;

let cached: ComparisonReport | null = null;
async function realReport(): Promise<ComparisonReport> {
  if (cached) return cached;
  const parsed = parsePromptFile(TEXT, join(freshDir(), 'guards.prompt'));
  assert.ok(parsed.experiment, JSON.stringify(parsed.diagnostics));
  const store = new ModelStore(freshDir(), { intraOpThreads: 1 });
  try {
    cached = await runExperiment(parsed.experiment, { store });
  } finally {
    await store.dispose();
  }
  // What crosses the IPC channel is JSON.
  cached = JSON.parse(JSON.stringify(cached)) as ComparisonReport;
  return cached;
}

/** Values whose type is `unknown` in the report: anything goes there. */
const FREE = [/\.config(\.|$)/, /\.fix\.value$/];
/** Fields the types mark optional. */
const OPTIONAL = [/\.fix$/];

type Mutation = { path: string; apply: (root: unknown) => unknown };

function wrongFor(value: unknown): unknown {
  if (typeof value === 'number') return 'NaN';
  if (typeof value === 'string') return 7;
  if (typeof value === 'boolean') return 'yes';
  if (value === null) return { evil: true };
  if (Array.isArray(value)) return 'not a list';
  return 7;
}

/** Every path (arrays sampled at their first two and last elements), as a replacement and, for fields, a removal. */
function mutations(value: unknown, path: string, at: (root: unknown) => unknown): Mutation[] {
  if (FREE.some((r) => r.test(path))) return [];
  const out: Mutation[] = [];
  const replaceAt = (parentAt: (root: unknown) => unknown, key: string | number, wrong: unknown) => (root: unknown) => {
    const copy = structuredClone(root);
    (parentAt(copy) as Record<string | number, unknown>)[key] = wrong;
    return copy;
  };
  if (Array.isArray(value)) {
    const picks = [...new Set([0, 1, value.length - 1])].filter((i) => i >= 0 && i < value.length);
    for (const i of picks) {
      const childAt = (root: unknown) => (at(root) as unknown[])[i];
      out.push({ path: `${path}[${i}]`, apply: replaceAt(at, i, wrongFor(value[i])) });
      out.push(...mutations(value[i], `${path}[${i}]`, childAt));
    }
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, child] of Object.entries(value)) {
      const childPath = `${path}.${key}`;
      if (FREE.some((r) => r.test(childPath))) continue;
      const childAt = (root: unknown) => (at(root) as Record<string, unknown>)[key];
      out.push({ path: childPath, apply: replaceAt(at, key, wrongFor(child)) });
      if (!OPTIONAL.some((r) => r.test(childPath)))
        out.push({
          path: `${childPath} (removed)`,
          apply: (root) => {
            const copy = structuredClone(root);
            delete (at(copy) as Record<string, unknown>)[key];
            return copy;
          },
        });
      out.push(...mutations(child, childPath, childAt));
    }
  }
  return out;
}

test('a real result, outline and report pass the host’s checks', async () => {
  const report = await realReport();
  const results = report.results.map(measured);
  assert.ok(results.some((r) => r.nextToken !== null) && results.some((r) => r.findings.length > 0));
  for (const result of report.results)
    assert.equal(runnerMessageProblem({ type: 'result', requestId: 'r', result }), null);
  assert.equal(runnerMessageProblem({ type: 'done', requestId: 'r', elapsedMs: 5, report }), null);
  const outline = {
    models: report.models,
    cases: [
      { caseIndex: 0, baseText: 'a', encoderText: null, variants: [{ variantIndex: 0, text: 'b', edits: 'text' }] },
    ],
  };
  assert.equal(runnerMessageProblem({ type: 'outline', requestId: 'r', outline }), null);
});

test('a result with any one value of the wrong type, or any field missing, is refused with its place', async () => {
  const report = await realReport();
  // The train-mode causal BERT carries a finding with a quick fix; gpt2 a next-token shift.
  const withFix = report.results.map(measured).find((r) => r.findings.some((f) => f.fix))!;
  const withNext = report.results.map(measured).find((r) => r.nextToken)!;
  let checked = 0;
  for (const result of [withFix, withNext]) {
    const message = { type: 'result', requestId: 'r', result };
    for (const m of mutations(result, 'result', (root) => (root as typeof message).result)) {
      const problem = runnerMessageProblem(m.apply(message));
      assert.ok(problem, `a result with garbage at ${m.path} was accepted`);
      checked++;
    }
  }
  assert.ok(checked > 150, `${checked} mutations checked`);
});

test('a report or an outline with garbage inside is refused, and so is a failed event with a bad diagnostic', async () => {
  const report = await realReport();
  const message = { type: 'done', requestId: 'r', elapsedMs: 1, report };
  let checked = 0;
  for (const m of mutations(report, 'report', (root) => (root as typeof message).report)) {
    if (/^report\.results\[/.test(m.path)) continue; // results as above
    assert.ok(runnerMessageProblem(m.apply(message)), `a report with garbage at ${m.path} was accepted`);
    checked++;
  }
  assert.ok(checked > 40, `${checked} mutations checked`);
  assert.match(
    runnerMessageProblem({ type: 'outline', requestId: 'r', outline: { models: [7], cases: [] } }) ?? '',
    /outline\.models\[0\]/,
  );
  const diagnostic = {
    severity: 'error',
    message: 'x',
    file: 'f',
    range: { start: { line: 0, column: 0 }, end: { line: 0, column: 1 } },
    code: 'c',
  };
  const failed = (d: unknown) => ({
    type: 'failed',
    requestId: 'r',
    error: { kind: 'input', message: 'm', diagnostics: [d] },
  });
  assert.equal(runnerMessageProblem(failed(diagnostic)), null);
  assert.ok(runnerMessageProblem(failed({ ...diagnostic, range: { start: { line: -1, column: 0 } } })));
  assert.ok(runnerMessageProblem(failed({ ...diagnostic, severity: 'fatal' })));
  assert.ok(runnerMessageProblem({ type: 'failed', requestId: 'r', error: { kind: 'weird', message: 'm' } }));
});

test('the place of the first wrong value is named', async () => {
  const report = await realReport();
  const result = structuredClone(measured(report.results[0]));
  (result.layers[1].maxAbsDiff as unknown[])[2] = 'x';
  assert.equal(
    runnerMessageProblem({ type: 'result', requestId: 'r', result }),
    'result.layers[1].maxAbsDiff[2]: not a number',
  );
  assert.equal(isRunnerToHost({ type: 'result', requestId: 'r', result }), false);
});

test('host calls: a run scope must be whole indexes, request ids short, settings whole', () => {
  const run = (extra: Record<string, unknown>) => ({
    type: 'run',
    request: { requestId: 'r', file: '/a.prompt', text: '', ...extra },
  });
  assert.equal(hostMessageProblem(run({})), null);
  assert.equal(hostMessageProblem(run({ only: { caseIndex: 1 } })), null);
  assert.equal(hostMessageProblem(run({ only: { caseIndex: 1, variantIndex: 0 } })), null);
  assert.ok(hostMessageProblem(run({ only: { caseIndex: -1 } })));
  assert.ok(hostMessageProblem(run({ only: { caseIndex: 0.5 } })));
  assert.ok(hostMessageProblem(run({ only: { caseIndex: 0, variantIndex: '1' } })));
  assert.ok(hostMessageProblem(run({ only: 3 })));
  assert.ok(hostMessageProblem({ type: 'cancel', requestId: 'x'.repeat(100_000) }), 'a huge id is refused');
  assert.ok(
    hostMessageProblem({
      type: 'init',
      protocolVersion: RUNNER_PROTOCOL_VERSION,
      settings: { cacheDir: '/c', threads: -3, trusted: true },
    }),
  );
  // An inherited name never stands in for a field.
  assert.ok(hostMessageProblem(JSON.parse('{"type":"cancel","__proto__":{"requestId":"r"}}')));
});
