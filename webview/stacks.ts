/**
 * An encoder-decoder result stack by stack: what each stack's rule lets an edit reach, in plain words, and for
 * every stack the variant leaves as it is (`otherStacks`), its verdict, explanation and its own layer ×
 * position heatmap — on its own colour scale, since its states are not the edited stack's. The edited stack's
 * heatmap is drawn by the detail view as for any result; this module gives it its words.
 */
import type { MeasuredResult, OtherStack, StackComparison } from '../extension/protocol/report';
import { el, prose } from './dom';
import { Heatmap } from './heatmap';
import { HeatmapLegend } from './heatmapLegend';
import { heatDomain } from './heatmapScale';
import { variantSource } from './heatSource';
import type { Palette } from './theme';

/** What each stack's attention rule lets this kind of edit reach (the article's two rules). */
function ruleWords(stack: 'encoder' | 'decoder', edits: MeasuredResult['edits']): string {
  if (edits === 'text')
    return stack === 'decoder'
      ? 'A decoder edit leaves the earlier decoder positions unchanged: the decoder’s self-attention is causal.'
      : 'A decoder edit cannot reach the encoder: the encoder reads only the source.';
  return stack === 'encoder'
    ? 'A source edit may change every encoder position: the encoder is bidirectional.'
    : 'A source edit may change every decoder position: each one reads the whole source through cross-attention.';
}

/** The words above the edited stack's heatmap (null for a single-stack model: its diagnosis says it all). */
export function editedStackWords(result: MeasuredResult): HTMLElement | null {
  if (result.stack === 'model') return null;
  return el(
    'p',
    { class: 'stack-rule', 'data-stack': result.stack },
    el('span', { class: 'badge', 'data-verdict': result.verdict }, result.verdict),
    ' ',
    el('span', { class: 'stack-rule-text' }, ruleWords(result.stack, result.edits)),
  );
}

/**
 * A result with one of its other stacks in place of the edited one: what the heatmap, legend and tooltips
 * read (tokens, alignment, layers, control, frontier, evidence are that stack's). The non-finite runs and
 * the verdict stay the result's; only the stack's own `nonFinite` layer lists mark its cells.
 */
export function asStackResult(result: MeasuredResult, other: StackComparison): MeasuredResult {
  return {
    ...result,
    stack: other.stack,
    baseText: other.baseText,
    variantText: other.variantText,
    baseTokens: other.baseTokens,
    variantTokens: other.variantTokens,
    alignment: other.alignment,
    layers: other.layers,
    control: other.control,
    frontier: other.frontier,
    attentionMask: other.attentionMask,
    evidence: other.evidence,
  };
}

export interface OtherStackView {
  element: HTMLElement;
  heatmap: Heatmap;
  legend: HeatmapLegend;
}

/** One other stack: its verdict and explanation, then its heatmap and legend. */
export function otherStackView(result: MeasuredResult, other: OtherStack, palette: () => Palette): OtherStackView {
  const view = asStackResult(result, other);
  const source = variantSource(view);
  const domain = heatDomain(other.evidence.roundingFloor, [source]);
  const heatmap = new Heatmap(view, source, domain, palette, () => undefined);
  const legend = new HeatmapLegend(domain, view, [source]);
  const stack = other.stack === 'model' ? 'decoder' : other.stack;
  const element = el(
    'section',
    { class: 'card other-stack-card', 'data-stack': other.stack },
    el('h3', {}, `Max |Δ| of the ${other.stack}'s hidden state, by layer and position`),
    el(
      'p',
      { class: 'stack-rule', 'data-stack': other.stack },
      el('span', { class: 'badge', 'data-verdict': other.verdict }, other.verdict),
      ' ',
      el('span', { class: 'stack-rule-text' }, ruleWords(stack, result.edits)),
    ),
    el('p', { class: 'stack-explanation' }, prose(other.explanation)),
    heatmap.element,
    legend.element,
  );
  return { element, heatmap, legend };
}
