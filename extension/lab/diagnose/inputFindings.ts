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
      if (reported.has(padText)) continue;
      // The tokenizer may really turn it into its special token (BERT does for `[PAD]`, Marian for `<pad>`).
      const special = tokens.find((t) => t.special && t.text.toLowerCase() === padText.toLowerCase());
      if (special) {
        reported.add(padText);
        findings.push(padSpecialFinding(input, special));
        continue;
      }
      reported.add(padText);
      const pieces = findPieces(tokens, padText);
      const splitInto =
        pieces === null ? 'splits it into pieces of its own' : `splits it into ${pieces.map(quoteToken).join(', ')}`;
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

/**
 * `<pad>` the tokenizer reads as its special token: for Marian it is the pad id and the decoder start token
 * (what `generate` feeds first: the article's `<pad> Ich will ein`); elsewhere a padding id in the middle of a
 * prompt, attended to like any token since nothing masks it.
 */
function padSpecialFinding(input: DiagnoseInput, token: TokenView): Finding {
  const { label } = input.model;
  const isPad = input.special.padTokenId === token.id;
  const what = isPad ? `${label}'s pad token` : `a special token of ${label}'s tokenizer`;
  const start = input.special.decoderStart;
  const role =
    start === token.id
      ? ` It is also ${label}'s decoder start token (\`decoder_start_token_id\` ${start}): the first input \`generate\` feeds the decoder, which is why the encoder-decoder article's decoder input begins with it.`
      : start !== null
        ? ` ${label}'s decoder starts with \`${input.special.tokenText(start)}\` (id ${start}) instead.`
        : ' In a prompt nothing masks it: the model attends to it like any other token.';
  return {
    code: 'pad-is-special-token',
    severity: 'info',
    message: `\`${token.text}\` here is ${what} (id ${token.id}), not the text it spells.${role}`,
  };
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
  // An encoder-decoder's decoder input is tokenized as written; its start token is explained on its own.
  const decoder = input.stack === 'decoder';
  if (decoder && first.id === input.special.decoderStart) return [];
  const last = input.baseTokens[input.baseTokens.length - 1];
  const added = input.model.addSpecialTokens && !decoder;
  const origin = added ? 'that the tokenizer adds (add_special_tokens: true)' : 'written in your text';
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
  if (added) {
    finding.fix = {
      kind: 'option',
      key: 'add_special_tokens',
      value: false,
      description: 'position 0 is then your first word',
    };
  }
  return [finding];
}
