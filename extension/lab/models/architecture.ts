/**
 * What one architecture's module provides (`bert/`, `gpt2/`, `llama/`, `bart/`), in the shape the registry
 * (registry.ts) collects, keyed by the architecture union: its config keys, class defaults and the checks
 * between keys; its dimensions; the parameter table in Hugging Face's names and shapes with the init rules;
 * the canonical name of a checkpoint tensor; the ONNX graph; its dropout places, attention rule and LM head;
 * the class an export is for; its label, tokenizer and presets. Nothing outside a module's folder asks which
 * architecture it is: it asks the module.
 *
 * Members are written as methods on purpose: TypeScript checks method parameters bivariantly, so a module
 * typed over its own dimensions (`ArchitectureModule<BertDims>`) is a record of the registry
 * (`ArchitectureModule<ArchitectureDims>`), and each module stays typed inside its folder.
 */
import type { Architecture, AttentionRule, CausalSwitch, StackName } from '../../protocol/report';
import type { ConfigKeyInfo } from '../config/configKeys';
import type { HfConfig, BundledTokenizer } from '../types';
import type { ParameterSpec } from './blocks/parameters';
import type { GraphBuilder } from './onnxGraph';
import type { RunnerOptions } from './batchFeeds';
import type { Seq2SeqSession } from './bart/session';

/** Every module's dimensions say which architecture they are (the registry finds the module by it). */
export interface ArchitectureDims {
  architecture: Architecture;
}

/** Returns the graph name of a stored parameter (an external initializer), registering it on first use. */
export type WeightRef = (b: GraphBuilder, name: string) => string;

/** One stack of layers, as the engine (resource plan, report, command line) needs to know it. */
export interface StackShape {
  name: StackName;
  layers: number;
  hiddenSize: number;
  heads: number;
  /** Key/value heads (grouped-query attention); `heads` otherwise. */
  kvHeads: number;
  headDim: number;
  /** Width of the feed-forward layer. */
  intermediateSize: number;
}

/** A model's size in the terms every family shares. */
export interface ModelShape {
  /** Encoder first; one stack (`model`) for decoder-only and encoder-only models. */
  stacks: StackShape[];
  /** Rows of the (input) token embedding: every id must be below it. */
  vocabSize: number;
  /** Rows of the LM head; 0 for a model without one. */
  lmHeadVocab: number;
  /** Longest input in tokens. */
  maxPositions: number;
}

/** A problem between keys of a complete config: the keys involved (most specific first) and what is wrong. */
export interface CrossKeyProblem {
  keys: string[];
  message: string;
}

/**
 * One place Hugging Face applies dropout in a single-stack graph: the graph input holding its mask, the
 * name its random stream is drawn under (`streamSeed('dropout', seed, site, position)`), its shape — a
 * hidden-state mask [B, T, width] or an attention-probability mask [B, heads, T, T] — and the config key
 * that holds its rate.
 */
export interface DropoutSite {
  input: string;
  site: string;
  shape: 'hidden' | 'probs';
  width: number;
  rateKey: string;
}

/**
 * How a single-stack graph is fed (BERT, GPT-2, the Llama family): `input_ids`, `position_ids` (a plain
 * range), the keep mask `attention_keep` [B, 1, T, T], and the pieces below.
 */
export interface SingleStackPlan {
  layers: number;
  hiddenSize: number;
  heads: number;
  /** Causal whatever the caller asks (GPT-2, the Llama family); BERT's causality is `is_decoder`, fed per run. */
  alwaysCausal: boolean;
  /** Id written in padded slots (they are masked out; it only has to be a row of the embedding). */
  padTokenId: number;
  /** BERT's `token_type_ids` input (zeros, as Hugging Face defaults them). */
  tokenTypeIds: boolean;
  /** Rows of the LM head's output (`logits`, fed `logits_rows`); 0 without an LM head. */
  lmHeadVocab: number;
  /** The window of the sliding-window layers (fed `attention_keep_sliding`), null when no layer has one. */
  slidingWindow: number | null;
  /** The layers (0-based) that use the window. */
  slidingLayers: number[];
  dropout: DropoutSite[];
}

export interface SessionOpenOptions extends RunnerOptions {
  /**
   * Whether `forward` may be asked for attention maps (default true). onnxruntime computes and holds every
   * graph output whether it is fetched or not, so a session that never returns attentions is opened on the
   * graph without them: measured on bert-base, 4 × 512 tokens, 1397 → 789 MB peak (bench/calibration.md).
   */
  attentions?: boolean;
}

/** How a built model is run: one stack through `ModelSession`, or an encoder and a decoder. */
export type ArchitectureRunner<D> =
  | {
      kind: 'single-stack';
      plan(d: D): SingleStackPlan;
    }
  | {
      kind: 'encoder-decoder';
      open(onnxPath: string, d: D, options: SessionOpenOptions): Promise<Seq2SeqSession>;
    };

export interface ArchitectureModule<D extends ArchitectureDims> {
  architecture: Architecture;
  /** How people name it: `BERT`, `GPT-2`, `Llama`, `MarianMT`. */
  label: string;
  /** Its own config keys; the keys every Hugging Face config carries come from the registry. */
  keys: ReadonlyMap<string, ConfigKeyInfo>;
  /** Keys other architectures have that this one refuses, with the reason (GPT-2 has no `is_decoder`). */
  refusedKeys: Readonly<Record<string, string>>;
  /** Another family's name of one of its keys → its own (GPT-2's `n_layer` → BERT's `num_hidden_layers`). */
  keyAliases: Readonly<Record<string, string>>;
  /** What the Hugging Face config class holds for a key a config.json leaves out (transformers 4.57). */
  defaults: Readonly<HfConfig>;
  /** Published configs by Hub id, class defaults filled in, each with the address it was written from. */
  presets: Readonly<Record<string, Readonly<HfConfig>>>;
  /** Problems between keys of a config with defaults filled in and every single value valid. */
  crossKeyProblems(config: HfConfig): CrossKeyProblem[];
  dims(config: HfConfig): D;
  shape(d: D): ModelShape;
  /** Layers per stack, and the same model with other counts: the resource plan extrapolates from 1 and 2. */
  layerCounts(d: D): number[];
  withLayers(d: D, counts: readonly number[]): D;
  /** Every parameter under Hugging Face's name and shape, with its init rule. */
  parameters(d: D): ParameterSpec[];
  /** A checkpoint tensor's name under ours, or null for tensors knowingly skipped (task heads, buffers). */
  canonicalName(d: D, name: string): string | null;
  graph(d: D, weight: WeightRef): GraphBuilder;
  /** How attention sees the input under this config (BERT's depends on `is_decoder`). */
  attention(config: HfConfig): AttentionRule;
  /** The config key that makes a bidirectional model causal (BERT's `is_decoder: true`), if it has one. */
  causalSwitch: CausalSwitch | null;
  /** The config keys that hold its dropout rates (train mode). */
  dropoutKeys: readonly string[];
  /** The first decoder input `generate` feeds (`decoder_start_token_id`); null for single-stack models. */
  decoderStart(config: HfConfig): number | null;
  lmHead: boolean;
  /** The Hugging Face class an exported folder is for (`architectures` in its config.json). */
  exportClass: string;
  /** The tokenizer the lab ships for it; null when it comes from the model's folder (`weights:`, `tokenizer:`). */
  tokenizer: BundledTokenizer | null;
  runner: ArchitectureRunner<D>;
}
