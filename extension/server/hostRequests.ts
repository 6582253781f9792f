/**
 * The requests the extension host sends beyond LSP (`extension/protocol/lsp.ts`): the edit behind the
 * panel's FIX, and where a model's entry is (the panel's "Show in the .prompt file"). The host imports no
 * engine code, so whatever needs the parser is answered here.
 */
import type { ModelEntryParams, ModelEntryPlace, SetModelKeyParams, SetModelKeyResult } from '../protocol/lsp';
import { CodeActionBuilder } from './codeActions';
import type { PromptDocuments } from './documents';
import { FrontMatterText } from './frontMatterEdits';
import { toLspRange } from './ranges';

export function setModelKey(
  documents: PromptDocuments,
  params: SetModelKeyParams,
  versionedEdits: boolean,
): SetModelKeyResult {
  const analysis = documents.analysisOf(params.textDocument.uri);
  if (!analysis) return { error: `${params.textDocument.uri} is not open in the language server` };
  const edits = new FrontMatterText(analysis).setModelKey(params.model, params.key, params.value);
  if (!Array.isArray(edits)) return edits;
  return { edit: new CodeActionBuilder(analysis, versionedEdits).workspaceEdit(edits) };
}

export function modelEntry(documents: PromptDocuments, params: ModelEntryParams): ModelEntryPlace | null {
  const analysis = documents.analysisOf(params.textDocument.uri);
  const entry = analysis?.outline.models.find((m) => m.name === params.model);
  if (!entry) return null;
  return { range: toLspRange(entry.range), nameRange: toLspRange(entry.nameRange ?? entry.range) };
}
