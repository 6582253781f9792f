/**
 * Which base position is compared with which variant position.
 *
 * Before the first differing token the two sides are the same sequence, so positions pair by
 * index. After it, an edit that changes the token count shifts every later token; pairing by
 * index would then compare unrelated tokens, so the common suffix is paired from the end and the
 * tokens in between are marked changed, inserted or deleted.
 */
import type { AlignedPair, Alignment } from '../../protocol/report';

export function alignTokens(baseIds: readonly number[], variantIds: readonly number[]): Alignment {
  const n = baseIds.length;
  const m = variantIds.length;
  const shorter = Math.min(n, m);
  let prefix = 0;
  while (prefix < shorter && baseIds[prefix] === variantIds[prefix]) prefix++;

  const pairs: AlignedPair[] = [];
  for (let i = 0; i < prefix; i++) pairs.push({ base: i, variant: i, kind: 'same' });
  const firstPerturbed = prefix === n && n === m ? null : prefix;

  if (n === m) {
    for (let i = prefix; i < n; i++) {
      pairs.push({ base: i, variant: i, kind: baseIds[i] === variantIds[i] ? 'same' : 'changed' });
    }
    return { firstPerturbed, lengthChange: 0, pairs };
  }

  // Common suffix, never reaching back into the prefix (e.g. `a b` vs `a b b`).
  let suffix = 0;
  while (suffix < shorter - prefix && baseIds[n - 1 - suffix] === variantIds[m - 1 - suffix]) suffix++;

  const baseMiddle = n - suffix - prefix;
  const variantMiddle = m - suffix - prefix;
  const pairedMiddle = Math.min(baseMiddle, variantMiddle);
  for (let k = 0; k < pairedMiddle; k++) {
    const b = prefix + k;
    pairs.push({ base: b, variant: b, kind: baseIds[b] === variantIds[b] ? 'same' : 'changed' });
  }
  for (let k = pairedMiddle; k < baseMiddle; k++) pairs.push({ base: prefix + k, variant: null, kind: 'deleted' });
  for (let k = pairedMiddle; k < variantMiddle; k++) pairs.push({ base: null, variant: prefix + k, kind: 'inserted' });
  for (let k = 0; k < suffix; k++) {
    pairs.push({ base: n - suffix + k, variant: m - suffix + k, kind: 'same' });
  }
  return { firstPerturbed, lengthChange: m - n, pairs };
}
