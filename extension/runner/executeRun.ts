/** One run request, start to finish, as events. Never throws: every failure becomes a `failed` event. */
import type { RunnerSettings, RunnerToHost, RunRequest, SerializedError } from '../protocol/runner';
import { loadModelFiles, parsePromptFile } from '../lab/promptFile';
import { nodeModelFileReader } from '../lab/config';
import { HubError, planModel, type HubSettings } from '../lab/hub';
import { DownloadDeclined, describeRequest, downloadHubModels } from '../lab/experiment/hubDownloads';
import { runExperiment, CancelledError } from '../lab/experiment/runExperiment';
import { summarizeModel } from '../lab/experiment/summary';
import { LabInputError, type Experiment, type LabDiagnostic } from '../lab/types';
import type { ModelStore } from '../lab/models/modelStore';
import { untrustedPaths } from './trust';
import { confirmThreshold, DownloadEvents, runnerHubSettings, type DownloadConfirmations } from './hub';
import { withReadOuts } from './readOutRun';

export async function executeRun(
  request: RunRequest,
  settings: RunnerSettings,
  store: ModelStore,
  signal: AbortSignal,
  send: (m: RunnerToHost) => void,
  confirmations: DownloadConfirmations,
): Promise<void> {
  const { requestId } = request;
  const started = Date.now();
  const fail = (error: SerializedError) => send({ type: 'failed', requestId, error });
  // Read only when a model comes from the Hub: a bad endpoint or token file must not stop a run without one.
  let hub: HubSettings | undefined;
  const hubOf = () => (hub ??= runnerHubSettings(settings));
  const downloads = new DownloadEvents(requestId, send);
  try {
    if (signal.aborted) throw new CancelledError();
    // Phase 1 opens nothing: the text alone.
    const parsed = parsePromptFile(request.text, request.file);
    if (failOnErrors(parsed.diagnostics, request.file, fail)) return;
    // The trust check comes before any file the prompt names is opened (or even stat-ed).
    if (!settings.trusted && parsed.files.length > 0) {
      fail({
        kind: 'untrusted',
        message: `This workspace is not trusted, so Perturbation Lab loads no model from a file path (${untrustedPaths(parsed.files).join(', ')}). Presets with random weights still run. Trust the workspace to load these.`,
      });
      return;
    }
    // Phase 2: regular files only, size caps, read without blocking the event loop (a cancel is still heard).
    // `from:` models: the cache first, else the Hub's listing and config.json (never a weight here); in Restricted
    // Mode the cache only.
    const loaded = await loadModelFiles(parsed, nodeModelFileReader, {
      hub: (ref) =>
        planModel(ref, hubOf(), { signal, onProgress: (p) => downloads.report([ref.model ?? ref.repoId], p) }),
    });
    if (signal.aborted) throw new CancelledError();
    if (failOnErrors(loaded.diagnostics, request.file, fail) || !loaded.experiment) return;
    const experiment: Experiment = withReadOuts(loaded.experiment, request.readOuts, request.file);
    send({
      type: 'outline',
      requestId,
      outline: {
        models: experiment.models.map(summarizeModel),
        cases: experiment.cases.map((c, caseIndex) => ({
          caseIndex,
          baseText: c.base.text,
          encoderText: c.encoder?.text ?? null,
          variants: c.variants.map((v, variantIndex) => ({ variantIndex, text: v.text, edits: v.edits })),
        })),
      },
    });
    if (experiment.models.some((m) => m.hub)) {
      // Size first: every model planned, the threshold confirmed by the user, then the weights fetched.
      const threshold = confirmThreshold(settings);
      await downloadHubModels(experiment, {
        store,
        hub: hubOf(),
        confirmAbove: threshold,
        confirm: (r) => confirmations.ask(requestId, r, threshold, send, signal),
        onProgress: (repo, p) => downloads.report(repo.models, p),
        signal,
      });
    }
    const report = await runExperiment(experiment, {
      store,
      signal,
      only: request.only,
      onProgress: (p) => send({ type: 'progress', requestId, ...p }),
      onResult: (result) => send({ type: 'result', requestId, result }),
      onPatching: ({ patching, ...ref }) => send({ type: 'patching', requestId, ref, patching }),
    });
    send({ type: 'done', requestId, elapsedMs: Date.now() - started, report });
  } catch (e) {
    if (e instanceof CancelledError) fail({ kind: 'cancelled', message: 'cancelled' });
    else if (e instanceof DownloadDeclined)
      fail({ kind: 'cancelled', message: `Not downloaded: ${describeRequest(e.request)}. Nothing was fetched.` });
    else if (e instanceof HubError) fail({ kind: 'input', message: e.message });
    else if (e instanceof LabInputError) fail({ kind: 'input', message: e.message, diagnostics: e.diagnostics });
    else {
      const err = e instanceof Error ? e : new Error(String(e));
      process.stderr.write(`runner: internal error in ${requestId}: ${err.stack}\n`);
      fail({ kind: 'internal', message: err.message, stack: err.stack });
    }
  }
}

/** Fails the run with the errors (and the warnings beside them), if there is an error. */
function failOnErrors(diagnostics: LabDiagnostic[], file: string, fail: (error: SerializedError) => void): boolean {
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length === 0) return false;
  fail({
    kind: 'input',
    message: `${file} has ${errors.length} problem(s); fix them and run again`,
    diagnostics: errors,
  });
  return true;
}
