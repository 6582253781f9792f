/** How numbers, tokens and position ranges read in findings and explanations. */
import type { Alignment, TokenView } from '../../protocol/report';

export { formatNumber } from '../../protocol/numbers';

/** A token as the tokenizer spells it, in backticks (`Ġwill`, `##in`, `[CLS]`). */
export function quoteToken(token: TokenView): string {
  return '`' + token.text + '`';
}

export function quoteTokens(tokens: readonly TokenView[], limit = 4): string {
  const shown = tokens.slice(0, limit).map(quoteToken).join(' ');
  return tokens.length > limit ? `${shown} …` : shown;
}

/** "position 0" or "positions 0–4" for the positions before `end`. */
export function positionsBefore(end: number): string {
  return end === 1 ? 'position 0' : `positions 0–${end - 1}`;
}

export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/**
 * The edit in tokens: the first run of pairs that are not `same`, e.g. "`Ġe` `in` → `Ġd` `as`",
 * "inserted `Ġvery`", "deleted `Ġnot`". Empty when the alignment has no edit.
 */
export function describeEdit(
  alignment: Alignment,
  baseTokens: readonly TokenView[],
  variantTokens: readonly TokenView[],
): string {
  const start = alignment.pairs.findIndex((pair) => pair.kind !== 'same');
  if (start < 0) return '';
  let end = start;
  while (end < alignment.pairs.length && alignment.pairs[end].kind !== 'same') end++;
  const run = alignment.pairs.slice(start, end);
  const removed = run.flatMap((pair) => (pair.base === null ? [] : [baseTokens[pair.base]]));
  const added = run.flatMap((pair) => (pair.variant === null ? [] : [variantTokens[pair.variant]]));
  if (added.length === 0) return `deleted ${quoteTokens(removed)}`;
  if (removed.length === 0) return `inserted ${quoteTokens(added)}`;
  return `${quoteTokens(removed)} → ${quoteTokens(added)}`;
}

/**
 * Whether the edit only adds tokens at the end (`appended`: every earlier position is shared and the
 * new tokens have nothing to be compared with) or only removes the base's last tokens (`dropped`).
 */
export function editAtEnd(alignment: Alignment): 'appended' | 'dropped' | null {
  const start = alignment.pairs.findIndex((pair) => pair.kind !== 'same');
  if (start < 0) return null;
  const tail = alignment.pairs.slice(start);
  if (tail.every((pair) => pair.kind === 'inserted')) return 'appended';
  if (tail.every((pair) => pair.kind === 'deleted')) return 'dropped';
  return null;
}
