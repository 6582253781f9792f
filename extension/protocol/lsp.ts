/**
 * What the extension host and the language server say to each other beyond LSP. Both sides import this
 * module: the server answers the requests, the host sends them (it may not parse a `.prompt` file itself,
 * since it imports no engine code). Each request is a namespace `{ method, type }`.
 */
import {
  NotificationType,
  RequestType,
  type Range,
  type TextDocumentIdentifier,
  type WorkspaceEdit,
} from 'vscode-languageserver-protocol';

/** A value a fix writes into the front matter: a YAML scalar. */
export type FrontMatterScalar = string | number | boolean | null;

export function isFrontMatterScalar(x: unknown): x is FrontMatterScalar {
  return x === null || typeof x === 'string' || typeof x === 'boolean' || (typeof x === 'number' && Number.isFinite(x));
}

export interface SetModelKeyParams {
  textDocument: TextDocumentIdentifier;
  /** The `name` of the model entry. */
  model: string;
  key: string;
  value: FrontMatterScalar;
}

/** The edit, or why there is none (the model is not in the document any more, the document is not open). */
export type SetModelKeyResult = { edit: WorkspaceEdit } | { error: string };

/**
 * Host → server: the edit that sets `key: value` for model `model` of an open `.prompt` document — the
 * value replaced where the entry (or, when it speaks for this model alone, the top level) writes the key,
 * else the key added to the entry; indentation and comments kept. The panel's FIX applies it.
 */
export namespace SetModelKeyRequest {
  export const method = 'perturbationLab/setModelKey' as const;
  export const type = new RequestType<SetModelKeyParams, SetModelKeyResult, void>(method);
}

export interface ModelEntryParams {
  textDocument: TextDocumentIdentifier;
  model: string;
}

/** Where a model entry is: the whole entry, and its `name` value. */
export interface ModelEntryPlace {
  range: Range;
  nameRange: Range;
}

/** Host → server: where the entry of model `model` is in an open `.prompt` document; null when it has none. */
export namespace ModelEntryRequest {
  export const method = 'perturbationLab/modelEntry' as const;
  export const type = new RequestType<ModelEntryParams, ModelEntryPlace | null, void>(method);
}

/**
 * `source` of the diagnostics the host makes of a finished run's findings that carry a fix. The server
 * leaves its own "make it causal" / "eval mode" suggestions out where one of them already offers the fix.
 */
export const RUN_FINDING_SOURCE = 'perturbation-lab (last run)';

/**
 * Host → server: a run has put models into the Hugging Face cache (a `from:` download). What the server read
 * of the cache for the open documents (a "not in the cache yet" note, a missing tokenizer) may be stale: it
 * reads them again and refreshes diagnostics and CodeLens.
 */
export namespace HubCacheChangedNotification {
  export const method = 'perturbationLab/hubCacheChanged' as const;
  export const type = new NotificationType<void>(method);
}
