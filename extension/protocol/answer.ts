/**
 * The one-sentence answer per case that front ends show above the details: which rule each model
 * follows and why, grouped ("`gpt2` and `bert-causal-eval` are causal; `bert` reads both ways …").
 * Derived from the results alone, so the panel (which gets results one by one) and the CLI (which
 * has the whole report) say the same words. Returned as parts, so each front end marks model names
 * and settings its own way and no report text is ever parsed as markup.
 */
import { kindsOf, shortNonFinite } from './nonFiniteWords';
import type { FindingCode, MeasuredResult, VariantResult } from './report';

export type AnswerPart =
  { kind: 'text'; text: string } | { kind: 'model'; text: string } | { kind: 'code'; text: string };

/** What one model does in one case, judged over all of its variants there. */
interface ModelRule {
  model: string;
  /** Models with the same key are named together. */
  key: string;
  /** The words after the names (singular / plural verb forms). */
  phrase: (plural: boolean) => AnswerPart[];
}

const text = (t: string): AnswerPart => ({ kind: 'text', text: t });
const code = (t: string): AnswerPart => ({ kind: 'code', text: t });

/** The answer for one case's results (any order; models in order of first appearance). Empty for no results. */
export function caseAnswer(results: readonly VariantResult[]): AnswerPart[] {
  const models: string[] = [];
  for (const r of results) if (!models.includes(r.model)) models.push(r.model);
  const rules = models.map((model) =>
    ruleOf(
      model,
      results.filter((r) => r.model === model),
    ),
  );
  const groups: ModelRule[][] = [];
  for (const rule of rules) {
    const group = groups.find((g) => g[0].key === rule.key);
    if (group) group.push(rule);
    else groups.push([rule]);
  }
  const parts: AnswerPart[] = [];
  groups.forEach((group, index) => {
    if (index > 0) parts.push(text('; '));
    group.forEach((rule, i) => {
      if (i > 0) parts.push(text(i === group.length - 1 ? ' and ' : ', '));
      parts.push({ kind: 'model', text: rule.model });
    });
    parts.push(...group[0].phrase(group.length > 1));
  });
  if (parts.length > 0) parts.push(text('.'));
  return parts;
}

/** The answer as plain text, code in backticks (for the CLI and for tests). */
export function answerText(parts: readonly AnswerPart[], mark: (part: AnswerPart) => string = plainMark): string {
  return parts.map(mark).join('');
}

function plainMark(part: AnswerPart): string {
  return part.kind === 'code' ? '`' + part.text + '`' : part.text;
}

function has(results: readonly MeasuredResult[], code: FindingCode): boolean {
  return results.some((r) => r.findings.some((f) => f.code === code));
}

function ruleOf(model: string, all: readonly VariantResult[]): ModelRule {
  const results = all.filter((r): r is MeasuredResult => r.kind === 'measured');
  if (results.length === 0)
    return {
      model,
      key: 'not-applicable',
      phrase: (plural) => [
        text(`${plural ? ' have' : ' has'} no encoder: an `),
        code('encoder:'),
        text(' variant does not apply'),
      ],
    };
  if (results.some((r) => r.stack !== 'model')) return encoderDecoderRule(model, results);
  return singleStackRule(model, results);
}

/**
 * An encoder-decoder, judged per stack: a decoder edit against earlier decoder positions (its self-attention
 * is causal), a source edit across the encoder (bidirectional) and into the decoder (cross-attention).
 */
function encoderDecoderRule(model: string, results: readonly MeasuredResult[]): ModelRule {
  if (results.some((r) => r.verdict === 'nondeterministic' || r.verdict === 'non-finite'))
    return singleStackRule(model, results);
  const decoderEdits = results.filter((r) => r.stack === 'decoder');
  const sourceEdits = results.filter((r) => r.stack === 'encoder');
  const parts: ((plural: boolean) => AnswerPart[])[] = [];
  const key: string[] = [];
  if (decoderEdits.length > 0) {
    const causal = decoderEdits.every((r) => r.verdict === 'causal' || r.verdict === 'undetermined');
    key.push(causal ? 'decoder-causal' : 'decoder-leaks');
    parts.push((plural) => [
      text(
        causal
          ? `${plural ? ' keep' : ' keeps'} earlier decoder positions under a decoder edit (causal self-attention)`
          : `${plural ? ' change' : ' changes'} earlier decoder positions under a decoder edit`,
      ),
    ]);
  }
  if (sourceEdits.length > 0) {
    const reached = sourceEdits.some((r) =>
      r.otherStacks.some((o) => o.stack === 'decoder' && o.verdict === 'changed'),
    );
    key.push(reached ? 'source-reaches-decoder' : 'source-stays');
    parts.push(() => [
      text(
        reached
          ? ' a source edit changes the encoder both ways and every decoder position it reaches through cross-attention'
          : ' a source edit changes the encoder but not the decoder',
      ),
    ]);
  }
  return {
    model,
    key: `encoder-decoder:${key.join('/')}`,
    phrase: (plural) => parts.flatMap((p, i) => [...(i > 0 ? [text(';')] : []), ...p(plural)]),
  };
}

function singleStackRule(model: string, results: readonly MeasuredResult[]): ModelRule {
  const verdicts = new Set(results.map((r) => r.verdict));
  const is = (plural: boolean) => (plural ? ' are' : ' is');
  if (verdicts.has('non-finite')) {
    const r = results.find((x) => x.verdict === 'non-finite')!;
    const tensors = r.nonFinite?.weights.kind === 'checked' ? r.nonFinite.weights.tensors : [];
    return {
      model,
      key: `non-finite:${tensors[0]?.name ?? ''}`,
      phrase: () => [
        text(` can't be judged: its states hold ${r.nonFinite ? shortNonFinite(r.nonFinite) : 'NaN or Inf'}`),
        ...(tensors.length > 0
          ? [text(" (the checkpoint's "), code(tensors[0].name), text(` holds ${kindsOf(tensors[0])})`)]
          : []),
      ],
    };
  }
  if (verdicts.has('nondeterministic')) {
    if (has(results, 'train-mode-dropout'))
      return {
        model,
        key: 'train-mode',
        phrase: () => [
          text(" can't be judged in train mode (dropout changes even the same input run twice) — set "),
          code('mode: eval'),
        ],
      };
    return {
      model,
      key: 'nondeterministic',
      phrase: () => [text(" can't be judged: the same input run twice gives different states")],
    };
  }
  if (verdicts.has('bidirectional')) {
    const masked = results.some((r) => r.verdict === 'bidirectional' && r.attentionMask.rule === 'causal');
    return {
      model,
      key: masked ? 'bidirectional-masked' : 'bidirectional',
      phrase: (plural) => [
        text(`${plural ? ' read' : ' reads'} both ways`),
        text(
          masked
            ? ' (the edit changed earlier positions, even with a causal mask)'
            : ' (no causal mask: the edit changed earlier positions)',
        ),
      ],
    };
  }
  if (verdicts.has('causal'))
    return {
      model,
      key: 'causal',
      phrase: (plural) => [text(`${is(plural)} causal (positions before the edit kept their states)`)],
    };
  const why = has(results, 'nothing-changed')
    ? ': nothing in it responds to the edit'
    : has(results, 'perturbed-at-position-0')
      ? ': the edit is at position 0, with nothing before it'
      : ': both prompts give it the same tokens';
  return { model, key: `undetermined${why}`, phrase: () => [text(` can't be judged here${why}`)] };
}
