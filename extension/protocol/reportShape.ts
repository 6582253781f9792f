/**
 * The shape of a ComparisonReport and its parts, checked field by field: what the host receives from the
 * runner is read by the panel and the exporter without further checks, so a result with garbage inside
 * (a string where a number belongs, a token without text) is refused here, not thrown on in the panel.
 * Every table is typed against the report's own interfaces: a new field needs its check to compile.
 */
import type { LabDiagnostic, Severity, SourcePosition, SourceRange, Suggestion } from './diagnostics';
import {
  REPORT_VERSION,
  type AlignedPair,
  type Alignment,
  type AlignmentKind,
  type Architecture,
  type AttentionRule,
  type EditedInput,
  type CausalSwitch,
  type DropoutRate,
  type StackName,
  type StackSummary,
  type CausalFrontier,
  type ComparisonReport,
  type ControlRun,
  type DropoutPolicy,
  type EffectiveAttentionMask,
  type Finding,
  type FindingCode,
  type FindingFix,
  type NonFiniteRun,
  type CrossAttentionMaps,
  type MeasuredResult,
  type MeasuredVerdict,
  type NotApplicableResult,
  type OtherStack,
  type SlidingWindowMask,
  type StackComparison,
  OTHER_STACK_VERDICTS,
  type NonFiniteStates,
  type NonFiniteTensor,
  type HubOrigin,
  type WeightsSource,
  type LayerMetrics,
  type Mode,
  type ModelSummary,
  type NextTokenCandidate,
  type NextTokenShift,
  type TokenView,
  type VariantResult,
  type VerdictEvidence,
  VERDICTS,
  type PatchingResult,
  type PatchingRow,
  type PatchKind,
  type PatchedLogit,
} from './report';
import type { CaseOutline, RunOutlineData } from './run';
import { attentionHeadsShape, logitLensShape } from './headsAndLens';
import {
  anything,
  arrayOf,
  boolean,
  fields,
  index,
  keysOf,
  nullable,
  number,
  object,
  oneOf,
  optional,
  string,
  tagged,
  type Check,
  type FieldChecks,
} from './shape';

const ARCHITECTURES = keysOf<Architecture>({
  bert: true,
  gpt2: true,
  llama: true,
  mistral: true,
  qwen2: true,
  bart: true,
  marian: true,
});
const ATTENTION_RULES = keysOf<AttentionRule>({ causal: true, bidirectional: true, 'encoder-decoder': true });
const STACK_NAMES = keysOf<StackName>({ model: true, encoder: true, decoder: true });
const EDITED_INPUTS = keysOf<EditedInput>({ text: true, encoder: true });
const MODES = keysOf<Mode>({ train: true, eval: true });
const DROPOUT_POLICIES = keysOf<DropoutPolicy>({ independent: true, paired: true });
const ALIGNMENT_KINDS = keysOf<AlignmentKind>({ same: true, changed: true, inserted: true, deleted: true });
const SEVERITIES = keysOf<Severity>({ error: true, warning: true, info: true });
const FINDING_CODES = keysOf<FindingCode>({
  'non-finite-states': true,
  'train-mode-without-dropout': true,
  'decoder-start-token': true,
  'pad-is-special-token': true,
  'nothing-changed': true,
  'train-mode-dropout': true,
  'nondeterministic-unknown': true,
  'pad-text-not-pad-token': true,
  'token-count-changed': true,
  'perturbed-at-position-0': true,
  'identical-tokens': true,
  'leak-below-atol': true,
  'special-tokens-added': true,
  'causal-as-expected': true,
  'bidirectional-attention': true,
});

/** A signed whole number (a length change). */
const integer: Check = (x, p) => (Number.isSafeInteger(x) ? null : `${p}: not a whole number`);

const tokenView = fields<TokenView>({ id: index, text: string, special: boolean });

const alignment = fields<Alignment>({
  firstPerturbed: nullable(index),
  lengthChange: integer,
  pairs: arrayOf(
    fields<AlignedPair>({ base: nullable(index), variant: nullable(index), kind: oneOf(ALIGNMENT_KINDS) }),
  ),
});

const layerMetrics = fields<LayerMetrics>({
  layer: index,
  maxAbsDiff: arrayOf(nullable(number)),
  cosineDistance: arrayOf(nullable(number)),
  allclose: arrayOf(nullable(boolean)),
  nonFinite: arrayOf(index),
});

const candidate = fields<NextTokenCandidate>({ id: index, text: string, probability: number });

const evidence = fields<VerdictEvidence>({
  earlierMaxAbsDiff: nullable(number),
  earlierMaxAt: nullable(fields<{ layer: number; position: number }>({ layer: index, position: index })),
  earlierNonFinite: boolean,
  controlEarlierMaxAbsDiff: nullable(number),
  noiseFloor: number,
  roundingFloor: number,
  controlMaxAbsDiff: number,
  atol: number,
  rtol: number,
  allcloseAtPosition0: nullable(boolean),
  marginOverNoise: nullable(number),
});

const finding = fields<Finding>({
  code: oneOf(FINDING_CODES),
  severity: oneOf(['info', 'warning'] satisfies Finding['severity'][]),
  message: string,
  fix: optional(
    fields<FindingFix>({
      kind: oneOf(['fix', 'option'] satisfies FindingFix['kind'][]),
      key: string,
      value: anything,
      description: string,
    }),
  ),
});

const nonFiniteCounts = { nan: index, positiveInfinity: index, negativeInfinity: index };

const nonFiniteStates = fields<NonFiniteStates>({
  runs: arrayOf(
    fields<NonFiniteRun>({
      run: oneOf(['base', 'control', 'variant'] satisfies NonFiniteRun['run'][]),
      firstLayer: index,
      positionsByLayer: arrayOf(arrayOf(index)),
      ...nonFiniteCounts,
    }),
  ),
  weights: tagged<NonFiniteStates['weights'], 'kind'>('kind', {
    checked: fields<Extract<NonFiniteStates['weights'], { kind: 'checked' }>>({
      kind: string,
      tensors: arrayOf(fields<NonFiniteTensor>({ name: string, file: string, ...nonFiniteCounts })),
    }),
    random: fields<{ kind: 'random' }>({ kind: string }),
    unreadable: fields<{ kind: 'unreadable' }>({ kind: string }),
  }),
});

const attentionMask = fields<EffectiveAttentionMask>({
  rule: oneOf(['causal', 'bidirectional'] satisfies EffectiveAttentionMask['rule'][]),
  keep: arrayOf(arrayOf(number)),
  sliding: nullable(
    fields<SlidingWindowMask>({ window: index, layers: arrayOf(index), keep: arrayOf(arrayOf(number)) }),
  ),
});

/** The fields every stack's comparison has. */
const stackFields = {
  stack: oneOf(STACK_NAMES),
  baseText: string,
  variantText: string,
  baseTokens: arrayOf(tokenView),
  variantTokens: arrayOf(tokenView),
  alignment,
  layers: arrayOf(layerMetrics),
  control: fields<ControlRun>({
    maxAbsDiff: number,
    perLayerMaxAbsDiff: arrayOf(number),
    perPosition: arrayOf(arrayOf(number)),
    identical: boolean,
  }),
  frontier: fields<CausalFrontier>({ firstPerturbed: nullable(index), firstChanged: nullable(index) }),
  attentionMask,
  evidence,
} satisfies FieldChecks<StackComparison>;

const otherStack = fields<OtherStack>({
  ...stackFields,
  verdict: oneOf(OTHER_STACK_VERDICTS),
  explanation: string,
});

const layeredMaps = arrayOf(arrayOf(arrayOf(number)));

const measuredResult = fields<MeasuredResult>({
  kind: string,
  model: string,
  caseIndex: index,
  variantIndex: index,
  edits: oneOf(EDITED_INPUTS),
  ...stackFields,
  nextToken: nullable(
    fields<NextTokenShift>({
      klDivergence: nullable(number),
      baseTop: arrayOf(candidate),
      variantTop: arrayOf(candidate),
      nonFiniteLogits: arrayOf(oneOf(['base', 'variant'] satisfies NextTokenShift['nonFiniteLogits'])),
    }),
  ),
  verdict: oneOf(VERDICTS.filter((v): v is MeasuredVerdict => v !== 'not-applicable')),
  nonFinite: nullable(nonFiniteStates),
  explanation: string,
  findings: arrayOf(finding),
  otherStacks: arrayOf(otherStack),
  crossAttention: nullable(
    fields<CrossAttentionMaps>({ base: layeredMaps, variant: layeredMaps, keep: arrayOf(arrayOf(number)) }),
  ),
  patching: optional(patchingShape()),
  // Version 4, logit lens and heads:
  logitLens: optional(logitLensShape),
  attentionHeads: optional(attentionHeadsShape),
});

const notApplicableResult = fields<NotApplicableResult>({
  kind: string,
  model: string,
  caseIndex: index,
  variantIndex: index,
  edits: oneOf(EDITED_INPUTS),
  baseText: string,
  variantText: string,
  verdict: oneOf(['not-applicable'] as const),
  explanation: string,
});

export const variantResultShape: Check = tagged<VariantResult, 'kind'>('kind', {
  measured: measuredResult,
  'not-applicable': notApplicableResult,
});

export const modelSummaryShape: Check = fields<ModelSummary>({
  name: string,
  architecture: oneOf(ARCHITECTURES),
  config: object,
  configSource: string,
  weights: tagged<WeightsSource, 'kind'>('kind', {
    random: fields<Extract<WeightsSource, { kind: 'random' }>>({ kind: string, seed: number, description: string }),
    checkpoint: fields<Extract<WeightsSource, { kind: 'checkpoint' }>>({
      kind: string,
      path: string,
      description: string,
      hub: optional(fields<HubOrigin>({ repoId: string, revision: string, commit: string })),
    }),
  }),
  seed: number,
  mode: oneOf(MODES),
  dropout: oneOf(DROPOUT_POLICIES),
  addSpecialTokens: boolean,
  atol: number,
  rtol: number,
  label: string,
  attention: oneOf(ATTENTION_RULES),
  causalSwitch: nullable(fields<CausalSwitch>({ key: string, value: boolean })),
  tokenizer: string,
  stacks: arrayOf(
    fields<StackSummary>({
      name: oneOf(STACK_NAMES),
      numLayers: index,
      hiddenSize: index,
      numHeads: index,
      numKvHeads: index,
    }),
  ),
  numLayers: index,
  hiddenSize: index,
  numHeads: index,
  hasLmHead: boolean,
  dropoutRates: arrayOf(fields<DropoutRate>({ key: string, rate: number })),
});

export const reportShape: Check = fields<ComparisonReport>({
  version: oneOf([REPORT_VERSION]),
  tool: oneOf(['perturbation-lab'] as const),
  toolVersion: string,
  file: string,
  models: arrayOf(modelSummaryShape),
  results: arrayOf(variantResultShape),
});

export const outlineShape: Check = fields<RunOutlineData>({
  models: arrayOf(modelSummaryShape),
  cases: arrayOf(
    fields<CaseOutline>({
      caseIndex: index,
      baseText: string,
      encoderText: nullable(string),
      variants: arrayOf(
        fields<CaseOutline['variants'][number]>({ variantIndex: index, text: string, edits: oneOf(EDITED_INPUTS) }),
      ),
    }),
  ),
});

const position = fields<SourcePosition>({ line: index, column: index });

export const diagnosticShape: Check = fields<LabDiagnostic>({
  severity: oneOf(SEVERITIES),
  message: string,
  file: string,
  range: fields<SourceRange>({ start: position, end: position }),
  code: string,
  suggestion: optional(
    fields<Suggestion>({
      target: oneOf(['key', 'value'] satisfies Suggestion['target'][]),
      key: string,
      texts: arrayOf(string),
      closeMatch: boolean,
    }),
  ),
});

// ── Activation patching (version 4) ──

/** A function so that the tables can stand below the result's (function declarations are hoisted). */
function patchingShape(): Check {
  return fields<PatchingResult>({
    kind: oneOf(keysOf<PatchKind>({ residual: true, heads: true, cross_heads: true })),
    stack: oneOf(STACK_NAMES),
    target: index,
    targetText: string,
    layers: index,
    columns: index,
    rows: arrayOf(
      fields<PatchingRow>({
        layer: index,
        effect: arrayOf(nullable(number)),
        fraction: nullable(arrayOf(nullable(number))),
        notRun: arrayOf(index),
      }),
    ),
    logit: nullable(
      fields<PatchedLogit>({
        token: index,
        text: string,
        baseTop: index,
        baseTopText: string,
        base: number,
        variant: number,
      }),
    ),
    skipped: index,
    nonFinite: index,
    roundingFloor: number,
  });
}

/** Shape of a streamed partial grid (the runner's and the panel's `patching` messages). */
export const patchingResultShape: Check = patchingShape();
