/**
 * The language server of `.prompt` files. The host starts it through vscode-languageclient over
 * IPC (`--node-ipc`); tests start it with `--stdio`. `createConnection` picks the transport from
 * argv. This file only wires features to the connection: each feature lives in its own module.
 */
import {
  CodeActionKind,
  CodeLensRefreshRequest,
  DidChangeConfigurationNotification,
  ProposedFeatures,
  TextDocumentSyncKind,
  createConnection,
  type ClientCapabilities,
  type Disposable,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TOOL_VERSION } from '../lab/version';
import { HubCacheChangedNotification, ModelEntryRequest, SetModelKeyRequest } from '../protocol/lsp';
import { CodeActionBuilder } from './codeActions';
import { provideCodeLenses } from './codeLens';
import { provideBodyCompletion } from './bodyCompletion';
import { provideCompletion } from './completion';
import { DiagnosticsPublisher } from './diagnostics';
import { PromptDocuments } from './documents';
import { describeError, guarded } from './guard';
import { provideHover } from './hover';
import { modelEntry, setModelKey } from './hostRequests';
import { provideKeyHover } from './keyDocs';
import { SETTINGS_SECTION, SettingsStore, readInitOptions } from './settings';
import { provideDocumentSymbols } from './symbols';
import { TokenCounter } from './tokenCounts';

const connection = createConnection(ProposedFeatures.all);
const log = connection.console;
const documents = new PromptDocuments();
/** Everything registered for the life of the connection; disposed on shutdown. */
const disposables: Disposable[] = [];
let capabilities: ClientCapabilities = {};

// A bug must never take the server down with it (the client gives up after a few restarts).
process.on('uncaughtException', (error) => log.error(`uncaught: ${describeError(error)}`));
process.on('unhandledRejection', (reason) => log.error(`unhandled rejection: ${describeError(reason)}`));

connection.onInitialize((params: InitializeParams): InitializeResult => {
  capabilities = params.capabilities;
  const init = readInitOptions(params.initializationOptions);
  documents.policy = { ...documents.policy, trusted: init.trusted };
  const settings = new SettingsStore(connection, capabilities, log);
  const counter = new TokenCounter(init.cacheDir, log);
  const diagnostics = new DiagnosticsPublisher(connection, documents, log);
  // Markdown unless the client lists the formats it takes and markdown is not among them.
  const hoverFormats = capabilities.textDocument?.hover?.contentFormat;
  const markdownHover = !hoverFormats || hoverFormats.includes('markdown');
  // Versioned edits let the client refuse a fix computed for an older text.
  const versionedEdits = capabilities.workspace?.workspaceEdit?.documentChanges === true;
  disposables.push({ dispose: () => diagnostics.dispose() });
  const refreshCodeLenses = () => {
    if (!capabilities.workspace?.codeLens?.refreshSupport) return;
    connection.sendRequest(CodeLensRefreshRequest.type).catch((e) => log.warn(`codeLens refresh: ${describeError(e)}`));
  };

  disposables.push(
    documents.textDocuments.onDidOpen((e) => diagnostics.opened(e.document.uri, e.document.version)),
    documents.textDocuments.onDidChangeContent((e) => diagnostics.changed(e.document.uri, e.document.version)),
    documents.textDocuments.onDidClose((e) => {
      diagnostics.closed(e.document.uri);
      settings.forget(e.document.uri);
    }),
    connection.onCodeLens((params, token) =>
      guarded(log, 'codeLens', [], async () => {
        const analysis = documents.analysisOf(params.textDocument.uri);
        if (!analysis) return [];
        return provideCodeLenses(analysis, await settings.get(analysis.uri), counter, log, token);
      }),
    ),
    connection.onDocumentSymbol((params) =>
      guarded(log, 'documentSymbol', [], () => {
        const analysis = documents.analysisOf(params.textDocument.uri);
        return analysis ? provideDocumentSymbols(analysis) : [];
      }),
    ),
    connection.onHover((params) =>
      guarded(log, 'hover', null, async () => {
        const analysis = documents.analysisOf(params.textDocument.uri);
        if (!analysis) return null;
        return (
          provideKeyHover(analysis, params.position, markdownHover) ??
          (await provideHover(analysis, params.position, counter, markdownHover))
        );
      }),
    ),
    connection.onCompletion((params) =>
      guarded(log, 'completion', [], async () => {
        const analysis = documents.analysisOf(params.textDocument.uri);
        if (!analysis) return [];
        const inFrontMatter = provideCompletion(analysis, params.position, params.context);
        return inFrontMatter.length > 0 ? inFrontMatter : provideBodyCompletion(analysis, params.position);
      }),
    ),
    connection.onCodeAction((params) =>
      guarded(log, 'codeAction', [], async () => {
        const analysis = documents.analysisOf(params.textDocument.uri);
        if (!analysis) return [];
        await analysis.loaded(); // quick fixes for diagnostics about the files' content too
        return new CodeActionBuilder(analysis, versionedEdits).provide(params);
      }),
    ),
    connection.onRequest(SetModelKeyRequest.type, (params) =>
      guarded(log, SetModelKeyRequest.method, { error: 'the language server failed (see its log)' }, () =>
        setModelKey(documents, params, versionedEdits),
      ),
    ),
    connection.onRequest(ModelEntryRequest.type, (params) =>
      guarded(log, ModelEntryRequest.method, null, () => modelEntry(documents, params)),
    ),
    connection.onDidChangeConfiguration((params) => {
      settings.changed(params.settings);
      counter.reset();
      // Lenses depend on settings; a client that can re-ask for them is told to.
      refreshCodeLenses();
    }),
    connection.onNotification(HubCacheChangedNotification.type, () => {
      const stale = documents.forgetHubModels();
      if (stale.length === 0) return;
      counter.reset();
      for (const uri of stale) diagnostics.refresh(uri);
      refreshCodeLenses();
    }),
  );
  // onDidOpen etc. are dispatched only once TextDocuments listens on the connection.
  disposables.push(documents.textDocuments.listen(connection));

  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      codeLensProvider: { resolveProvider: false },
      documentSymbolProvider: { label: 'Perturbation Lab' },
      hoverProvider: true,
      // A space after `key:` opens the key's values.
      completionProvider: { resolveProvider: false, triggerCharacters: [' '] },
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.RefactorRewrite] },
    },
    serverInfo: { name: 'perturbation-lab-language-server', version: TOOL_VERSION },
  };
});

connection.onInitialized(() => {
  // Without this registration VS Code sends no didChangeConfiguration to a pull-model server.
  if (capabilities.workspace?.didChangeConfiguration?.dynamicRegistration) {
    connection.client.register(DidChangeConfigurationNotification.type, { section: SETTINGS_SECTION }).then(
      (registration) => disposables.push(registration),
      (error) => log.warn(`could not register for configuration changes: ${describeError(error)}`),
    );
  }
});

connection.onShutdown(() => {
  for (const d of disposables.splice(0).reverse()) d.dispose();
});

connection.listen();
