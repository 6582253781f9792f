/**
 * What the output channel says about each run: the file, its models and where their weights come from,
 * the cache folder, how long each model took to tokenize, build or open, and run, every result's
 * verdict, and how the run ended — input errors as warnings, internal errors with their stack, a dead
 * runner as an error. Levels follow VS Code's LogOutputChannel (the user picks which to see).
 * No `vscode` import: the channel is passed in as a `RunLogger`, so this is tested with a plain recorder.
 */
import type { ModelSummary, VariantResult } from '../protocol/report';
import type { CaseOutline, ProgressStage, RunScope } from '../protocol/run';
import type { SerializedError } from '../protocol/runner';
import { formatDiagnostic } from '../protocol/diagnostics';

/** The subset of `vscode.LogOutputChannel` the run log writes to. */
export interface RunLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string | Error): void;
  debug(message: string): void;
}

interface ModelTimes {
  downloading?: number;
  tokenizing?: number;
  building?: number;
  running?: number;
  lastResult?: number;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const seconds = (ms: number) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`);

/** One run's log: created when the run starts, fed the runner's events as they arrive. */
export class RunLog {
  private readonly started: number;
  private readonly times = new Map<string, ModelTimes>();
  private readonly tag: string;

  constructor(
    private readonly log: RunLogger,
    runId: string,
    file: string,
    details: { only?: RunScope; cacheFolder: string; trusted: boolean },
    private readonly now: () => number = Date.now,
  ) {
    this.started = now();
    this.tag = `[run ${runId.slice(0, 8)}]`;
    const scope = details.only
      ? ` (case ${details.only.caseIndex + 1}${details.only.variantIndex === undefined ? '' : `, variant ${details.only.variantIndex + 1}`} only)`
      : '';
    log.info(`${this.tag} compare ${file}${scope}`);
    log.info(
      `${this.tag} model cache: ${details.cacheFolder}${details.trusted ? '' : ' (untrusted workspace: presets only)'}`,
    );
  }

  outline(models: readonly ModelSummary[], cases: readonly CaseOutline[]): void {
    const variants = cases.reduce((n, c) => n + c.variants.length, 0);
    this.log.info(
      `${this.tag} ${plural(models.length, 'model')}, ${plural(cases.length, 'case')}, ${plural(variants, 'variant')}`,
    );
    for (const m of models)
      this.log.info(
        `${this.tag}   ${m.name}: ${m.architecture}, ${m.weights.description}, ${m.mode} mode, config ${m.configSource}, ${m.numLayers} layers`,
      );
  }

  progress(model: string, stage: ProgressStage, message: string): void {
    const t = this.timesOf(model);
    t[stage] ??= this.now();
    this.log.debug(`${this.tag} ${model}: ${message}`);
  }

  result(result: VariantResult): void {
    this.timesOf(result.model).lastResult = this.now();
    this.log.info(
      `${this.tag} ${result.model}, case ${result.caseIndex + 1} variant ${result.variantIndex + 1}: ${result.verdict}`,
    );
  }

  finished(): void {
    this.logTimes();
    this.log.info(`${this.tag} finished in ${seconds(this.now() - this.started)}`);
  }

  failed(error: SerializedError): void {
    this.logTimes();
    const after = `after ${seconds(this.now() - this.started)}`;
    switch (error.kind) {
      case 'cancelled':
        this.log.info(`${this.tag} cancelled ${after}`);
        return;
      case 'input':
        this.log.warn(`${this.tag} the file can't run as it is (${after}): ${error.message}`);
        for (const d of error.diagnostics ?? []) this.log.warn(`${this.tag}   ${formatDiagnostic(d)}`);
        return;
      case 'untrusted':
        this.log.warn(`${this.tag} refused in an untrusted workspace: ${error.message}`);
        return;
      case 'internal':
        this.log.error(`${this.tag} internal error ${after}: ${error.message}${error.stack ? `\n${error.stack}` : ''}`);
        return;
      default: {
        const never: never = error.kind;
        return never;
      }
    }
  }

  crashed(reason: string): void {
    this.logTimes();
    this.log.error(`${this.tag} the runner died during the run: ${reason}`);
  }

  private timesOf(model: string): ModelTimes {
    let t = this.times.get(model);
    if (!t) this.times.set(model, (t = {}));
    return t;
  }

  /** Per model: asking the Hub and downloading until tokenizing, tokenizing until the build, building/opening until the run, running until its last result. */
  private logTimes(): void {
    for (const [model, t] of this.times) {
      const parts: string[] = [];
      if (t.downloading !== undefined && t.tokenizing !== undefined)
        parts.push(`Hub and download ${seconds(t.tokenizing - t.downloading)}`);
      const buildStart = t.building ?? t.running;
      if (t.tokenizing !== undefined && buildStart !== undefined)
        parts.push(`tokenize ${seconds(buildStart - t.tokenizing)}`);
      if (t.building !== undefined && t.running !== undefined)
        parts.push(`build/open ${seconds(t.running - t.building)}`);
      else if (t.running !== undefined) parts.push('model already open');
      if (t.running !== undefined && t.lastResult !== undefined)
        parts.push(`run and compare ${seconds(t.lastResult - t.running)}`);
      if (parts.length) this.log.info(`${this.tag} ${model}: ${parts.join(' · ')}`);
    }
    this.times.clear();
  }
}
