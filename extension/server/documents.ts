/**
 * Open `.prompt` documents and what the engine makes of them. Every feature reads a document
 * through `analysisOf`, so one version is parsed at most once however many requests ask.
 */
import { TextDocuments } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { fileOfUri } from '../common/paths';
import { outlinePromptFile, parsePromptFile, type ParseResult, type PromptFileOutline } from '../lab/promptFile';
import type { ModelSpec, PromptCase } from '../lab/types';

export class PromptAnalysis {
  private parsedResult?: ParseResult;
  private outlineResult?: PromptFileOutline;

  constructor(
    readonly uri: string,
    /** Taken at creation: TextDocuments updates a document in place, so text and version are copied. */
    readonly version: number,
    readonly text: string,
    /** What the parser calls the file: its path for `file:` URIs (so relative `config:` paths resolve), else the URI. */
    readonly file: string,
  ) {}

  /** The full parse: diagnostics, and the experiment when there is no error (needed for models' tokenizers). */
  get parsed(): ParseResult {
    return (this.parsedResult ??= parsePromptFile(this.text, this.file));
  }

  /** Cases and models as far as they can be read, even while the front matter is broken. */
  get outline(): PromptFileOutline {
    return (this.outlineResult ??= outlinePromptFile(this.text));
  }

  /** The models whose entries resolve, even while another entry (or another part of the file) has an error. */
  get resolvedModels(): ModelSpec[] {
    return this.parsed.experiment?.models ?? this.parsed.models;
  }

  /** The cases, even while the front matter has an error. */
  get cases(): PromptCase[] {
    return this.parsed.experiment?.cases ?? this.outline.cases;
  }
}

export class PromptDocuments {
  readonly textDocuments = new TextDocuments(TextDocument);
  private readonly analyses = new Map<string, PromptAnalysis>();

  constructor() {
    this.textDocuments.onDidClose((e) => this.analyses.delete(e.document.uri));
  }

  get(uri: string): TextDocument | undefined {
    return this.textDocuments.get(uri);
  }

  /** The analysis of the document's current version; undefined when the document is not open. */
  analysisOf(uri: string): PromptAnalysis | undefined {
    const document = this.textDocuments.get(uri);
    if (!document) return undefined;
    const cached = this.analyses.get(uri);
    if (cached && cached.version === document.version) return cached;
    const analysis = new PromptAnalysis(uri, document.version, document.getText(), fileOfUri(uri) ?? uri);
    this.analyses.set(uri, analysis);
    return analysis;
  }
}
