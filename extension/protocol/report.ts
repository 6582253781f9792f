/**
 * The ComparisonReport: what `compare --json` prints, what the runner streams to the
 * host and what the panel exports. Versioned; plain JSON (no typed arrays, no raw tensors).
 * Every side imports this module; a change here breaks every build at once.
 *
 * Every number in a report is finite (JSON has no NaN or Infinity: `JSON.stringify` would turn them into a
 * silent `null`). Where a state holds NaN or ±Inf, the report says so in explicit fields (`nonFinite`) and
 * leaves the measurement out; every field that can be `null` says below what `null` means there.
 *
 * Version 2 (from 1): the verdict `non-finite`; `VariantResult.nonFinite`; `LayerMetrics.nonFinite`;
 * `ModelSummary.weights` is an object that says whether the weights are random (`{ kind: 'random', seed }`)
 * or a checkpoint; `ControlRun.perPosition` (the control's |Δ| per layer and position) and
 * `VerdictEvidence.roundingFloor` / `controlEarlierMaxAbsDiff`; `CausalFrontier.firstChanged` is judged
 * against float32 rounding and counts a token that exists on one side only (it is never null while a
 * position changed, nondeterministic models included); `Finding.fix.kind` (`fix` or `option`);
 * `NextTokenShift.klDivergence` is null when a logit is not finite (`nonFiniteLogits` says whose).
 *
 * Version 3 (from 2): every family the lab builds (`Architecture`: bert, gpt2, llama, mistral, qwen2, bart,
 * marian); `ModelSummary` says what front ends used to derive (`label`, `attention`, `causalSwitch`,
 * `tokenizer`, `stacks`) and `dropoutRates` is a list of `{ key, rate }` by config key; a `VariantResult` is
 * `kind: 'measured'` or `kind: 'not-applicable'` (verdict `not-applicable`: an encoder variant for a model
 * without an encoder); a measured result names the input it edits (`edits`: `text` or `encoder`) and the stack
 * its comparison describes (`stack`), compares an encoder-decoder's other stack in `otherStacks` (verdict
 * `unchanged` / `changed`, explanation in plain words) and carries its cross-attention (`crossAttention`, per
 * layer the mean over heads, decoder × encoder positions); `EffectiveAttentionMask.sliding` (a sliding window);
 * findings `train-mode-without-dropout`, `decoder-start-token`, `pad-is-special-token`; the outline's cases carry
 * `encoderText` and each variant `edits`.
 *
 * Version 4 (from 3):
 * - `MeasuredResult.patching` (only when `patch:` or `--patch` asks for it): activation patching, effect per block × position or block × head at a target position, with the fraction of the variant's logit change restored.
 * - `MeasuredResult.logitLens` and `MeasuredResult.attentionHeads` (headsAndLens.ts), present only where asked for (`lens:`, `heads:`, `--lens`, `--heads`, or the panel's request for a layer's heads).
 */

import type { VariantRef } from './run';
import type { AttentionHeads, LogitLens } from './headsAndLens';

export const REPORT_VERSION = 4 as const;

/** Hugging Face's `model_type` of every architecture the lab builds (one module each, `lab/models/registry.ts`). */
export type Architecture = 'bert' | 'gpt2' | 'llama' | 'mistral' | 'qwen2' | 'bart' | 'marian';

/**
 * How attention sees the input: `causal` (each position itself and earlier ones), `bidirectional` (every
 * position), `encoder-decoder` (a bidirectional encoder; a causal decoder that reads every source position
 * through cross-attention).
 */
export type AttentionRule = 'causal' | 'bidirectional' | 'encoder-decoder';

/**
 * Which input a variant replaces: the case's base line (`text`: the input of a single-stack model, the decoder
 * input of an encoder-decoder) or its `encoder:` line (`encoder`: an encoder-decoder's source).
 */
export type EditedInput = 'text' | 'encoder';

/** A stack of layers: `model` for decoder-only and encoder-only models, `encoder` and `decoder` for encoder-decoders. */
export type StackName = 'model' | 'encoder' | 'decoder';
/** As PyTorch's `.train()` / `.eval()`. */
export type Mode = 'train' | 'eval';
/** `independent`: every forward pass draws new dropout masks (PyTorch); `paired`: every run of one case shares them. */
export type DropoutPolicy = 'independent' | 'paired';

/**
 * The answer for one model × variant. `not-applicable`: the variant replaces an input the model does not have
 * (an `encoder:` variant for a model without an encoder); nothing was run for it.
 */
export type Verdict =
  'causal' | 'bidirectional' | 'nondeterministic' | 'undetermined' | 'non-finite' | 'not-applicable';

/** Each verdict's place in the order the diagnosis asks its questions (non-finite first: nothing else can be judged on it). */
const VERDICT_ORDER = {
  'non-finite': 0,
  nondeterministic: 1,
  undetermined: 2,
  bidirectional: 3,
  causal: 4,
  'not-applicable': 5,
} satisfies Record<Verdict, number>;

/** Every verdict (a new one must be placed in VERDICT_ORDER, or this module does not compile). */
export const VERDICTS = Object.keys(VERDICT_ORDER) as Verdict[];

/** The verdict of a measured result: about the stack whose input the variant edits. */
export type MeasuredVerdict = Exclude<Verdict, 'not-applicable'>;

/**
 * The verdict of a stack whose input the variant leaves as it is (an encoder-decoder's other stack):
 * `unchanged` (every state is the base's: the encoder under a decoder edit), `changed` (its input is the
 * same, but it reads the edited one: the decoder through cross-attention under a source edit), or
 * `nondeterministic` / `non-finite` as for any stack.
 */
export type OtherStackVerdict = 'unchanged' | 'changed' | 'nondeterministic' | 'non-finite';

const STACK_VERDICT_ORDER = {
  'non-finite': 0,
  nondeterministic: 1,
  changed: 2,
  unchanged: 3,
} satisfies Record<OtherStackVerdict, number>;

export const OTHER_STACK_VERDICTS = Object.keys(STACK_VERDICT_ORDER) as OtherStackVerdict[];

export interface ComparisonReport {
  version: typeof REPORT_VERSION;
  tool: 'perturbation-lab';
  toolVersion: string;
  /** The `.prompt` file as given on the command line or opened in the editor. */
  file: string;
  models: ModelSummary[];
  /** One entry per model × case × variant, in file order (models outer). */
  results: VariantResult[];
}

/** A model as it was resolved and run. */
export interface ModelSummary {
  name: string;
  architecture: Architecture;
  /** The full Hugging Face config used (preset or file, overrides applied). */
  config: Record<string, unknown>;
  configSource: string;
  /** Where the parameters come from: seeded random init (the numbers mean nothing about language) or a checkpoint. */
  weights: WeightsSource;
  seed: number;
  mode: Mode;
  dropout: DropoutPolicy;
  addSpecialTokens: boolean;
  atol: number;
  rtol: number;
  /** How people name the architecture: `BERT`, `GPT-2`, `Llama`, `MarianMT`. */
  label: string;
  attention: AttentionRule;
  /** The config setting that makes this architecture causal (BERT's `is_decoder: true`), if it has one. */
  causalSwitch: CausalSwitch | null;
  /** The tokenizer, in words: `the bundled GPT-2 tokenizer`, `tokenizer.json of /models/llama`. */
  tokenizer: string;
  /** Layers, width and heads of each stack, encoder first. */
  stacks: StackSummary[];
  /** The main stack's (the decoder's for an encoder-decoder), as the summary line shows it. */
  numLayers: number;
  hiddenSize: number;
  numHeads: number;
  hasLmHead: boolean;
  /** Dropout probabilities in force, each with the config key that holds it (all 0 in eval mode). */
  dropoutRates: DropoutRate[];
}

/** A config key that switches a bidirectional architecture to a causal mask (BERT's `is_decoder: true`). */
export interface CausalSwitch {
  key: string;
  value: boolean;
}

export interface DropoutRate {
  /** The config key (`hidden_dropout_prob`, `attn_pdrop`, `attention_dropout`, …). */
  key: string;
  rate: number;
}

export interface StackSummary {
  name: StackName;
  numLayers: number;
  hiddenSize: number;
  numHeads: number;
  /** Key/value heads (grouped-query attention); equal to `numHeads` otherwise. */
  numKvHeads: number;
}

/**
 * `random`: built from the config with Hugging Face's init rules and this seed, as `from_config` does;
 * `checkpoint`: loaded from a safetensors file or folder, as `from_pretrained` does (a `from:` model: its snapshot
 * folder in the Hugging Face cache, with `hub` saying which repo and commit).
 * `description` is the phrase front ends show wherever the model is named ("random weights (seed 0)").
 */
export type WeightsSource =
  | { kind: 'random'; seed: number; description: string }
  | {
      kind: 'checkpoint';
      path: string;
      description: string;
      /** Set for a `from:` model: the Hub repo, the revision asked for and the commit it resolved to (`path` is its snapshot folder). */
      hub?: HubOrigin;
    };

export interface HubOrigin {
  repoId: string;
  revision: string;
  commit: string;
}

export interface TokenView {
  id: number;
  /** The token's surface as the tokenizer spells it (`Ġwill`, `##in`, `[CLS]`). Always shown as text. */
  text: string;
  special: boolean;
}

export type AlignmentKind = 'same' | 'changed' | 'inserted' | 'deleted';

/** One row of the alignment: a base position, a variant position, or both. */
export interface AlignedPair {
  base: number | null;
  variant: number | null;
  kind: AlignmentKind;
}

export interface Alignment {
  /** First position (in the base) whose token differs; null when the two sides tokenize identically. */
  firstPerturbed: number | null;
  /** Variant length minus base length. */
  lengthChange: number;
  /** Common prefix by index, then (if the length changed) the suffix aligned from the end. */
  pairs: AlignedPair[];
}

/**
 * Metrics of one hidden-state layer, one entry per alignment pair. `null` in the three arrays means "not
 * measured": the pair has a token on one side only (its `kind` is `inserted` or `deleted`), or — for
 * `maxAbsDiff` and `cosineDistance` only — the base's or the variant's vector holds NaN or ±Inf there (the
 * pair is listed in `nonFinite`).
 */
export interface LayerMetrics {
  /** 0 = embeddings output, L = last layer (GPT-2: after ln_f), as Hugging Face's `hidden_states`. */
  layer: number;
  maxAbsDiff: (number | null)[];
  cosineDistance: (number | null)[];
  /** torch.allclose(variant, base, atol, rtol) over that position's hidden vector (NaN is never close). */
  allclose: (boolean | null)[];
  /** Indices into `alignment.pairs` where either side's vector holds NaN or ±Inf in this layer. */
  nonFinite: number[];
}

/**
 * The same input run twice: the noise floor of this model as configured. Differences are measured where
 * both runs hold finite values; NaN and ±Inf are reported in `VariantResult.nonFinite`.
 */
export interface ControlRun {
  maxAbsDiff: number;
  /** Per layer, the largest |Δ| over all positions. */
  perLayerMaxAbsDiff: number[];
  /** Per layer (0 … L) and base position, the largest |Δ| between the base and its control. */
  perPosition: number[][];
  /** Bit for bit the same (NaN in the same places counts as the same). */
  identical: boolean;
}

/** Where change starts compared with where the input was perturbed. Positions count in the base from 0;
 *  a token that exists only in the variant is counted at its variant index. */
export interface CausalFrontier {
  /** First position whose token differs; null when both prompts give the same token ids. */
  firstPerturbed: number | null;
  /**
   * First position whose state is not the base's: |Δ| above float32 rounding (`evidence.roundingFloor`) in
   * any layer, a NaN or ±Inf in either state, or a token that exists on one side only (inserted, deleted —
   * an appended token is new, so it is where change starts). Judged against rounding, not against the
   * control, so it is a plain fact about the two runs: for a nondeterministic model it is usually 0, and the
   * control run says how much of that the same input twice changes too. Null when no position changed at all.
   */
  firstChanged: number | null;
}

export interface NextTokenCandidate {
  id: number;
  text: string;
  probability: number;
}

/**
 * How the distribution of the next token moved (models with an LM head; last position of each side). With
 * random weights (`ModelSummary.weights.kind === 'random'`) the candidates are meaningless as language; the
 * shift still measures how far the edit moved the output.
 */
export interface NextTokenShift {
  /** KL(base ‖ variant); null when a logit of either side is NaN or ±Inf (see `nonFiniteLogits`). */
  klDivergence: number | null;
  /** Most probable first; empty for a side whose logits are not all finite. */
  baseTop: NextTokenCandidate[];
  variantTop: NextTokenCandidate[];
  /** The sides whose logits hold NaN or ±Inf (empty when all are finite). */
  nonFiniteLogits: ('base' | 'variant')[];
}

/** The mask attention actually used for the base input: keep[i][j] = 1 if query i may see key j. */
export interface EffectiveAttentionMask {
  rule: 'causal' | 'bidirectional';
  keep: number[][];
  /**
   * Mistral's and Qwen2's sliding window: the layers that use it (0-based) and their mask, where query i sees
   * only keys i − window < j ≤ i. Null when no layer has a window (`keep` is then every layer's mask).
   */
  sliding: SlidingWindowMask | null;
}

export interface SlidingWindowMask {
  window: number;
  layers: number[];
  keep: number[][];
}

export interface VerdictEvidence {
  /**
   * Largest |Δ| over positions before the first perturbed one, any layer, where both states are finite.
   * Null when no position precedes the perturbation (it is at position 0, or nothing was perturbed).
   */
  earlierMaxAbsDiff: number | null;
  /** Where that largest |Δ| is; null exactly when `earlierMaxAbsDiff` is null. */
  earlierMaxAt: { layer: number; position: number } | null;
  /**
   * A position before the perturbation holds NaN or ±Inf in some layer (then `earlierMaxAbsDiff` covers only
   * the finite states, and says nothing about the others).
   */
  earlierNonFinite: boolean;
  /** The control run's largest |Δ| over the same earlier positions (what the same input twice changes there). */
  controlEarlierMaxAbsDiff: number | null;
  /** What counts as "unchanged" for the verdict: max(control's |Δ|, roundingFloor). */
  noiseFloor: number;
  /** Float32 rounding of this run's values: 64 ulps of the largest finite |value| in the base's states. */
  roundingFloor: number;
  controlMaxAbsDiff: number;
  atol: number;
  rtol: number;
  /**
   * allclose at position 0 of the last layer (the seed question's check). Null when position 0 is perturbed
   * (its tokens differ, or it has a token on one side only).
   */
  allcloseAtPosition0: boolean | null;
  /** earlierMaxAbsDiff / noiseFloor; null when either is null or the floor is 0 (an exact control). */
  marginOverNoise: number | null;
}

/** A checkpoint tensor that holds NaN or ±Inf (counts of each). */
export interface NonFiniteTensor {
  name: string;
  file: string;
  nan: number;
  positiveInfinity: number;
  negativeInfinity: number;
}

/** One run (of the three a comparison makes) whose hidden states hold NaN or ±Inf. */
export interface NonFiniteRun {
  run: 'base' | 'control' | 'variant';
  /** First layer (0 = embeddings output) with a non-finite value. */
  firstLayer: number;
  /** Per layer (0 … L): the positions of this run whose vector holds NaN or ±Inf. */
  positionsByLayer: number[][];
  nan: number;
  positiveInfinity: number;
  negativeInfinity: number;
}

/**
 * Where the states hold NaN or ±Inf: such a value can't be compared, so the verdict is `non-finite`.
 */
export interface NonFiniteStates {
  runs: NonFiniteRun[];
  /**
   * What the checkpoint's tensors were found to hold: `checked` lists every tensor with NaN or ±Inf (empty:
   * every tensor is finite, so the values overflowed float32 inside the model); `random` for random weights
   * (finite by construction); `unreadable` when the checkpoint could not be read again.
   */
  weights: { kind: 'checked'; tensors: NonFiniteTensor[] } | { kind: 'random' } | { kind: 'unreadable' };
}

export type FindingCode =
  | 'non-finite-states'
  | 'train-mode-dropout'
  | 'train-mode-without-dropout'
  | 'decoder-start-token'
  | 'pad-is-special-token'
  | 'nondeterministic-unknown'
  | 'nothing-changed'
  | 'pad-text-not-pad-token'
  | 'token-count-changed'
  | 'perturbed-at-position-0'
  | 'identical-tokens'
  | 'leak-below-atol'
  | 'special-tokens-added'
  | 'causal-as-expected'
  | 'bidirectional-attention';

/**
 * A setting to write in the front matter (`key: value`, on the model's entry). `fix`: it removes the trap the
 * finding names (train mode → `mode: eval`); `option`: not an error, a choice — what the setting would make
 * of the model (`is_decoder: true` makes a bidirectional BERT causal). `description` says what it does, in
 * a few words that don't repeat the setting ("turns dropout off").
 */
export interface FindingFix {
  kind: 'fix' | 'option';
  key: string;
  value: unknown;
  description: string;
}

/** One thing the diagnosis explains, in plain words, with a setting to change where there is one. */
export interface Finding {
  code: FindingCode;
  severity: 'info' | 'warning';
  message: string;
  fix?: FindingFix;
}

/**
 * One model × variant: measured (`kind: 'measured'`), or not applicable to the model (`kind:
 * 'not-applicable'`: an encoder variant for a model without an encoder).
 */
export type VariantResult = MeasuredResult | NotApplicableResult;

interface ResultOf extends VariantRef {
  model: string;
  /** The input the variant replaces (the base line, or the case's `encoder:` line). */
  edits: EditedInput;
  /** The texts of that input: the base's (or the source's) and the variant's. */
  baseText: string;
  variantText: string;
}

export interface NotApplicableResult extends ResultOf {
  kind: 'not-applicable';
  verdict: 'not-applicable';
  /** Why, in plain words ("gpt2 has no encoder: …"). */
  explanation: string;
}

/**
 * One stack of a model compared between the base and the variant: its tokens, alignment, states layer by
 * layer, control run, frontier and effective mask.
 */
export interface StackComparison {
  stack: StackName;
  /** This stack's input texts (for a stack whose input the variant leaves as it is, both the base's). */
  baseText: string;
  variantText: string;
  baseTokens: TokenView[];
  variantTokens: TokenView[];
  alignment: Alignment;
  layers: LayerMetrics[];
  control: ControlRun;
  frontier: CausalFrontier;
  attentionMask: EffectiveAttentionMask;
  evidence: VerdictEvidence;
}

/** An encoder-decoder's stack whose input the variant leaves as it is, with its verdict in plain words. */
export interface OtherStack extends StackComparison {
  verdict: OtherStackVerdict;
  explanation: string;
}

/**
 * Cross-attention of an encoder-decoder (decoder position × encoder position), compact: per layer the mean over
 * the decoder's heads, for the base and the variant. `keep` is the source's padding mask.
 */
export interface CrossAttentionMaps {
  /** [layer][decoder position][encoder position] of the base run. */
  base: number[][][];
  /** The same for the variant run (its own lengths). */
  variant: number[][][];
  keep: number[][];
}

/**
 * A measured result. The comparison fields are those of the stack whose input the variant edits (`stack`:
 * `model` for single-stack models; an encoder-decoder's `decoder` for a decoder edit, `encoder` for a source
 * edit), and the verdict is that stack's; `otherStacks` compares the rest (an encoder-decoder's other stack).
 */
export interface MeasuredResult extends ResultOf, StackComparison {
  kind: 'measured';
  /** Null when the model has no LM head (BERT's `BertModel`): there is no next-token distribution. */
  nextToken: NextTokenShift | null;
  verdict: MeasuredVerdict;
  /** Null when every hidden-state value of the base, control and variant runs is finite. */
  nonFinite: NonFiniteStates | null;
  /** One or two sentences that make sense to someone who does not know the answer yet (one per stack). */
  explanation: string;
  findings: Finding[];
  /** Every other stack, compared the same way (empty for single-stack models). */
  otherStacks: OtherStack[];
  /** Encoder-decoders only. */
  crossAttention: CrossAttentionMaps | null;
  // Version 4, logit lens and heads (headsAndLens.ts): absent unless asked for, so a plain comparison does not grow.
  /** The logit lens of the edited stream (`lens:`), models with an LM head. */
  logitLens?: LogitLens;
  /** One layer's heads of the edited stack (`heads:`). */
  attentionHeads?: AttentionHeads;
  /** Activation patching, present only when asked for (`patch:`, `--patch`). */
  patching?: PatchingResult;
}

// ── Activation patching (`patch:`; version 4) ──────────────────────────────────────────────────────────────

/**
 * `residual`: the stream entering each block (Hugging Face's `hidden_states[l]`) at one position; `heads`: one
 * head's attention output (its context before the output projection, every position) in one block — an
 * encoder-decoder's: a self-attention head of the stack the variant edits; `cross_heads` (encoder-decoders only): one
 * head's cross-attention output in one decoder block, the way a source edit reaches the decoder.
 */
export const PATCH_KINDS = ['residual', 'heads', 'cross_heads'] as const;
export type PatchKind = (typeof PATCH_KINDS)[number];

/**
 * The base run with one piece replaced by the variant's, for every block × position (`residual`) or block ×
 * head (`heads`), measured at the target position t: how far the last hidden state moves, and with an LM head
 * the fraction of the variant's change to one logit it restores.
 */
export interface PatchingResult {
  kind: PatchKind;
  /**
   * The stack patched (`model` for single-stack models; an encoder-decoder's edited stack, or the decoder for
   * `cross_heads`); measured: the decoder.
   */
  stack: StackName;
  /**
   * The position t measured (0-based, in the base's tokens of the measured stack: the model's one stack, an
   * encoder-decoder's decoder; `patch_target: -1` is the last). For a source edit the columns are the encoder's
   * positions and t is not one of them.
   */
  target: number;
  /** The base's token at t, as text. */
  targetText: string;
  /** Rows of the grid: the model's blocks. */
  layers: number;
  /** Columns: the positions (`residual`, the base's token count) or the heads (`heads`, `cross_heads`). */
  columns: number;
  /** The rows computed, in block order: all of them in a result; fewer while they stream in. */
  rows: PatchingRow[];
  /**
   * The logit whose restoration `fraction` measures; null for models without an LM head, or when the base's or the
   * variant's logits at t are not all finite.
   */
  logit: PatchedLogit | null;
  /**
   * Cells not run because the patched input is the base's bit for bit (the variant's stream equals the base's
   * there, e.g. every position before the edit in a causal model): their effect and fraction are exactly 0.
   */
  skipped: number;
  /** Cells whose patched output at t holds NaN or ±Inf: their `effect` and `fraction` are null (no number). */
  nonFinite: number;
  /**
   * Float32 rounding of the measured output, as the comparison's floor is computed: 64 · 2^-23 · the largest |value|
   * of the base's last hidden state. A cell whose effect is at or below it moves nothing beyond rounding (two runs of
   * one input in batches of other shapes differ by that much): the panel draws it as no effect, the CLI leaves it
   * out, and its fraction is noise.
   */
  roundingFloor: number;
}

export interface PatchingRow {
  /** The block l: the patch replaces the stream entering it (`residual`) or a head's output inside it (`heads`). */
  layer: number;
  /** Per column: max |last_hidden_state_patched[t] − last_hidden_state_base[t]|; null: not a finite number. */
  effect: (number | null)[];
  /**
   * Per column: (patched − base) / (variant − base) of `logit.token`'s logit at t — 1 restores the variant's
   * change fully, 0 not at all. Null without an LM head or when the variant does not move that logit; a null
   * cell: not a finite number (see `nonFinite`).
   */
  fraction: (number | null)[] | null;
  /** The columns of this row not run because their patched input is the base's bit for bit (see `skipped`). */
  notRun: number[];
}

/** The result a streamed grid belongs to (runner and panel messages). */
export interface PatchingRef extends VariantRef {
  model: string;
}

/** At the target position: the variant's top next token, whose logit is measured, and the base's. */
export interface PatchedLogit {
  token: number;
  text: string;
  baseTop: number;
  baseTopText: string;
  /** That token's logit in the base run and in the variant run. */
  base: number;
  variant: number;
}
