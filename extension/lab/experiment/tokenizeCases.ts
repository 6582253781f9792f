/**
 * Step 2 of a run, per model: every case it covers, tokenized as the model reads it. A single-stack model
 * reads the base line (with the tokenizer's special tokens when `add_special_tokens`), ignores the case's
 * `encoder:` line and cannot read an encoder variant (not applicable). An encoder-decoder reads the source
 * (`encoder:`, with special tokens when `add_special_tokens`, as Hugging Face's tokenizer call makes
 * `input_ids`) and the base line as its decoder input, tokenized as written — its start token is the user's
 * to write (`<pad> Ich will ein`), as `decoder_input_ids` are given to a forward call.
 */
import type { RunScope } from '../../protocol/run';
import { LabInputError, type Experiment, type ModelSpec, type PromptText } from '../types';
import type { EncodedText, LabTokenizer } from '../tokenizers';
import { moduleOf, shapeOf } from '../models/registry';
import { notApplicable, type TokenizedCase } from './caseInputs';
import { addsSpecialTokens, hasEncoder, missingSource, readsInput } from './inputReading';

export function tokenizeCases(
  experiment: Experiment,
  spec: ModelSpec,
  tokenizer: LabTokenizer,
  only: RunScope | undefined,
): Omit<TokenizedCase, 'passes'>[] {
  const module = moduleOf(spec.architecture);
  const twoStacks = hasEncoder(spec);
  const encode = (prompt: PromptText, special: boolean) => encodeChecked(experiment, spec, tokenizer, prompt, special);
  return experiment.cases
    .map((c, caseIndex) => ({ c, caseIndex }))
    .filter(({ caseIndex }) => !only || only.caseIndex === caseIndex)
    .map(({ c, caseIndex }) => {
      const picked = c.variants
        .map((v, variantIndex) => ({ v, variantIndex }))
        .filter(({ variantIndex }) => only?.variantIndex === undefined || only.variantIndex === variantIndex);
      if (twoStacks && !c.encoder) throw new LabInputError([missingSource(experiment.file, spec, c)]);
      const source = twoStacks
        ? { text: c.encoder!.text, encoded: encode(c.encoder!, addsSpecialTokens(spec, 'encoder')) }
        : undefined;
      const readable = picked.filter(({ v }) => readsInput(spec, v.edits));
      return {
        caseIndex,
        base: encode(c.base, addsSpecialTokens(spec, 'text')),
        baseText: c.base.text,
        baseRange: c.base.range,
        ...(source ? { source } : {}),
        variants: readable.map(({ v, variantIndex }) => ({
          variantIndex,
          edits: v.edits,
          text: v.text,
          encoded: encode(v, addsSpecialTokens(spec, v.edits)),
        })),
        notApplicable: picked
          .filter(({ v }) => !readsInput(spec, v.edits))
          .map(({ v, variantIndex }) =>
            notApplicable(
              { name: spec.name, label: module.label },
              caseIndex,
              variantIndex,
              c.encoder?.text ?? '',
              v.text,
            ),
          ),
      };
    })
    .filter((c) => c.variants.length + c.notApplicable.length > 0);
}

/** Tokenizes one prompt and checks it fits the model: every id in the vocabulary, not too long. */
function encodeChecked(
  experiment: Experiment,
  spec: ModelSpec,
  tokenizer: LabTokenizer,
  prompt: PromptText,
  addSpecialTokens: boolean,
): EncodedText {
  const encoded = tokenizer.encode(prompt.text, addSpecialTokens);
  const d = shapeOf(spec.config);
  const fail = (message: string, code: string) => {
    throw new LabInputError([{ severity: 'error', message, file: experiment.file, range: prompt.range, code }]);
  };
  if (encoded.ids.length === 0) fail(`this prompt gives no tokens for ${spec.name}: nothing to run`, 'empty-prompt');
  const outside = encoded.ids.find((id) => id >= d.vocabSize);
  if (outside !== undefined) {
    fail(
      `token id ${outside} (${JSON.stringify(tokenizer.tokenText(outside))}) is outside ${spec.name}'s vocabulary (vocab_size ${d.vocabSize}); the ${tokenizer.label} tokenizer needs a model with its full vocabulary`,
      'token-outside-vocabulary',
    );
  }
  if (encoded.ids.length > d.maxPositions) {
    fail(
      `this prompt is ${encoded.ids.length} tokens long for ${spec.name}, which has only ${d.maxPositions} positions`,
      'prompt-too-long',
    );
  }
  return encoded;
}
