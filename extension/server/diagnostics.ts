/**
 * Publishes the parser's diagnostics: at once when a document opens, ~150 ms after the last
 * change while typing (one parse per pause, not per keystroke), cleared when it closes. What the
 * text alone says is published at once; when the models name files (read asynchronously, in a
 * trusted workspace only), everything is published again once they are read.
 */
import { DiagnosticSeverity, type Connection, type Diagnostic } from 'vscode-languageserver';
import type { LabDiagnostic, ModelSpec, Severity } from '../lab/types';
import type { PromptAnalysis, PromptDocuments } from './documents';
import { encoderNotes } from './encoderNotes';
import { describeError, type Logger } from './guard';
import { toLspRange } from './ranges';

export const DIAGNOSTIC_SOURCE = 'perturbation-lab';
export const CHANGE_DEBOUNCE_MS = 150;

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
};

export function toLspDiagnostic(d: LabDiagnostic): Diagnostic {
  return {
    range: toLspRange(d.range),
    severity: SEVERITY[d.severity],
    code: d.code,
    source: DIAGNOSTIC_SOURCE,
    // A diagnostic without text shows as an empty marker; never publish one (an engine bug if it happens).
    message:
      typeof d.message === 'string' && d.message.trim() !== ''
        ? d.message
        : `Perturbation Lab found a problem here (${String(d.code)}) but has no words for it: please report this`,
  };
}

/** The diagnostics of one version; an engine bug becomes one visible diagnostic, not silence. */
export function diagnosticsOf(analysis: PromptAnalysis, log: Logger): Diagnostic[] {
  return guardedDiagnostics(analysis, log, () => withEncoderNotes(analysis, analysis.parsed));
}

/** The parser's diagnostics, and what the resolved models say about the file's `encoder:` lines. */
function withEncoderNotes(
  analysis: PromptAnalysis,
  known: { experiment: { models: ModelSpec[] } | null; models: ModelSpec[]; diagnostics: LabDiagnostic[] },
): LabDiagnostic[] {
  const models = known.experiment?.models ?? known.models;
  const entries = analysis.outline.models.length;
  return [...known.diagnostics, ...encoderNotes(analysis.file, models, entries, analysis.cases)];
}

/** Both phases' diagnostics (the files the models name read, where the workspace is trusted). */
export async function loadedDiagnosticsOf(analysis: PromptAnalysis, log: Logger): Promise<Diagnostic[]> {
  try {
    const loaded = await analysis.loaded();
    return guardedDiagnostics(analysis, log, () => withEncoderNotes(analysis, loaded));
  } catch (error) {
    return guardedDiagnostics(analysis, log, () => {
      throw error;
    });
  }
}

function guardedDiagnostics(analysis: PromptAnalysis, log: Logger, get: () => LabDiagnostic[]): Diagnostic[] {
  try {
    return get().map(toLspDiagnostic);
  } catch (error) {
    log.error(`checking ${analysis.uri} (version ${analysis.version}) failed: ${describeError(error)}`);
    const message = `Perturbation Lab could not check this file (an internal error; the details are in the language server's output): ${error instanceof Error ? error.message : String(error)}`;
    return [
      {
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        severity: DiagnosticSeverity.Warning,
        code: 'internal-error',
        source: DIAGNOSTIC_SOURCE,
        message,
      },
    ];
  }
}

export class DiagnosticsPublisher {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly connection: Connection,
    private readonly documents: PromptDocuments,
    private readonly log: Logger,
    private readonly debounceMs = CHANGE_DEBOUNCE_MS,
  ) {}

  /** The version each document was opened with: TextDocuments reports an open as a content change too. */
  private readonly openedVersions = new Map<string, number>();

  opened(uri: string, version: number): void {
    this.openedVersions.set(uri, version);
    this.schedule(uri, 0);
  }

  changed(uri: string, version: number): void {
    // The change event that comes with the open: already scheduled at once, not after the debounce.
    if (this.openedVersions.get(uri) === version) return;
    this.openedVersions.delete(uri);
    this.schedule(uri, this.debounceMs);
  }

  /** Publishes again at once (what the document names changed on disk). */
  refresh(uri: string): void {
    this.schedule(uri, 0);
  }

  /** A closed document keeps no markers in the Problems view. */
  closed(uri: string): void {
    this.openedVersions.delete(uri);
    this.cancel(uri);
    void this.connection.sendDiagnostics({ uri, diagnostics: [] }).catch((e) => this.log.warn(describeError(e)));
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private schedule(uri: string, delayMs: number): void {
    this.cancel(uri);
    this.timers.set(
      uri,
      setTimeout(() => this.publish(uri), delayMs),
    );
  }

  private cancel(uri: string): void {
    clearTimeout(this.timers.get(uri));
    this.timers.delete(uri);
  }

  private publish(uri: string): void {
    this.timers.delete(uri);
    try {
      const analysis = this.documents.analysisOf(uri);
      if (!analysis) return; // closed meanwhile
      this.send(analysis, diagnosticsOf(analysis, this.log));
      if (!analysis.namesFiles) return;
      // The files are read off the request loop; a newer version or a close makes this answer stale.
      void loadedDiagnosticsOf(analysis, this.log).then((diagnostics) => {
        if (this.documents.analysisOf(uri) === analysis) this.send(analysis, diagnostics);
      });
    } catch (error) {
      this.log.error(`publishing diagnostics for ${uri} failed: ${describeError(error)}`);
    }
  }

  private send(analysis: PromptAnalysis, diagnostics: Diagnostic[]): void {
    void this.connection
      .sendDiagnostics({ uri: analysis.uri, version: analysis.version, diagnostics })
      .catch((e) => this.log.warn(describeError(e)));
  }
}
