/**
 * Open `.prompt` documents and what the engine makes of them. Every feature reads a document
 * through `analysisOf`, so one version is parsed at most once however many requests ask.
 *
 * Parsing opens no file. The files a document names (`config:`, `weights:`) are read only in a
 * trusted workspace (the host says so at start), asynchronously and through the engine's safe
 * reader — regular files only, size caps — so a FIFO, `/dev/zero` or a slow disk never blocks
 * hover or completion. A `from:` model is looked up in the Hugging Face cache only (the editor never
 * asks the Hub, never downloads), also only in a trusted workspace: its config checks the entry's
 * overrides, its tokenizer counts tokens.
 */
import { TextDocuments } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { nodeModelFileReader, type HubPlanner, type ModelFileReader } from '../lab/config';
import { hubSettings, planModel } from '../lab/hub';
import {
  loadModelFiles,
  outlinePromptFile,
  parsePromptFile,
  type LoadedPromptFile,
  type ParseResult,
  type PromptFileOutline,
} from '../lab/promptFile';
import type { LabDiagnostic, ModelSpec, PromptCase } from '../lab/types';
import { fileOfUri } from '../common/paths';

/** What the server may do with the files a document names. */
export interface FilePolicy {
  /** Workspace trust, as the host sent it at start; false when it did not say. */
  trusted: boolean;
  reader: ModelFileReader;
}

export class PromptAnalysis {
  private parsedResult?: ParseResult;
  private outlineResult?: PromptFileOutline;
  private loadedResult?: Promise<LoadedPromptFile>;
  /** `loaded()`'s result once it has settled, for the handlers that answer synchronously. */
  private loadedValue?: LoadedPromptFile;

  constructor(
    readonly uri: string,
    /** Taken at creation: TextDocuments updates a document in place, so text and version are copied. */
    readonly version: number,
    readonly text: string,
    /** What the parser calls the file: its path for `file:` URIs (so relative `config:` paths resolve), else the URI. */
    readonly file: string,
    private readonly policy: FilePolicy = { trusted: false, reader: nodeModelFileReader },
  ) {}

  /** What the text alone says (no file opened); the experiment only when no model names a file. */
  get parsed(): ParseResult {
    return (this.parsedResult ??= parsePromptFile(this.text, this.file));
  }

  /** True when the models name files or Hub models, so `loaded()` has more to say than `parsed`. */
  get namesFiles(): boolean {
    return this.parsed.files.length > 0 || this.parsed.hub.length > 0;
  }

  /**
   * Both phases: the experiment and every diagnostic. In an untrusted workspace no file is read;
   * each path gets a note saying why its content is not checked.
   */
  loaded(): Promise<LoadedPromptFile> {
    return (this.loadedResult ??= this.load().then((loaded) => (this.loadedValue = loaded)));
  }

  private async load(): Promise<LoadedPromptFile> {
    const parsed = this.parsed;
    if (!this.namesFiles || !parsed.pending)
      return { experiment: parsed.experiment, diagnostics: parsed.diagnostics, models: parsed.models };
    if (this.policy.trusted) {
      const loaded = await loadModelFiles(parsed, this.policy.reader, { hub: cacheOnly });
      return { ...loaded, diagnostics: loaded.diagnostics.map(editorView) };
    }
    const hubNotes: LabDiagnostic[] = parsed.hub.map((h) => ({
      severity: 'info',
      code: 'untrusted-hub',
      message: `not checked: this workspace is not trusted (Restricted Mode), so the editor does not read the Hugging Face cache for \`${h.repoId}\`; a run takes it from the cache only and downloads nothing. Trust the workspace to download it, or run the file once from a trusted workspace.`,
      file: this.file,
      range: h.range,
    }));
    const notes: LabDiagnostic[] = parsed.files.map((f) => ({
      severity: 'info',
      code: 'untrusted-file',
      message: f.presetMeant
        ? `not read: this workspace is not trusted, so ${f.path} is neither opened nor checked; did you mean the preset \`${f.presetMeant}\`?`
        : `not read: this workspace is not trusted, so ${f.path} is neither opened nor checked (and a run loads no model from it)`,
      file: this.file,
      range: f.range,
      // The preset it was probably meant to be is a quick fix that opens nothing.
      ...(f.presetMeant
        ? { suggestion: { target: 'value' as const, key: 'config', texts: [f.presetMeant], closeMatch: true } }
        : {}),
    }));
    return { experiment: null, diagnostics: [...parsed.diagnostics, ...notes, ...hubNotes], models: parsed.models };
  }

  /** Cases and models as far as they can be read, even while the front matter is broken. */
  get outline(): PromptFileOutline {
    return (this.outlineResult ??= outlinePromptFile(this.text));
  }

  /** The models whose entries resolve, even while another entry (or another part of the file) has an error. */
  async resolvedModels(): Promise<ModelSpec[]> {
    await this.loaded();
    return this.modelsSoFar;
  }

  /** The resolved models as far as known now: with the files' content once `loaded()` settled, else without. */
  get modelsSoFar(): ModelSpec[] {
    const known = this.loadedValue ?? this.parsed;
    return known.experiment?.models ?? known.models;
  }

  /** Every diagnostic known now: both phases once `loaded()` settled, else the text's own. */
  get diagnosticsSoFar(): LabDiagnostic[] {
    return (this.loadedValue ?? this.parsed).diagnostics;
  }

  /** The cases, even while the front matter has an error. */
  get cases(): PromptCase[] {
    return this.parsed.experiment?.cases ?? this.parsed.pending?.cases ?? this.outline.cases;
  }
}

/** The editor reads a `from:` model from the Hugging Face cache alone: no request, no download. */
const cacheOnly: HubPlanner = (ref) => planModel(ref, hubSettings({ offline: true }));

/**
 * A model the cache lacks is no error in the editor (a run downloads it): a note that says so. Its
 * overrides are checked once the cache has its config.
 */
function editorView(d: LabDiagnostic): LabDiagnostic {
  if (d.code !== 'hub-offline-missing') return d;
  return {
    ...d,
    severity: 'info',
    code: 'hub-not-cached',
    message:
      'not in the Hugging Face cache yet: a run downloads it (the editor only reads the cache and never downloads), and then its config checks the keys of this entry and its tokenizer counts tokens',
  };
}

export class PromptDocuments {
  readonly textDocuments = new TextDocuments(TextDocument);
  private readonly analyses = new Map<string, PromptAnalysis>();
  /** Set once the host's initializationOptions are read; untrusted until then. */
  policy: FilePolicy = { trusted: false, reader: nodeModelFileReader };

  constructor() {
    this.textDocuments.onDidClose((e) => this.analyses.delete(e.document.uri));
  }

  get(uri: string): TextDocument | undefined {
    return this.textDocuments.get(uri);
  }

  /**
   * Forgets what was read for the open documents that name a Hub model (the cache changed): their next analysis
   * reads it again. Returns their URIs.
   */
  forgetHubModels(): string[] {
    const stale = [...this.analyses].filter(([, a]) => a.parsed.hub.length > 0).map(([uri]) => uri);
    for (const uri of stale) this.analyses.delete(uri);
    return stale;
  }

  /** The analysis of the document's current version; undefined when the document is not open. */
  analysisOf(uri: string): PromptAnalysis | undefined {
    const document = this.textDocuments.get(uri);
    if (!document) return undefined;
    const cached = this.analyses.get(uri);
    if (cached && cached.version === document.version) return cached;
    const analysis = new PromptAnalysis(uri, document.version, document.getText(), fileOfUri(uri) ?? uri, this.policy);
    this.analyses.set(uri, analysis);
    return analysis;
  }
}
