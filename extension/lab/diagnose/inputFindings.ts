/**
 * Traps in the input itself, whatever the verdict: text that looks like a pad token but is not,
 * an edit that shifts every later position, a special token sitting at position 0.
 */
import type { Finding, TokenView } from '../../protocol/report';
import { quoteToken } from './format';
import type { DiagnoseInput } from './types';

export function inputFindings(input: DiagnoseInput): Finding[] {
  return [...padTextFindings(input), ...tokenCountFindings(input), ...specialTokenFindings(input)];
}

/** `<pad>`, `[PAD]`, `<PAD>`, `[pad]` written in a prompt. */
const PAD_LIKE_TEXT = /<pad>|\[pad\]/gi;

function padTextFindings(input: DiagnoseInput): Finding[] {
  const findings: Finding[] = [];
  const reported = new Set<string>();
  const sides: [string, TokenView[]][] = [
    [input.baseText, input.baseTokens],
    [input.variantText, input.variantTokens],
  ];
  for (const [text, tokens] of sides) {
    for (const match of text.matchAll(PAD_LIKE_TEXT)) {
      const padText = match[0];
      // The tokenizer may really turn it into its special pad token (BERT does for `[PAD]`).
      if (tokens.some((t) => t.special && t.text.toLowerCase() === padText.toLowerCase())) continue;
      if (reported.has(padText)) continue;
      reported.add(padText);
      const pieces = findPieces(tokens, padText);
      const splitInto =
        pieces === null ? 'reads it as ordinary text' : `splits it into ${pieces.map(quoteToken).join(', ')}`;
      findings.push({
        code: 'pad-text-not-pad-token',
        severity: 'warning',
        message:
          `\`${padText}\` here is ordinary text: the ${input.model.label} tokenizer ${splitInto} — ` +
          'it is not a padding token, and the model attends to it like any other word.',
      });
    }
  }
  return findings;
}

/** The consecutive ordinary tokens that spell `text` (ignoring the tokenizers' `Ġ`, `##`, `▁` marks and case). */
function findPieces(tokens: readonly TokenView[], text: string): TokenView[] | null {
  const target = text.toLowerCase();
  const surface = (t: TokenView) => t.text.replace(/^(Ġ|##|▁)/, '').toLowerCase();
  for (let start = 0; start < tokens.length; start++) {
    let spelled = '';
    for (let end = start; end < tokens.length && !tokens[end].special; end++) {
      spelled += surface(tokens[end]);
      if (spelled === target) return tokens.slice(start, end + 1);
      if (!target.startsWith(spelled)) break;
    }
  }
  return null;
}

/** An edit that changes the token count shifts the tokens after it — when there are any (an appended token shifts none). */
function tokenCountFindings(input: DiagnoseInput): Finding[] {
  const change = input.alignment.lengthChange;
  const shifted = input.alignment.pairs.filter((p) => p.base !== null && p.variant !== null && p.base !== p.variant);
  if (change === 0 || shifted.length === 0) return [];
  const moreOrFewer = change > 0 ? 'more' : 'fewer';
  const count = Math.abs(change);
  const first = shifted[0];
  return [
    {
      code: 'token-count-changed',
      severity: 'warning',
      message:
        `The variant has ${count} ${moreOrFewer} token${count === 1 ? '' : 's'} than the base (${input.variantTokens.length} vs ${input.baseTokens.length}), ` +
        `so the ${shifted.length === 1 ? 'token' : `${shifted.length} tokens`} after the edit moved: they are compared by ` +
        `aligning the prompts from the end (base position ${first.base} with variant position ${first.variant}), not by index.`,
    },
  ];
}

function specialTokenFindings(input: DiagnoseInput): Finding[] {
  const first = input.baseTokens[0];
  if (first === undefined || !first.special) return [];
  const last = input.baseTokens[input.baseTokens.length - 1];
  const origin = input.model.addSpecialTokens
    ? 'that the tokenizer adds (add_special_tokens: true)'
    : 'written in your text';
  const sentences = [
    `Position 0 is the special token ${quoteToken(first)} ${origin}, not the first word of your prompt.`,
  ];
  if (input.variantTokens[0]?.id === first.id) {
    sentences.push('It is the same on both sides, so it is one of the earlier positions that are judged.');
  }
  if (input.baseTokens.length > 1 && last.special) {
    sentences.push(`${quoteToken(last)} at the end comes after the edit, so it may change even in a causal model.`);
  }
  const finding: Finding = { code: 'special-tokens-added', severity: 'info', message: sentences.join(' ') };
  if (input.model.addSpecialTokens) {
    finding.fix = {
      kind: 'option',
      key: 'add_special_tokens',
      value: false,
      description: 'position 0 is then your first word',
    };
  }
  return [finding];
}
