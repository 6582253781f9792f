/**
 * Runs every model of an experiment on every case: tokenize, build or open the model, one batched
 * forward pass per case (base, control, variants), then one comparison per variant, streamed to
 * `onResult` as it finishes. Plain engine code: the CLI and the runner process both call it.
 */
import { REPORT_VERSION, type ComparisonReport, type VariantResult } from '../../protocol/report';
import type { ProgressStage, RunScope } from '../../protocol/run';
import { LabInputError, type Experiment, type ModelSpec, type PromptText } from '../types';
import { loadTokenizer, type EncodedText, type LabTokenizer } from '../tokenizers';
import { compareVariant } from '../compare';
import { type ModelStore } from '../models/modelStore';
import { dimsOf } from '../config';
import { CheckpointError } from '../models/weightSource';
import { dropoutSeedFor } from './dropoutSeeds';
import { summarizeModel } from './summary';
import { TOOL_VERSION } from '../version';
import { CancelledError } from '../cancel';
import { checkScope } from './scope';

export { CancelledError } from '../cancel';

export interface ExperimentProgress {
  model: string;
  stage: ProgressStage;
  message: string;
}

export interface RunOptions {
  store: ModelStore;
  signal?: AbortSignal;
  onProgress?: (p: ExperimentProgress) => void;
  onResult?: (r: VariantResult) => void;
  /** Restrict to one case (and optionally one variant of it), as "Compare this variant" does. */
  only?: RunScope;
}

export async function runExperiment(experiment: Experiment, options: RunOptions): Promise<ComparisonReport> {
  const results: VariantResult[] = [];
  const checkCancelled = () => {
    if (options.signal?.aborted) throw new CancelledError();
  };
  checkScope(experiment, options.only);
  for (const spec of experiment.models) {
    checkCancelled();
    const progress = (stage: ExperimentProgress['stage'], message: string) =>
      options.onProgress?.({ model: spec.name, stage, message });
    progress('tokenizing', `tokenizing with the ${spec.tokenizer} tokenizer`);
    const tokenizer = await loadTokenizer(spec.tokenizer, options.store.cacheDir);
    const cases = experiment.cases
      .map((c, caseIndex) => ({ c, caseIndex }))
      .filter(({ caseIndex }) => !options.only || options.only.caseIndex === caseIndex)
      .map(({ c, caseIndex }) => ({
        caseIndex,
        base: encodeChecked(experiment, spec, tokenizer, c.base),
        variants: c.variants
          .map((v, variantIndex) => ({ v, variantIndex }))
          .filter(
            ({ variantIndex }) =>
              options.only?.variantIndex === undefined || options.only.variantIndex === variantIndex,
          )
          .map(({ v, variantIndex }) => ({
            variantIndex,
            text: v.text,
            encoded: encodeChecked(experiment, spec, tokenizer, v),
          })),
        baseText: c.base.text,
      }))
      .filter((c) => c.variants.length > 0);
    if (cases.length === 0) continue;

    // A cancel during a build stops it (workers terminated, temporary folder removed) before it answers.
    const session = await options.store
      .get(spec, (message) => progress('building', message), options.signal)
      .catch((e: unknown) => {
        // A checkpoint that doesn't fit is the user's input: point at the model entry.
        if (e instanceof CheckpointError)
          throw new LabInputError([
            {
              severity: 'error',
              message: `${spec.name}: ${e.message}`,
              file: experiment.file,
              range: spec.range,
              code: 'bad-weights',
            },
          ]);
        throw e;
      });
    const summary = summarizeModel(spec);
    const causal = dimsOf(spec.config).causal;
    for (const c of cases) {
      checkCancelled();
      progress('running', `running case ${c.caseIndex + 1} (${c.variants.length + 2} inputs in one batch)`);
      const inputs = [c.base, c.base, ...c.variants.map((v) => v.encoded)].map((e, runIndex) => ({
        ids: e.ids,
        dropoutSeed: dropoutSeedFor(
          spec,
          c.caseIndex,
          runIndex === 0 || runIndex === 1 ? runIndex : 2 + c.variants[runIndex - 2].variantIndex,
        ),
      }));
      const outputs = await session.forward(inputs, { causal, rates: summary.dropoutRates });
      const run = (i: number, e: EncodedText) => ({
        ids: e.ids,
        tokens: e.tokens,
        hiddenStates: outputs[i].hiddenStates,
        nextTokenLogits: outputs[i].lastLogits,
      });
      for (const [k, v] of c.variants.entries()) {
        checkCancelled();
        const result = compareVariant({
          model: summary,
          caseIndex: c.caseIndex,
          variantIndex: v.variantIndex,
          baseText: c.baseText,
          variantText: v.text,
          base: run(0, c.base),
          control: run(1, c.base),
          variant: run(2 + k, v.encoded),
          attentionKeep: outputs[0].keep,
          causalMask: causal,
          // A model's vocabulary can be larger than its tokenizer's (padded embeddings): name such ids by number.
          decode: (id) => (id < tokenizer.vocabSize ? tokenizer.decode([id]) : `<id ${id}>`),
        });
        results.push(result);
        options.onResult?.(result);
      }
    }
  }
  return {
    version: REPORT_VERSION,
    tool: 'perturbation-lab',
    toolVersion: TOOL_VERSION,
    file: experiment.file,
    models: experiment.models.map(summarizeModel),
    results,
  };
}

/** Tokenizes one prompt and checks it fits the model: every id in the vocabulary, not too long. */
function encodeChecked(
  experiment: Experiment,
  spec: ModelSpec,
  tokenizer: LabTokenizer,
  prompt: PromptText,
): EncodedText {
  const encoded = tokenizer.encode(prompt.text, spec.addSpecialTokens);
  const d = dimsOf(spec.config);
  const fail = (message: string, code: string) => {
    throw new LabInputError([{ severity: 'error', message, file: experiment.file, range: prompt.range, code }]);
  };
  if (encoded.ids.length === 0) fail(`this prompt gives no tokens for ${spec.name}: nothing to run`, 'empty-prompt');
  const outside = encoded.ids.find((id) => id >= d.vocabSize);
  if (outside !== undefined) {
    fail(
      `token id ${outside} (${JSON.stringify(tokenizer.tokenText(outside))}) is outside ${spec.name}'s vocabulary (vocab_size ${d.vocabSize}); the ${spec.tokenizer} tokenizer needs a model with its full vocabulary`,
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
