/** NaN and ±Inf in plain words (the report's prose, the CLI and the panel say them alike): which runs, from which layer, what kind, and which checkpoint tensor holds them. */
import type { NonFiniteRun, NonFiniteStates, NonFiniteTensor } from './report';

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** "NaN", "+Inf", "NaN and −Inf" … for the counts given. */
export function kindsOf(counts: Pick<NonFiniteRun, 'nan' | 'positiveInfinity' | 'negativeInfinity'>): string {
  const kinds = [
    counts.nan > 0 ? 'NaN' : null,
    counts.positiveInfinity > 0 ? '+Inf' : null,
    counts.negativeInfinity > 0 ? '−Inf' : null,
  ].filter((k) => k !== null);
  return kinds.length <= 1 ? (kinds[0] ?? 'NaN') : `${kinds.slice(0, -1).join(', ')} and ${kinds[kinds.length - 1]}`;
}

function layerWord(layer: number): string {
  return layer === 0 ? 'the embeddings' : `layer ${layer}`;
}

/** "from layer 1 on" when every later layer has them too, else "at layer 1". */
function whereInLayers(run: NonFiniteRun): string {
  const onward = run.positionsByLayer.slice(run.firstLayer).every((positions) => positions.length > 0);
  return onward ? `from ${layerWord(run.firstLayer)} on` : `first at ${layerWord(run.firstLayer)}`;
}

function whose(runs: readonly NonFiniteRun[]): string {
  const names = runs.map((r) => r.run);
  if (names.length === 3) return 'the states of every run';
  if (names.length === 1) return `the ${names[0]}'s states`;
  return `the ${names.join(' and ')} states`;
}

/** The summary phrase: "NaN from layer 1 on", for one-line front ends. */
export function shortNonFinite(nonFinite: NonFiniteStates): string {
  const first = earliest(nonFinite.runs);
  return `${kindsOf(nonFiniteTotals(nonFinite.runs))} ${whereInLayers(first)}`;
}

/** The states sentence and the weights sentence of the non-finite explanation. */
export function describeNonFinite(nonFinite: NonFiniteStates): { states: string; weights: string } {
  const first = earliest(nonFinite.runs);
  const states = `${whose(nonFinite.runs)} hold ${kindsOf(nonFiniteTotals(nonFinite.runs))} ${whereInLayers(first)}`;
  return { states, weights: weightsSentence(nonFinite.weights) };
}

function weightsSentence(weights: NonFiniteStates['weights']): string {
  switch (weights.kind) {
    case 'random':
      return 'The weights are random and finite, so the values overflowed float32 inside the model.';
    case 'unreadable':
      return 'The checkpoint could not be read again to find the tensor that holds them.';
    case 'checked':
      return weights.tensors.length === 0
        ? 'Every tensor of the checkpoint is finite, so the values overflowed float32 inside the model.'
        : tensorsSentence(weights.tensors);
  }
}

function tensorsSentence(tensors: readonly NonFiniteTensor[]): string {
  const named = tensors.slice(0, 3).map((t) => {
    const count = t.nan + t.positiveInfinity + t.negativeInfinity;
    return `\`${t.name}\` holds ${kindsOf(t)} (${plural(count, 'value')})`;
  });
  const more = tensors.length > 3 ? `, and ${plural(tensors.length - 3, 'more tensor')}` : '';
  return `In the checkpoint, ${named.join(', ')}${more}.`;
}

function earliest(runs: readonly NonFiniteRun[]): NonFiniteRun {
  return runs.reduce((a, b) => (b.firstLayer < a.firstLayer ? b : a));
}

/** NaN, +Inf and −Inf counted over every run. */
export function nonFiniteTotals(
  runs: readonly NonFiniteRun[],
): Pick<NonFiniteRun, 'nan' | 'positiveInfinity' | 'negativeInfinity'> {
  return runs.reduce(
    (sum, r) => ({
      nan: sum.nan + r.nan,
      positiveInfinity: sum.positiveInfinity + r.positiveInfinity,
      negativeInfinity: sum.negativeInfinity + r.negativeInfinity,
    }),
    { nan: 0, positiveInfinity: 0, negativeInfinity: 0 },
  );
}
