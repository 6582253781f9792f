/**
 * The host's side of the runner boundary, without any `vscode` import so tests can drive it against a
 * real forked runner: lazy start, the `init → ready | initError` handshake, events routed by request id,
 * cancel, and recovery after a crash (pending runs fail with the reason; the next run starts a new runner).
 * Everything the runner sends is validated before it is trusted; its stderr goes to `log`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  isRunnerToHost,
  RUNNER_PROTOCOL_VERSION,
  type HostToRunner,
  type RunnerSettings,
  type RunnerToHost,
  type RunRequest,
  type SerializedError,
} from '../protocol/runner';

/** Events a run's listener receives: the runner's own, or `crashed` when the process died under it. */
export type RunEvent =
  | Exclude<RunnerToHost, { type: 'ready' } | { type: 'initError' }>
  | { type: 'crashed'; requestId: string; reason: string };

export interface RunHandle {
  requestId: string;
  cancel(): void;
  /** Settles when the run is over (done, failed, cancelled or crashed); never rejects. */
  finished: Promise<RunEvent>;
}

export interface RunnerClientOptions {
  runnerPath: string;
  settings: () => RunnerSettings;
  log: (line: string) => void;
  /** Called when the runner process exits unexpectedly, with a reason for the user. */
  onCrash?: (reason: string) => void;
}

const STDERR_TAIL = 20;

export class RunnerClient {
  private child: ChildProcess | null = null;
  private ready: Promise<ChildProcess> | null = null;
  private readonly listeners = new Map<string, (e: RunEvent) => void>();
  /** Runs whose `run` message went to the current runner (a cancel for them must go there too). */
  private readonly sent = new Set<string>();
  private stderrTail: string[] = [];
  private disposed = false;

  constructor(private readonly options: RunnerClientOptions) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  run(request: Omit<RunRequest, 'requestId'>, onEvent: (e: RunEvent) => void): RunHandle {
    const requestId = randomUUID();
    let settle!: (e: RunEvent) => void;
    const finished = new Promise<RunEvent>((resolve) => (settle = resolve));
    this.listeners.set(requestId, (e) => {
      onEvent(e);
      if (e.type === 'done' || e.type === 'failed' || e.type === 'crashed') {
        this.listeners.delete(requestId);
        this.sent.delete(requestId);
        settle(e);
      }
    });
    this.start()
      .then((child) => {
        // Cancelled while the runner was starting, or the runner it was meant for is gone: nothing to send.
        if (!this.listeners.has(requestId) || this.child !== child) return;
        this.sent.add(requestId);
        this.send({ type: 'run', request: { ...request, requestId } });
      })
      .catch((err: Error) =>
        this.deliver({
          type: 'failed',
          requestId,
          error: { kind: 'internal', message: `the runner could not start: ${err.message}` },
        }),
      );
    return { requestId, cancel: () => this.cancel(requestId), finished };
  }

  cancel(requestId: string): void {
    if (!this.listeners.has(requestId)) return;
    if (this.sent.has(requestId)) this.send({ type: 'cancel', requestId });
    // Not sent yet (the runner is still starting): the run ends here and is never sent.
    else this.deliver({ type: 'failed', requestId, error: { kind: 'cancelled', message: 'cancelled' } });
  }

  /** Kills the runner process with a signal, as a crash would (the crash-recovery tests use it). */
  killRunner(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.child?.kill(signal);
  }

  /** Stops the runner; pending runs are told it stopped. The next run starts a fresh one. */
  restart(reason = 'the runner was restarted'): void {
    const child = this.child;
    this.detach(reason);
    child?.kill();
  }

  dispose(): void {
    this.disposed = true;
    this.restart('the extension is shutting down');
  }

  private start(): Promise<ChildProcess> {
    if (this.disposed) return Promise.reject(new Error('the extension is shutting down'));
    if (this.ready) return this.ready;
    const child = fork(this.options.runnerPath, [], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], execArgv: [] });
    this.child = child;
    this.stderrTail = [];
    const forward = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line) continue;
        this.options.log(`[runner ${child.pid}] ${line}`);
        this.stderrTail = [...this.stderrTail, line].slice(-STDERR_TAIL);
      }
    };
    child.stdout?.on('data', forward);
    child.stderr?.on('data', forward);
    this.ready = new Promise<ChildProcess>((resolve, reject) => {
      const onMessage = (m: unknown) => {
        if (!isRunnerToHost(m)) {
          this.options.log(`dropped a malformed message from the runner: ${JSON.stringify(m)?.slice(0, 200)}`);
          return;
        }
        if (m.type === 'ready') {
          this.options.log(`runner ${m.pid} ready (protocol ${m.protocolVersion}, version ${m.toolVersion})`);
          resolve(child);
        } else if (m.type === 'initError') {
          reject(new Error(m.error.message));
          this.restart(`the runner refused to start: ${m.error.message}`);
        } else this.deliver(m);
      };
      child.on('message', onMessage);
      // A spawn failure or a failed send: the runner is unusable; the next run starts a fresh one.
      child.on('error', (err) => {
        this.options.log(`runner process error: ${err.message}`);
        reject(err);
        if (this.child === child) {
          this.detach(`the runner process failed: ${err.message}`);
          child.kill();
        }
      });
      child.once('exit', (code, signal) => {
        if (this.child !== child) return; // an old runner we already let go of
        const why = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        const tail = this.stderrTail.length ? `; its last words: ${this.stderrTail.slice(-3).join(' | ')}` : '';
        const reason = `The runner process ${why}${tail}. It restarts on the next run.`;
        this.options.log(reason);
        reject(new Error(reason));
        this.detach(reason);
        if (!this.disposed) this.options.onCrash?.(reason);
      });
    });
    this.send({ type: 'init', protocolVersion: RUNNER_PROTOCOL_VERSION, settings: this.options.settings() });
    return this.ready;
  }

  private detach(reason: string): void {
    this.child = null;
    this.ready = null;
    this.sent.clear();
    for (const [requestId, listener] of [...this.listeners]) listener({ type: 'crashed', requestId, reason });
  }

  private deliver(e: RunEvent): void {
    const listener = this.listeners.get(e.requestId);
    if (listener) listener(e);
    else this.options.log(`event for an unknown run ${e.requestId} (${e.type}) dropped`);
  }

  private send(m: HostToRunner): void {
    if (!this.child?.connected) return;
    // The callback turns a failed send into an 'error' event we handle instead of an unhandled one.
    this.child.send(m, (err) => err && this.options.log(`could not send ${m.type} to the runner: ${err.message}`));
  }
}

export type { SerializedError };
