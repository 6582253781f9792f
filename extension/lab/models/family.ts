/**
 * What a family module (`llama/`, `bart/`) provides, in the shape the architecture registry collects:
 * config keys and class defaults, the checks between keys, dimensions, the parameter table in Hugging
 * Face's names and shapes with its init rules, the canonical name of a checkpoint tensor, the ONNX graph,
 * the causal rule, the LM head, the export class, the label and the presets.
 */
import type { ConfigKeyInfo } from '../config/configKeys';
import type { ParameterSpec } from './architectures/parameters';
import type { GraphBuilder } from './onnxGraph';
import type { FamilyConfig } from './familyKeys';

export interface FamilyParameter extends ParameterSpec {
  /**
   * A checkpoint may lack it and Hugging Face then starts it from its init rule without complaint
   * (BART's `final_logits_bias` buffer is missing from `BartModel` checkpoints such as facebook/bart-base).
   */
  optional?: boolean;
}

/** Returns the graph name of a stored parameter (an external initializer), registering it on first use. */
export type WeightRef = (b: GraphBuilder, name: string) => string;

/** How attention sees the input, for the report and the diagnosis. */
export type CausalRule =
  /** Decoder-only: each position sees itself and earlier ones (and, with a sliding window, only the last few). */
  | 'causal'
  /** Encoder bidirectional, decoder causal, decoder reads every source position through cross-attention. */
  | 'encoder-decoder';

export interface FamilyModule<Type extends string, Dims> {
  types: readonly Type[];
  label: Readonly<Record<Type, string>>;
  /** The family's own keys per model type; the common Hugging Face keys come from the registry. */
  keys: Readonly<Record<Type, ReadonlyMap<string, ConfigKeyInfo>>>;
  defaults: Readonly<Record<Type, Readonly<FamilyConfig>>>;
  /** Problems between keys of a config with defaults filled in (empty when it can be built). */
  crossKeyProblems(config: FamilyConfig): string[];
  dims(config: FamilyConfig): Dims;
  parameters(d: Dims): FamilyParameter[];
  /** A checkpoint tensor's name under ours, or null for tensors knowingly skipped (task heads, buffers). */
  canonicalName(d: Dims, name: string): string | null;
  graph(d: Dims, weight: WeightRef): GraphBuilder;
  causal: CausalRule;
  /** Whether the model has an LM head (logits). */
  lmHead: boolean;
  /** The Hugging Face class an exported folder is for (`architectures` in its config.json). */
  exportClass: Readonly<Record<Type, string>>;
  presets: Readonly<Record<string, Readonly<FamilyConfig>>>;
}

export function parameterCount(table: ParameterSpec[]): number {
  return table.reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
}
