/**
 * Runs every model of an experiment on every case, in three steps:
 * 1. plan every model (memory and disk) before any tokenizer or model is loaded, so a model that cannot
 *    fit is refused at once, at its entry, with nothing built;
 * 2. tokenize every case and plan its passes (how many inputs fit in one forward pass);
 * 3. build or open each model and run its cases pass by pass, one comparison per variant, streamed to
 *    `onResult` as it finishes. Plain engine code: the CLI and the runner process both call it.
 */
import { REPORT_VERSION, type ComparisonReport, type VariantResult } from '../../protocol/report';
import type { ProgressStage, RunScope } from '../../protocol/run';
import { LabInputError, type Experiment, type ModelSpec, type SourceRange } from '../types';
import { loadTokenizer, NoTokenizerError, tokenizerLabel, type LabTokenizer } from '../tokenizers';
import { type ModelStore } from '../models/modelStore';
import { moduleOf } from '../models/registry';
import { CheckpointError } from '../models/weightSource';
import { TokenizerFolderError } from '../tokenizers/folder';
import { planPasses, readMachineMemory, ResourceError, type ModelPlan, type PassPlan } from '../resources';
import { runCase } from './runCase';
import { runSeq2SeqCase } from './runSeq2SeqCase';
import type { TokenizedCase } from './caseInputs';
import { tokenizeCases } from './tokenizeCases';
import type { SpecialTokens } from '../compare/types';
import { summarizeModel } from './summary';
import { TOOL_VERSION } from '../version';
import { CancelledError } from '../cancel';
import { checkScope } from './scope';
import type { LabDiagnostic } from '../../protocol/diagnostics';
import { patchingProblems } from '../patching/prepare';
import { patchingContext, type PatchingUpdate } from './patchCase';
import { checkHeadsLayer } from './readOutsWanted';
import { LENS_MAX_POSITIONS } from '../../protocol/headsAndLens';

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
  /** At most this many inputs per forward pass (the plan may choose fewer); for tests and benchmarks. */
  passSize?: number;
  /** Activation patching (`patch:`): the grid of a measured result so far, each time rows complete. */
  onPatching?: (update: PatchingUpdate) => void;
}

interface PreparedModel {
  spec: ModelSpec;
  plan: ModelPlan;
  tokenizer: LabTokenizer;
  cases: TokenizedCase[];
}

export async function runExperiment(experiment: Experiment, options: RunOptions): Promise<ComparisonReport> {
  const results: VariantResult[] = [];
  const checkCancelled = () => {
    if (options.signal?.aborted) throw new CancelledError();
  };
  checkScope(experiment, options.only);
  const plans = await planModels(experiment, options.store);
  const prepared: PreparedModel[] = [];
  const patchProblems: LabDiagnostic[] = [];
  for (const plan of plans) {
    checkCancelled();
    const spec = plan.spec;
    checkHeadsLayer(spec, summarizeModel(spec), experiment.file);
    options.onProgress?.({
      model: spec.name,
      stage: 'tokenizing',
      message: `tokenizing with the ${tokenizerLabel(spec.tokenizer)} tokenizer`,
    });
    const tokenizer = await loadTokenizer(spec.tokenizer, options.store.cacheDir).catch((e: unknown) => {
      throw atEntry(experiment, spec, e);
    });
    const tokenized = tokenizeCases(experiment, spec, tokenizer, options.only);
    patchProblems.push(...patchingProblems(experiment, spec, tokenized));
    const cases = tokenized.map((c) => ({
      ...c,
      passes: planCasePasses(experiment, plan, c, options.passSize),
    }));
    if (cases.length > 0) prepared.push({ spec, plan, tokenizer, cases });
  }
  // Every model's patching problems at once, before anything is built.
  if (patchProblems.length > 0) throw new LabInputError(patchProblems);

  for (const { spec, plan, tokenizer, cases } of prepared) {
    checkCancelled();
    const progress = (stage: ExperimentProgress['stage'], message: string) =>
      options.onProgress?.({ model: spec.name, stage, message });
    // A cancel during a build stops it (workers terminated, temporary folder removed) before it answers.
    const session = await options.store
      .get(spec, (message) => progress('building', message), options.signal)
      .catch((e: unknown) => {
        throw atEntry(experiment, spec, e);
      });
    const summary = summarizeModel(spec);
    const special: SpecialTokens = {
      decoderStart: moduleOf(spec.architecture).decoderStart(spec.config),
      padTokenId: tokenizer.padTokenId,
      tokenText: (id) => (id < tokenizer.vocabSize ? tokenizer.tokenText(id) : `<id ${id}>`),
    };
    const emit = (result: VariantResult) => {
      results.push(result);
      options.onResult?.(result);
    };
    for (const c of cases) {
      // Results in file order: a not-applicable answer goes out just before the next measured variant.
      const pending = [...c.notApplicable];
      const ordered = (result: VariantResult) => {
        while (pending.length > 0 && pending[0].variantIndex < result.variantIndex) emit(pending.shift()!);
        emit(result);
      };
      const ctx = {
        spec,
        summary,
        tokenizer,
        special,
        c,
        checkCancelled,
        progress,
        patching: patchingContext(experiment, plan, c, options.onPatching, (result, patching) => {
          const at = results.indexOf(result);
          if (at >= 0) results[at] = { ...result, patching };
        }),
      };
      if (c.variants.length > 0)
        switch (session.kind) {
          case 'single-stack':
            await runCase({ ...ctx, session }, ordered);
            break;
          case 'encoder-decoder':
            await runSeq2SeqCase({ ...ctx, session }, ordered);
            break;
        }
      pending.forEach(emit);
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

/** Step 1: every model's memory and disk, held against the machine and the caps. Reports every model that cannot fit. */
async function planModels(experiment: Experiment, store: ModelStore): Promise<ModelPlan[]> {
  const machine = readMachineMemory();
  const scan = {};
  const plans: ModelPlan[] = [];
  const errors: LabInputError[] = [];
  for (const spec of experiment.models) {
    try {
      plans.push(await store.plan(spec, scan, machine));
    } catch (e) {
      const placedError = atEntry(experiment, spec, e);
      if (!(placedError instanceof LabInputError)) throw placedError;
      errors.push(placedError);
    }
  }
  if (errors.length > 0) throw new LabInputError(errors.flatMap((e) => e.diagnostics));
  return plans;
}

/** Step 2, per case: how many of its inputs (base, control, variants) go into one forward pass. */
function planCasePasses(
  experiment: Experiment,
  plan: ModelPlan,
  c: Omit<TokenizedCase, 'passes'>,
  passSize: number | undefined,
): PassPlan {
  const inputs = [c.base, ...c.variants.map((v) => v.encoded), ...(c.source ? [c.source.encoded] : [])];
  try {
    const passes = planPasses(plan, {
      inputs: c.variants.length + 2,
      kept: 2,
      length: inputs.reduce((n, e) => Math.max(n, e.ids.length), 0),
      train: plan.spec.mode === 'train',
      attentions: false,
      // `lens:` runs the head on up to LENS_MAX_POSITIONS more rows per input (one layer's at a time).
      logitRowsPerInput: 1 + (plan.spec.lens !== undefined ? LENS_MAX_POSITIONS : 0),
    });
    if (passSize === undefined || passSize >= passes.inputsPerPass) return passes;
    const inputsPerPass = Math.max(1, passSize);
    return { ...passes, inputsPerPass, passes: Math.ceil((c.variants.length + 2) / inputsPerPass) };
  } catch (e) {
    // Too long for this model on this machine: point at the prompt.
    throw e instanceof ResourceError ? placed(experiment, e.message, c.baseRange, e.code) : e;
  }
}

/** A problem of the user's input found while planning, building or loading: placed at the model entry. */
function atEntry(experiment: Experiment, spec: ModelSpec, e: unknown): unknown {
  if (e instanceof CheckpointError) return placed(experiment, `${spec.name}: ${e.message}`, spec.range, 'bad-weights');
  if (e instanceof ResourceError) return placed(experiment, e.message, spec.range, e.code);
  if (e instanceof NoTokenizerError)
    return placed(experiment, `${spec.name}: ${e.message}`, spec.range, 'no-tokenizer');
  if (e instanceof TokenizerFolderError)
    return placed(experiment, `${spec.name}: ${e.message}`, spec.range, 'bad-tokenizer');
  return e;
}

function placed(experiment: Experiment, message: string, range: SourceRange, code: string): LabInputError {
  return new LabInputError([{ severity: 'error', message, file: experiment.file, range, code }]);
}
