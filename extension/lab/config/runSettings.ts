/**
 * Run settings: how a model is run and judged rather than what it is. They can be written
 * at the top of the front matter (a default for every model) or in a model entry (an override).
 */
import { PATCH_KINDS } from '../../protocol/report';
import type { ModelSpec, Suggestion } from '../types';
import { checkValue, isBoolean, isNonNegativeInt, isTolerance, oneOf, suggestValues, type ValueCheck } from './checks';
import { LENS_MAX_K } from '../../protocol/headsAndLens';

export interface RunSettingInfo {
  key: string;
  /** One line for hover and completion. */
  doc: string;
  /** Its `choices` are what completion and quick fixes offer. */
  check: ValueCheck;
}

const isCompareList: ValueCheck = {
  allowed: '`hidden_states` (the only comparison for now), alone or in a list',
  example: '`hidden_states`',
  ok: (v) => v === 'hidden_states' || (Array.isArray(v) && v.length > 0 && v.every((x) => x === 'hidden_states')),
  choices: ['hidden_states'],
};

/** `patch_target`: a token index, negative from the end as in Python (-1 = the last token). */
const isPositionIndex: ValueCheck = {
  allowed: 'a whole number (a token index from 0, or from the end when negative: -1 is the last token)',
  example: '`-1` (the last token)',
  ok: (v) => typeof v === 'number' && Number.isSafeInteger(v),
};

/** `lens: true` (the top 5) or `lens: K`. */
const isLens: ValueCheck = {
  allowed: `\`true\`, \`false\` or a whole number from 1 to ${LENS_MAX_K} (the top k)`,
  example: '`5`',
  ok: (v) => typeof v === 'boolean' || (Number.isSafeInteger(v) && (v as number) >= 1 && (v as number) <= LENS_MAX_K),
  choices: ['true', '5', '10'],
};

/** The top k of `lens: true`. */
export const LENS_DEFAULT_K = 5;

export const RUN_SETTINGS: readonly RunSettingInfo[] = [
  {
    key: 'seed',
    doc: 'Seed of the random weights and of the dropout masks (a whole number, default 0).',
    check: isNonNegativeInt,
  },
  {
    key: 'mode',
    doc: '`train` (dropout on) or `eval` (dropout off). Default as in Hugging Face: `train` for a model built from a config (`from_config`), `eval` with `weights:` (`from_pretrained`).',
    check: oneOf(['train', 'eval']),
  },
  {
    key: 'dropout',
    doc: '`independent` (default: every forward pass draws new dropout masks, as PyTorch does) or `paired` (every run of one comparison, the control included, shares masks).',
    check: oneOf(['independent', 'paired']),
  },
  {
    key: 'add_special_tokens',
    doc: "Add the tokenizer's special tokens ([CLS] … [SEP] for BERT; GPT-2 adds none). Default true, as in Hugging Face.",
    check: isBoolean,
  },
  {
    key: 'atol',
    doc: 'Absolute tolerance of `allclose` (default 1e-8, as `torch.allclose`).',
    check: isTolerance,
  },
  {
    key: 'rtol',
    doc: 'Relative tolerance of `allclose` (default 1e-5, as `torch.allclose`).',
    check: isTolerance,
  },
  {
    key: 'compare',
    doc: 'What to compare: `hidden_states` (the only choice for now).',
    check: isCompareList,
  },
  {
    key: 'patch',
    doc: "Activation patching after each comparison: `residual` (for each block l and position p, the base run with the stream entering block l at p — Hugging Face's `hidden_states[l][p]` — replaced by the variant's) or `heads` (each head's attention output in each block replaced by the variant's). An encoder-decoder patches the stack the variant edits (the decoder's or the encoder's streams or self-attention heads), measured at the decoder; `cross_heads` (encoder-decoders only) patches each cross-attention head of each decoder block, the way a source edit reaches the decoder. Reports, at the position `patch_target`, how far each patch moves the last hidden state and, with an LM head, the fraction of the variant's logit change it restores. Needs `mode: eval` and a variant with as many tokens as the base. Off when absent.",
    check: oneOf([...PATCH_KINDS]),
  },
  {
    key: 'patch_target',
    doc: "The position t whose output `patch:` measures: a token index counted from 0 in the model's own tokens (special tokens such as `[CLS]` and `<s>` count), or from the end when negative (`-1`, the default, is the last token).",
    check: isPositionIndex,
  },
  {
    key: 'lens',
    doc: `The logit lens in the report: the top k tokens (\`true\`: ${LENS_DEFAULT_K}) of the final norm and unembedding applied to every layer's stream, for base and variant, at the last positions; models with an LM head.`,
    check: isLens,
  },
  {
    key: 'heads',
    doc: "One layer's attention head by head in the report (the layer, 0-based as Hugging Face's `attentions`): base, variant, their difference over aligned tokens, and the heads that attend from earlier positions to the perturbed one.",
    check: isNonNegativeInt,
  },
];

export const RUN_SETTING_KEYS: ReadonlySet<string> = new Set(RUN_SETTINGS.map((s) => s.key));

export function runSettingInfo(key: string): RunSettingInfo | undefined {
  return RUN_SETTINGS.find((s) => s.key === key);
}

/** The settings once defaults are applied; `mode` has no fixed default (it depends on `weights:`). */
export type RunSettings = Pick<
  ModelSpec,
  'seed' | 'mode' | 'dropout' | 'addSpecialTokens' | 'atol' | 'rtol' | 'patch' | 'lens' | 'heads'
>;

export const RUN_SETTING_DEFAULTS = {
  seed: 0,
  dropout: 'independent',
  add_special_tokens: true,
  atol: 1e-8,
  rtol: 1e-5,
  patch_target: -1,
} as const;

/** The problem with a run setting's value, or undefined when it is fine (or not a run setting). */
export function checkRunSetting(
  key: string,
  value: unknown,
): { code: string; message: string; suggestion?: Suggestion } | undefined {
  const info = runSettingInfo(key);
  const message = info && checkValue(key, value, info.check);
  if (!message) return undefined;
  const suggestion = suggestValues(key, value, info.check);
  return suggestion ? { code: 'bad-value', message, suggestion } : { code: 'bad-value', message };
}
