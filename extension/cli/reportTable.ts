/**
 * The compare command's terminal output, per case: the one-sentence answer (which rule each model follows
 * and why), then per variant one row per model (its weights, verdict, where change starts, the largest
 * change before the perturbed token against the noise floor, allclose at position 0), then each result's
 * explanation and findings with the setting that fixes (or changes) what they name.
 */
import { answerText, caseAnswer } from '../protocol/answer';
import { kindsOf, nonFiniteTotals } from '../protocol/nonFiniteWords';
import type {
  ComparisonReport,
  Finding,
  MeasuredResult,
  ModelSummary,
  VariantResult,
  Verdict,
} from '../protocol/report';
import { formatNumber } from '../protocol/numbers';
import type { Style } from './style';
import { terminalText } from './terminalText';
import { patchingLines } from './patchingTable';
import { readOutLines } from './readOutLines';

/**
 * Every string that came from the user (prompt text, model names, paths, and the report prose that quotes
 * them) passes here before it reaches the terminal: control characters are escaped, never written raw.
 */
const userText = terminalText;

/** Prose wraps at this many columns when the output is not a terminal (a file, a pipe, the README). */
export const DEFAULT_WIDTH = 100;

export function renderReport(report: ComparisonReport, s: Style, width = DEFAULT_WIDTH): string {
  const lines: string[] = [];
  const prose = (first: string, rest: string, text: string) => lines.push(...wrap(text, width, first, rest));
  const byCase = new Map<number, VariantResult[]>();
  for (const r of report.results) byCase.set(r.caseIndex, [...(byCase.get(r.caseIndex) ?? []), r]);
  for (const [caseIndex, results] of byCase) {
    const main = results.find((r) => r.edits === 'text') ?? results[0];
    lines.push(
      s.bold(`Case ${caseIndex + 1}: ${userText(JSON.stringify(main.edits === 'text' ? main.baseText : ''))}`),
    );
    const source = sourceOf(results);
    if (source !== null) lines.push(`  source: ${userText(JSON.stringify(source))}`);
    const answer = answerText(caseAnswer(results), (part) =>
      part.kind === 'model'
        ? s.bold(userText(part.text))
        : userText(part.kind === 'code' ? '`' + part.text + '`' : part.text),
    );
    prose(`  ${s.cyan('Answer:')} `, '    ', answer);
    lines.push('');
    const variants = [...new Set(results.map((r) => r.variantIndex))];
    for (const variantIndex of variants) {
      const rows = results.filter((r) => r.variantIndex === variantIndex);
      const edits = rows[0].edits === 'encoder' ? ' (source)' : '';
      lines.push(`  variant ${variantIndex + 1}${edits}: ${userText(JSON.stringify(rows[0].variantText))}`, '');
      lines.push(...table(rows, report.models, s).map((l) => '  ' + l), '');
      for (const r of rows) {
        prose(`  ${s.bold(userText(r.model))}: `, '    ', userText(r.explanation));
        for (const f of r.kind === 'measured' ? r.findings : []) {
          if (f.code === 'causal-as-expected') continue;
          const mark = f.severity === 'warning' ? s.yellow('!') : s.dim('·');
          prose(`    ${mark} `, '      ', userText(f.message));
          if (f.fix) prose('      ', '        ', fixLine(f.fix, s));
        }
        if (r.kind === 'measured' && r.patching) lines.push(...patchingLines(r, r.patching).map((l) => '    ' + l));
        if (r.kind === 'measured') lines.push(...readOutLines(r, s));
      }
      lines.push('');
    }
  }
  return lines.join('\n');
}

const ANSI = /\x1b\[[0-9;]*m/g;
const visible = (text: string) => text.replace(ANSI, '').length;

/** Greedy word wrap at `width` visible columns (colour codes don't count); the first line after `first`, the rest after `rest`. */
export function wrap(text: string, width: number, first: string, rest: string): string[] {
  const out: string[] = [];
  let line = first;
  let empty = true;
  for (const word of text.split(' ')) {
    if (!empty && visible(line) + 1 + visible(word) > width) {
      out.push(line);
      line = rest + word;
    } else line += (empty ? '' : ' ') + word;
    empty = false;
  }
  out.push(line);
  return out;
}

/** "fix: `mode: eval` — turns dropout off" or "option: `is_decoder: true` — makes it causal". */
export function fixLine(fix: NonNullable<Finding['fix']>, s: Style): string {
  const label = fix.kind === 'fix' ? s.cyan('fix:') : s.cyan('option:');
  return `${label} ${fix.key}: ${yamlValue(fix.value)} — ${userText(fix.description)}`;
}

/** A setting's value as it is written in the front matter. */
export function yamlValue(value: unknown): string {
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'string') return /^[\w.-]+$/.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value);
}

/** "random (seed 0)", "hub: gpt2" or the checkpoint's last two path segments. */
function weightsCell(model: ModelSummary | undefined): string {
  if (!model) return '?';
  const w = model.weights;
  if (w.kind === 'random') return `random (seed ${w.seed})`;
  return w.hub ? `hub: ${w.hub.repoId}` : w.path.split(/[\\/]/).slice(-2).join('/');
}

/** The case's `encoder:` source, as an encoder-decoder's results carry it; null when none does. */
function sourceOf(results: readonly VariantResult[]): string | null {
  for (const r of results) {
    if (r.kind !== 'measured') continue;
    if (r.stack === 'encoder') return r.baseText;
    const encoder = r.otherStacks.find((o) => o.stack === 'encoder');
    if (encoder) return encoder.baseText;
  }
  return null;
}

function earlierCell(r: MeasuredResult): string {
  if (r.evidence.earlierNonFinite && r.nonFinite) return kindsOf(nonFiniteTotals(r.nonFinite.runs));
  return r.evidence.earlierMaxAbsDiff === null ? '—' : formatNumber(r.evidence.earlierMaxAbsDiff);
}

function table(rows: VariantResult[], models: readonly ModelSummary[], s: Style): string[] {
  // The stack column only where an encoder-decoder's row needs it.
  const withStack = rows.some((r) => r.kind === 'measured' && r.stack !== 'model');
  const all = [
    'model',
    'weights',
    'mode',
    'stack',
    'mask',
    'verdict',
    'edit at',
    'first changed',
    'max |Δ| before',
    'noise floor',
    'allclose @0',
  ];
  const keep = (_: unknown, i: number) => withStack || i !== all.indexOf('stack');
  const header = all.filter(keep);
  const cells = rows.map((r) => cellsOf(r, models).filter(keep));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const pad = (c: string[]) =>
    c
      .map((x, i) => x.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  const verdictColumn = header.indexOf('verdict');
  return [
    s.dim(pad(header)),
    ...cells.map((c, row) => {
      const text = pad(c);
      const start = c.slice(0, verdictColumn).reduce((n, x, i) => n + widths[i] + 2, 0);
      const end = start + widths[verdictColumn];
      return text.slice(0, start) + colourVerdict(rows[row].verdict, text.slice(start, end), s) + text.slice(end);
    }),
  ];
}

function colourVerdict(v: Verdict, text: string, s: Style): string {
  switch (v) {
    case 'causal':
      return s.green(text);
    case 'bidirectional':
      return s.cyan(text);
    case 'nondeterministic':
    case 'non-finite':
      return s.red(text);
    case 'undetermined':
      return s.yellow(text);
    case 'not-applicable':
      return s.dim(text);
    default: {
      const never: never = v;
      return never;
    }
  }
}

/** One row's cells, in the table's full column order. */
function cellsOf(r: VariantResult, models: readonly ModelSummary[]): string[] {
  const m = models.find((x) => x.name === r.model);
  if (r.kind === 'not-applicable')
    return [userText(r.model), userText(weightsCell(m)), m?.mode ?? '?', '—', '—', r.verdict, '—', '—', '—', '—', '—'];
  const e = r.evidence;
  return [
    userText(r.model),
    userText(weightsCell(m)),
    m?.mode ?? '?',
    r.stack === 'model' ? '—' : r.stack,
    r.attentionMask.rule + (r.attentionMask.sliding ? ` + window ${r.attentionMask.sliding.window}` : ''),
    r.verdict,
    r.frontier.firstPerturbed === null ? '—' : String(r.frontier.firstPerturbed),
    r.frontier.firstChanged === null ? '—' : String(r.frontier.firstChanged),
    earlierCell(r),
    formatNumber(e.noiseFloor),
    e.allcloseAtPosition0 === null ? '—' : e.allcloseAtPosition0 ? 'True' : 'False',
  ];
}
