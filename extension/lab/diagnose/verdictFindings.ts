/**
 * What explains the verdict: the trap behind a surprise (dropout in train mode, a leak hidden under
 * atol, nothing to judge), or the rule the model follows (causal mask or attention both ways).
 */
import type { Finding, MeasuredVerdict as Verdict, NonFiniteStates } from '../../protocol/report';
import type { EarlierMaximum } from './evidence';
import { describeEdit, formatNumber } from './format';
import { describeNonFinite } from '../../protocol/nonFiniteWords';
import type { DiagnoseInput } from './types';
import { editChangedNothing } from './verdict';

export function verdictFindings(input: DiagnoseInput, verdict: Verdict, earlier: EarlierMaximum | null): Finding[] {
  switch (verdict) {
    case 'non-finite':
      return [nonFiniteFinding(input.nonFinite!)];
    case 'nondeterministic':
      return [nondeterminismFinding(input)];
    case 'undetermined':
      return [undeterminedFinding(input)];
    case 'bidirectional':
      return [...leakBelowAtolFindings(input, earlier), ...bidirectionalAttentionFindings(input)];
    case 'causal':
      return causalFindings(input);
  }
}

function nonFiniteFinding(nonFinite: NonFiniteStates): Finding {
  const { states } = describeNonFinite(nonFinite);
  return {
    code: 'non-finite-states',
    severity: 'warning',
    message:
      `Where ${states.replace(/ hold /, ' hold ')}, NaN equals nothing (not even NaN) and Inf − Inf is not 0: ` +
      'no position can be shown to be unchanged there, so no verdict is given.',
  };
}

function nondeterminismFinding(input: DiagnoseInput): Finding {
  const { model, control } = input;
  const controlDiff = formatNumber(control.maxAbsDiff);
  if (model.mode === 'train' && model.dropoutRates.some((r) => r.rate > 0)) {
    const origin =
      model.weights.kind === 'random'
        ? "Hugging Face's `from_config` leaves models in training mode; call `.eval()` — here: set `mode: eval`."
        : 'In PyTorch, `.eval()` turns dropout off — here: set `mode: eval`.';
    return {
      code: 'train-mode-dropout',
      severity: 'warning',
      message:
        'This model is in training mode, so dropout is on: even the same input run twice gives different hidden states ' +
        `(control max |Δ| ${controlDiff}). Structure can't be judged. ${origin}`,
      fix: { kind: 'fix', key: 'mode', value: 'eval', description: 'turns dropout off' },
    };
  }
  return {
    code: 'nondeterministic-unknown',
    severity: 'warning',
    message:
      `The same input run twice gives different hidden states (control max |Δ| ${controlDiff}, ` +
      `float32 rounding allows ${formatNumber(input.noise.rounding)}) although dropout is off, ` +
      "so structure can't be judged until the model runs reproducibly.",
  };
}

function undeterminedFinding(input: DiagnoseInput): Finding {
  if (input.alignment.firstPerturbed !== null && input.alignment.firstPerturbed > 0 && editChangedNothing(input))
    return nothingChangedFinding(input);
  if (input.alignment.firstPerturbed === null) {
    const sameText = input.baseText === input.variantText;
    return {
      code: 'identical-tokens',
      severity: 'warning',
      message: sameText
        ? 'The variant is the same text as the base, so nothing is perturbed.'
        : `Both prompts give the same ${input.baseTokens.length} token ids, so nothing is perturbed for this model: ` +
          'its tokenizer erases the difference (an uncased tokenizer ignores case, for example).',
    };
  }
  const edit = describeEdit(input.alignment, input.baseTokens, input.variantTokens);
  return {
    code: 'perturbed-at-position-0',
    severity: 'warning',
    message:
      `The prompts already differ at position 0 (${edit}), so there is no earlier position that could show ` +
      'whether the model looks ahead. Perturb a later token, for example the last word.',
  };
}

function nothingChangedFinding(input: DiagnoseInput): Finding {
  const finding: Finding = {
    code: 'nothing-changed',
    severity: 'warning',
    message: input.baseStatesConstant
      ? "Every position has the same hidden state in every layer: this model's states don't depend on its input, " +
        'so it cannot show whether it looks ahead.'
      : 'The edit changed no hidden state at all, not even at the edited position: the model does not respond to ' +
        'this edit, so it cannot show whether it looks ahead.',
  };
  if (input.model.config['initializer_range'] === 0) {
    finding.message += ' `initializer_range: 0` makes every random weight 0.';
    finding.fix = {
      kind: 'fix',
      key: 'initializer_range',
      value: 0.02,
      description: "Hugging Face's default: random weights that respond to the input",
    };
  }
  return finding;
}

function leakBelowAtolFindings(input: DiagnoseInput, earlier: EarlierMaximum | null): Finding[] {
  if (earlier === null) return [];
  // The user's own check: would torch.allclose at the biggest leak have called it unchanged?
  if (input.layers.find((l) => l.layer === earlier.layer)?.allclose[earlier.pairIndex] !== true) return [];
  const { atol, rtol } = input.model;
  const leak = earlier.maxAbsDiff;
  const tolerance =
    leak <= atol
      ? `below your atol ${formatNumber(atol)}`
      : `within your atol ${formatNumber(atol)} + rtol ${formatNumber(rtol)}·|b|`;
  const control = input.control.identical
    ? 'the control run is exact'
    : `the control run differs by at most ${formatNumber(input.control.maxAbsDiff)}`;
  const margin = input.noise.value > 0 ? ` (×${formatNumber(leak / input.noise.value)} above the noise floor)` : '';
  const finding: Finding = {
    code: 'leak-below-atol',
    severity: 'warning',
    message:
      `max |Δ| ${formatNumber(leak)} at layer ${earlier.layer}, position ${earlier.position} is ${tolerance}, ` +
      `so torch.allclose would call it unchanged — but ${control}, so the change is real${margin}.`,
  };
  // An atol one decade below the leak and above the noise floor makes allclose agree with the verdict.
  const suggested = Number(`1e${Math.floor(Math.log10(leak)) - 1}`);
  if (suggested > input.noise.value && suggested < atol) {
    finding.fix = {
      kind: 'option',
      key: 'atol',
      value: suggested,
      description: 'below the leak and above the noise floor, so allclose agrees with the verdict',
    };
  }
  return [finding];
}

function bidirectionalAttentionFindings(input: DiagnoseInput): Finding[] {
  // With a causal mask the leak has another cause; the explanation states it, no rule to name here.
  if (input.causalMask) return [];
  const finding: Finding = {
    code: 'bidirectional-attention',
    severity: 'info',
    message:
      'Without a causal mask every position attends to every other, so a change anywhere reaches all positions, ' +
      'earlier ones included: this is how an encoder reads.',
  };
  const causalSwitch = input.model.causalSwitch;
  if (causalSwitch && input.model.attention === 'bidirectional') {
    const setting = `\`${causalSwitch.key}: ${String(causalSwitch.value)}\``;
    finding.message += ` If you want ${input.model.label} to read like a decoder, ${setting} adds the causal mask.`;
    finding.fix = { kind: 'option', key: causalSwitch.key, value: causalSwitch.value, description: 'makes it causal' };
  }
  return [finding];
}

function causalFindings(input: DiagnoseInput): Finding[] {
  if (!input.causalMask) return [];
  const { causalSwitch, label } = input.model;
  const switchedOn = causalSwitch
    ? ` (for ${label}, \`${causalSwitch.key}: ${String(causalSwitch.value)}\` adds that mask)`
    : input.stack === 'decoder'
      ? ` (${label}'s decoder always has it; its source reaches it only through cross-attention)`
      : ` (${label} always has it)`;
  return [
    {
      code: 'causal-as-expected',
      severity: 'info',
      message:
        `As a causal model must: with a causal mask${switchedOn} each position attends only to itself and earlier ` +
        'positions, so a later edit cannot reach it.',
    },
  ];
}
