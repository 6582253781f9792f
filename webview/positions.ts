/** Which alignment column holds the edit and which the first change, for the token strips and the heatmap alike. */
import type { MeasuredResult } from '../extension/protocol/report';

export interface FrontierColumns {
  /** Index into alignment.pairs of the first edited pair (-1: nothing perturbed). */
  perturbed: number;
  /** Index of the pair where change starts (-1: nothing changed). */
  firstChanged: number;
}

export function frontierColumns(result: MeasuredResult): FrontierColumns {
  const { pairs } = result.alignment;
  const perturbed = result.frontier.firstPerturbed === null ? -1 : pairs.findIndex((p) => p.kind !== 'same');
  const changed = result.frontier.firstChanged;
  // Pairs are in order and one-sided tokens stand where they are, so the first pair at that position is it.
  const firstChanged = changed === null ? -1 : pairs.findIndex((p) => (p.base ?? p.variant) === changed);
  return { perturbed, firstChanged };
}

/** "positions 0–4" / "position 0" for the positions before `end`. */
export function positionsBefore(end: number): string {
  return end === 1 ? 'position 0' : `positions 0–${end - 1}`;
}
