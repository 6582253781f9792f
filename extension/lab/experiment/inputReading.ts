/**
 * Which inputs of a case a model reads, and how its tokenizer is called on each — the one rule the run
 * (`tokenizeCases.ts`) and the editor (hover, CodeLens counts, notes on `encoder:` lines) both follow, so
 * what the editor shows is what a run tokenizes. A single-stack model reads the base line and its variants
 * with the tokenizer's special tokens when `add_special_tokens`, and has no source to read. An
 * encoder-decoder reads the source (`encoder:` and `~ encoder:` lines) with special tokens when
 * `add_special_tokens`, as Hugging Face's tokenizer call makes `input_ids`, and the base line as its decoder
 * input exactly as written — its start token is the user's to write (`<pad> Ich will ein`), as
 * `decoder_input_ids` are given to a forward call.
 */
import type { EditedInput, LabDiagnostic, ModelSpec, PromptCase } from '../types';
import { moduleOf } from '../models/registry';

type InputReader = Pick<ModelSpec, 'architecture' | 'addSpecialTokens'>;

/** True for an encoder-decoder (it reads a source beside its decoder input). */
export function hasEncoder(spec: Pick<ModelSpec, 'architecture'>): boolean {
  return moduleOf(spec.architecture).runner.kind === 'encoder-decoder';
}

/** Whether the model reads this input at all (a model without an encoder reads no source). */
export function readsInput(spec: InputReader, input: EditedInput): boolean {
  return input === 'text' || hasEncoder(spec);
}

/** Whether the tokenizer adds its special tokens to this input, for a model that reads it. */
export function addsSpecialTokens(spec: InputReader, input: EditedInput): boolean {
  if (input === 'encoder') return spec.addSpecialTokens;
  return hasEncoder(spec) ? false : spec.addSpecialTokens;
}

/** A case without an `encoder:` line, for an encoder-decoder: it has no source to read (an input error of the run). */
export function missingSource(
  file: string,
  spec: Pick<ModelSpec, 'architecture' | 'name'>,
  c: PromptCase,
): LabDiagnostic {
  return {
    severity: 'error',
    message: `${spec.name} is an encoder-decoder (${moduleOf(spec.architecture).label}): this case needs its source on an \`encoder:\` line above the base, which is the decoder input (for example \`encoder: I want to buy a car\` above \`<pad> Ich will ein\`)`,
    file,
    range: c.base.range,
    code: 'no-encoder-input',
  };
}
