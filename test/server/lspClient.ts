/**
 * A small LSP client for the tests: starts the built server (`dist/server.js --stdio`) as a
 * child process and speaks JSON-RPC to it over its stdin/stdout; or, as vscode-languageclient
 * does for the host (`TransportKind.ipc`), forks it with `--node-ipc` and speaks over the IPC channel. Everything the server sends on its own (diagnostics, log lines, configuration and
 * registration requests) is recorded, and the tests wait on it through promises, never on time.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import {
  IPCMessageReader,
  IPCMessageWriter,
  StreamMessageReader,
  StreamMessageWriter,
  createMessageConnection,
  type MessageConnection,
} from 'vscode-jsonrpc/node';
import {
  CodeActionRequest,
  CodeLensRefreshRequest,
  CodeLensRequest,
  CompletionRequest,
  ConfigurationRequest,
  DidChangeConfigurationNotification,
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  DocumentSymbolRequest,
  ExitNotification,
  HoverRequest,
  InitializeRequest,
  InitializedNotification,
  LogMessageNotification,
  PublishDiagnosticsNotification,
  RegistrationRequest,
  ShutdownRequest,
  type ClientCapabilities,
  type CodeAction,
  type CodeActionContext,
  type CodeLens,
  type Command,
  type CompletionItem,
  type ConfigurationParams,
  type DocumentSymbol,
  type Hover,
  type InitializeResult,
  type LogMessageParams,
  type Position,
  type PublishDiagnosticsParams,
  type Range,
  type Registration,
  type SymbolInformation,
} from 'vscode-languageserver';
import { LANGUAGE_ID } from '../../extension/protocol/commands';
import { repoRoot } from '../helpers/paths';

export interface StartOptions {
  /** `stdio` (default, what the tests use) or `ipc` (what the host uses). */
  transport?: 'stdio' | 'ipc';
  /** Sent as initializationOptions (the host sends `{ cacheDir }`). */
  initializationOptions?: unknown;
  /** Client capabilities; the default announces `workspace/configuration` and dynamic registration. */
  capabilities?: ClientCapabilities;
  /** Answers `workspace/configuration` (one value per item); the default answers nulls, as VS Code does for unset sections. */
  configuration?: (params: ConfigurationParams) => unknown[];
}

export const PULL_CAPABILITIES: ClientCapabilities = {
  workspace: {
    configuration: true,
    workspaceEdit: { documentChanges: true },
    didChangeConfiguration: { dynamicRegistration: true },
    codeLens: { refreshSupport: true },
  },
  textDocument: {
    synchronization: { dynamicRegistration: false },
    codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'refactor'] } } },
    publishDiagnostics: { versionSupport: true },
    documentSymbol: { hierarchicalDocumentSymbolSupport: true },
  },
};

/** A predicate over recorded messages, resolved by the first (past or future) message that satisfies it. */
class Recorder<T> {
  readonly seen: T[] = [];
  private waiters: { match: (x: T) => boolean; resolve: (x: T) => void }[] = [];

  push(item: T): void {
    this.seen.push(item);
    this.waiters = this.waiters.filter((w) => (w.match(item) ? (w.resolve(item), false) : true));
  }

  /** Resolves with the first message from index `from` on that matches. */
  next(match: (x: T) => boolean, from = 0): Promise<T> {
    const found = this.seen.slice(from).find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }
}

export class LspTestClient {
  readonly diagnostics = new Recorder<PublishDiagnosticsParams>();
  readonly logs = new Recorder<LogMessageParams>();
  readonly configurationRequests = new Recorder<ConfigurationParams>();
  readonly registrations = new Recorder<Registration>();
  readonly codeLensRefreshes = new Recorder<null>();
  stderr = '';
  initializeResult!: InitializeResult;
  /** Resolves with the exit code when the server process ends (for whatever reason). */
  readonly exited: Promise<number | null>;

  private constructor(
    readonly child: ChildProcess,
    readonly connection: MessageConnection,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
  }

  static async start(options: StartOptions = {}): Promise<LspTestClient> {
    const server = join(repoRoot(), 'dist', 'server.js');
    let child: ChildProcess;
    let connection: MessageConnection;
    if (options.transport === 'ipc') {
      child = fork(server, ['--node-ipc'], { silent: true });
      connection = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
    } else {
      const piped = spawn(process.execPath, [server, '--stdio'], { stdio: 'pipe' });
      child = piped;
      connection = createMessageConnection(new StreamMessageReader(piped.stdout), new StreamMessageWriter(piped.stdin));
    }
    const client = new LspTestClient(child, connection);
    connection.onNotification(PublishDiagnosticsNotification.type, (p) => client.diagnostics.push(p));
    connection.onNotification(LogMessageNotification.type, (p) => client.logs.push(p));
    connection.onRequest(ConfigurationRequest.type, (p) => {
      client.configurationRequests.push(p);
      return options.configuration ? options.configuration(p) : p.items.map(() => null);
    });
    connection.onRequest(RegistrationRequest.type, (p) => {
      p.registrations.forEach((r) => client.registrations.push(r));
    });
    connection.onRequest(CodeLensRefreshRequest.type, () => {
      client.codeLensRefreshes.push(null);
    });
    connection.listen();
    client.initializeResult = await connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: null,
      capabilities: options.capabilities ?? PULL_CAPABILITIES,
      initializationOptions: options.initializationOptions,
    });
    await connection.sendNotification(InitializedNotification.type, {});
    return client;
  }

  open(uri: string, text: string, version = 1): Promise<void> {
    return this.connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId: LANGUAGE_ID, version, text },
    });
  }

  /** An incremental edit: replace `range` with `text`. */
  edit(uri: string, version: number, range: Range, text: string): Promise<void> {
    return this.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version },
      contentChanges: [{ range, text }],
    });
  }

  /** A full-text change. */
  replace(uri: string, version: number, text: string): Promise<void> {
    return this.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version },
      contentChanges: [{ text }],
    });
  }

  close(uri: string): Promise<void> {
    return this.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  }

  changeConfiguration(settings: unknown): Promise<void> {
    return this.connection.sendNotification(DidChangeConfigurationNotification.type, { settings });
  }

  /** The first diagnostics of `uri` that satisfy `match` (files a document names are read after its first publish). */
  diagnosticsWhen(uri: string, match: (p: PublishDiagnosticsParams) => boolean): Promise<PublishDiagnosticsParams> {
    return this.unlessExited(this.diagnostics.next((p) => p.uri === uri && match(p)));
  }

  /** The diagnostics the server publishes for this version of the document. */
  diagnosticsFor(uri: string, version: number): Promise<PublishDiagnosticsParams> {
    return this.unlessExited(this.diagnostics.next((p) => p.uri === uri && p.version === version));
  }

  /** `waiting`, or a rejection naming the exit code and stderr if the server dies first (a crash fails fast, not by timeout). */
  unlessExited<T>(waiting: Promise<T>): Promise<T> {
    const died = this.exited.then((code): never => {
      throw new Error(`the language server exited (code ${code}) while a test waited on it; stderr:\n${this.stderr}`);
    });
    return Promise.race([waiting, died]);
  }

  async codeLenses(uri: string): Promise<CodeLens[]> {
    return (await this.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } })) ?? [];
  }

  async symbols(uri: string): Promise<DocumentSymbol[] | SymbolInformation[]> {
    return (await this.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } })) ?? [];
  }

  hover(uri: string, position: Position): Promise<Hover | null> {
    return this.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position });
  }

  async completion(uri: string, position: Position): Promise<CompletionItem[]> {
    const answer = await this.connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position });
    return Array.isArray(answer) ? answer : (answer?.items ?? []);
  }

  /** Code actions (never bare commands: the server sends none) for `range` with `context`. */
  async codeActions(uri: string, range: Range, context: CodeActionContext): Promise<CodeAction[]> {
    const answer = await this.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range, context });
    return (answer ?? []).filter((a): a is CodeAction => !isCommand(a));
  }

  /** Log lines of type Error (1): a handler that threw. */
  errorLogs(): string[] {
    return this.logs.seen.filter((l) => l.type === 1).map((l) => l.message);
  }

  /** shutdown, exit, and the process's exit code (0 after a clean shutdown). */
  async stop(): Promise<number | null> {
    await this.connection.sendRequest(ShutdownRequest.type);
    await this.connection.sendNotification(ExitNotification.type);
    const code = await this.exited;
    this.connection.dispose();
    return code;
  }

  /** For `after()` hooks: ends the process even when a test failed midway. */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill();
    this.connection.dispose();
  }
}

function isCommand(x: CodeAction | Command): x is Command {
  return typeof (x as Command).command === 'string';
}
