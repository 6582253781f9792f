/**
 * Helpers for the config-key tables of the family modules (`llama/`, `bart/`), in the shape of
 * `config/configKeys.ts` (`ConfigKeyInfo`): a key either changes the forward pass (`forward`) or not
 * (`inert`), and may refuse values the builder does not implement ("not supported yet").
 * The tables list a family's own keys; the keys every Hugging Face config carries (generation settings,
 * `architectures`, `dtype`, …) come from the common table the registry adds.
 */
import type { ConfigKeyInfo } from '../config/configKeys';
import { checkValue, type ValueCheck } from '../config/checks';

export type FamilyConfig = Record<string, unknown>;

export const forward = (
  key: string,
  doc: string,
  check: ValueCheck,
  unsupported?: ConfigKeyInfo['unsupported'],
): ConfigKeyInfo => ({ key, doc, affectsForward: true, check, unsupported });

export const inert = (
  key: string,
  doc: string,
  check: ValueCheck,
  unsupported?: ConfigKeyInfo['unsupported'],
): ConfigKeyInfo => ({ key, doc, affectsForward: false, check, unsupported });

/** Refuses every value but `expected`, naming what the other value would need. */
export function only(name: string, expected: unknown, what: string): ConfigKeyInfo['unsupported'] {
  return (v) =>
    v === expected
      ? undefined
      : `not supported yet: \`${name}: ${JSON.stringify(v)}\` (${what}); the builder implements \`${name}: ${JSON.stringify(expected)}\` only`;
}

/** The names Hugging Face's ACT2FN knows (transformers 4.57), to tell "not implemented" from "not a thing". */
export const HF_ACTIVATIONS = [
  'gelu',
  'gelu_10',
  'gelu_accurate',
  'gelu_fast',
  'gelu_new',
  'gelu_python',
  'gelu_pytorch_tanh',
  'laplace',
  'leaky_relu',
  'linear',
  'mish',
  'prelu',
  'quick_gelu',
  'relu',
  'relu2',
  'relu6',
  'sigmoid',
  'silu',
  'swish',
  'tanh',
  'xielu',
];

/** A config with the class defaults filled in for every key it leaves out (what `from_pretrained` holds). */
export function withDefaults(config: FamilyConfig, defaults: Readonly<FamilyConfig>): FamilyConfig {
  const out: FamilyConfig = structuredClone(defaults) as FamilyConfig;
  for (const [k, v] of Object.entries(config)) out[k] = structuredClone(v);
  return out;
}

/**
 * Problems of single keys: an unknown key (not in the family's table nor in `commonKeys`), a value its
 * check refuses, or a value the builder does not implement. Cross-key rules are the family's own.
 */
export function keyProblems(
  config: FamilyConfig,
  table: ReadonlyMap<string, ConfigKeyInfo>,
  commonKeys: ReadonlySet<string>,
  label: string,
): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(config)) {
    if (key === 'model_type') continue;
    const info = table.get(key);
    if (!info) {
      if (!commonKeys.has(key)) problems.push(`\`${key}\` is not a ${label} config key`);
      continue;
    }
    const invalid = checkValue(key, value, info.check);
    if (invalid) {
      problems.push(invalid);
      continue;
    }
    const refusal = info.unsupported?.(value);
    if (refusal) problems.push(refusal);
  }
  return problems;
}
