/**
 * `cases:` in the front matter: prompts that need YAML (line breaks, a leading `~` or `#`),
 * as `{ base: ..., variants: [...] }`, with an encoder-decoder's source as `encoder: ...` and a variant of the
 * source as `{ encoder: ... }` among the variants. Strings are taken exactly as YAML reads them.
 */
import { isMap, isScalar, isSeq } from 'yaml';
import { type DiagnosticList, listNames } from '../config/diagnostics';
import { closestMatch } from '../config/suggest';
import type { PromptCase, PromptText, PromptVariant, SourceRange } from '../types';
import { CASE_KEYS } from './keys';
import type { TextPositions } from './layout';
import { isNode, mapRange, nodeRange, pairKey, pairRange, pairValueRange } from './yamlNodes';

const CASE_EXAMPLE = 'cases:\n  - base: "The cat sat"\n    variants: ["The dog sat"]';

export function readCases(
  value: unknown,
  keyRange: SourceRange,
  positions: TextPositions,
  out: DiagnosticList,
): PromptCase[] {
  if (!isSeq(value)) {
    out.error(
      'bad-value',
      `\`cases\` must be a list of cases, for example:\n${CASE_EXAMPLE}`,
      isNode(value) && value.range && value.range[1] > value.range[0] ? nodeRange(value, positions) : keyRange,
    );
    return [];
  }
  const cases: PromptCase[] = [];
  for (const item of value.items) {
    const one = readCase(item, keyRange, positions, out);
    if (one) cases.push(one);
  }
  return cases;
}

function readCase(
  item: unknown,
  fallback: SourceRange,
  positions: TextPositions,
  out: DiagnosticList,
): PromptCase | undefined {
  const itemRange =
    isMap(item) && item.range
      ? mapRange(item, positions)
      : isNode(item) && item.range
        ? nodeRange(item, positions)
        : fallback;
  if (!isMap(item)) {
    out.error(
      'bad-value',
      `each case is a map with a \`base\` and its \`variants\`, for example:\n${CASE_EXAMPLE}`,
      itemRange,
    );
    return undefined;
  }
  let base: PromptText | undefined;
  let encoder: PromptText | undefined;
  const variants: PromptVariant[] = [];
  let problems = false;
  for (const pair of item.items) {
    const key = pairKey(pair, positions);
    if (!key) continue;
    const valueRange = pairValueRange(pair, key.range, positions);
    if (key.name === 'base') {
      base = promptOf(pair.value, 'base', valueRange, positions, out);
      problems ||= !base;
    } else if (key.name === 'encoder') {
      encoder = promptOf(pair.value, '`encoder`', valueRange, positions, out);
      problems ||= !encoder;
    } else if (key.name === 'variants') {
      if (!isSeq(pair.value)) {
        out.error(
          'bad-value',
          '`variants` must be a list of prompts, e.g. `variants: ["The dog sat", "A cat sat"]`',
          valueRange,
        );
        problems = true;
        continue;
      }
      for (const v of pair.value.items) {
        const variant = variantOf(v, isNode(v) && v.range ? nodeRange(v, positions) : valueRange, positions, out);
        if (variant) variants.push(variant);
        else problems = true;
      }
    } else if (key.name === 'perturb') {
      out.error(
        'not-supported',
        'not supported yet: `perturb:` (generators that make variants come later); list the variants under `variants:`',
        pairRange(key.range, valueRange),
      );
      problems = true;
    } else {
      const allowed = CASE_KEYS.map((k) => k.key);
      const guess = closestMatch(key.name, allowed);
      out.error(
        'unknown-key',
        `\`${key.name}\` is not a key of a case${guess ? `; did you mean \`${guess}\`?` : '.'} Allowed: ${listNames(allowed, 'and')}`,
        key.range,
        guess ? { target: 'key', key: key.name, texts: [guess], closeMatch: true } : undefined,
      );
      problems = true;
    }
  }
  if (!base) {
    if (!problems)
      out.error('missing-key', 'this case has no `base`: the prompt its variants are compared with', {
        start: itemRange.start,
        end: itemRange.start,
      });
    return undefined;
  }
  if (variants.length === 0 && !problems)
    out.warning(
      'no-variant',
      'this case has no variant, so there is nothing to compare: add `variants: [...]`',
      base.range,
    );
  for (const v of variants) {
    if (v.edits === 'encoder' && !encoder) {
      out.error(
        'encoder-variant-without-encoder',
        'this `encoder` variant replaces the source, but the case has none: add `encoder: ...` (the source) to the case',
        v.range,
      );
      return undefined;
    }
    if (v.text === (v.edits === 'encoder' ? encoder!.text : base.text))
      out.warning('same-as-base', 'this variant is the same text as its base: nothing is perturbed', v.range);
  }
  return { base, ...(encoder ? { encoder } : {}), variants, range: itemRange };
}

/** A variant: a prompt (it replaces the base), or `{ encoder: ... }` (it replaces the source). */
function variantOf(
  node: unknown,
  range: SourceRange,
  positions: TextPositions,
  out: DiagnosticList,
): PromptVariant | undefined {
  if (isMap(node)) {
    const [pair, ...rest] = node.items;
    const key = pair && pairKey(pair, positions);
    if (key?.name === 'encoder' && rest.length === 0) {
      const prompt = promptOf(
        pair.value,
        'an encoder variant',
        pairValueRange(pair, key.range, positions),
        positions,
        out,
      );
      return prompt && { ...prompt, edits: 'encoder' };
    }
    out.error(
      'bad-value',
      'a variant is a prompt, or `{ encoder: ... }` for a variant of the source, e.g. `variants: ["The dog sat", { encoder: "A dog sat" }]`',
      range,
    );
    return undefined;
  }
  const prompt = promptOf(node, 'a variant', range, positions, out);
  return prompt && { ...prompt, edits: 'text' };
}

/** A prompt written in YAML: must be a non-empty string; numbers and booleans must be quoted. */
function promptOf(
  node: unknown,
  what: string,
  range: SourceRange,
  positions: TextPositions,
  out: DiagnosticList,
): PromptText | undefined {
  if (isScalar(node) && typeof node.value === 'string') {
    if (node.value === '') {
      out.error('empty-prompt', `${what === 'base' ? 'the base' : 'this variant'} is empty: write a prompt`, range);
      return undefined;
    }
    return { text: node.value, range: node.range ? nodeRange(node, positions) : range };
  }
  if (isScalar(node) && node.value !== null) {
    const source = (node as { source?: string }).source ?? String(node.value);
    out.error(
      'bad-value',
      `${what === 'base' ? '`base`' : 'a variant'} must be text; YAML reads \`${source}\` as a ${typeof node.value}: put it in quotes ("${source}")`,
      range,
    );
    return undefined;
  }
  out.error(
    isScalar(node) || node === null ? 'empty-prompt' : 'bad-value',
    `${what === 'base' ? '`base`' : 'a variant'} must be a prompt (text)`,
    range,
  );
  return undefined;
}
