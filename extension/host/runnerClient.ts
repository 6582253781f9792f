/**
 * The host's side of the runner boundary, without any `vscode` import so tests can drive it against a
 * real forked runner: lazy start, the `init → ready | initError` handshake, events routed by request id,
 * cancel, and recovery after a crash (pending runs fail with the reason; the next run starts a new runner).
 * A runner that stops answering (a blocked event loop, a deadlock) cannot hold a run forever: one that
 * does not answer a cancel within `cancelGraceMs`, or does not start within `startTimeoutMs`, is killed,
 * and its runs fail saying so. (onnxruntime-node runs a forward pass synchronously on the runner's main
 * thread, so a runner in a long forward pass cannot answer either: stopping it is also the only way to
 * stop that work, and its models reopen on the next run.) Everything the runner sends is checked deeply before it is trusted (a
 * message that fails the check fails its run); its stderr goes to `log`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  runnerMessageProblem,
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
  /** How long a runner may take to answer a cancel before it is killed (default 2 s). */
  cancelGraceMs?: number;
  /** How long a runner may take to say `ready` before it is killed (default 30 s). */
  startTimeoutMs?: number;
}

const STDERR_TAIL = 20;
const CANCEL_GRACE_MS = 2_000;
const START_TIMEOUT_MS = 30_000;
/** A runner asked to stop (SIGTERM: it removes its temporary folders) is killed if still there after this. */
const STOP_GRACE_MS = 3_000;
/** After its channel closes, a runner that has not exited within this is killed. */
const DISCONNECT_GRACE_MS = 1_000;

export class RunnerClient {
  private child: ChildProcess | null = null;
  private ready: Promise<ChildProcess> | null = null;
  private readonly listeners = new Map<string, (e: RunEvent) => void>();
  /** Runs whose `run` message went to the current runner (a cancel for them must go there too). */
  private readonly sent = new Set<string>();
  /** Runs cancelled and not yet answered: the runner is killed when the timer fires. */
  private readonly cancelTimers = new Map<string, NodeJS.Timeout>();
  /** Every pending run's request, to send it again if the runner it waited in was stopped before it began. */
  private readonly requests = new Map<string, RunRequest>();
  /** Pending runs the runner has begun (it sent an event for them). */
  private readonly begun = new Set<string>();
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
      this.begun.add(requestId);
      if (e.type === 'done' || e.type === 'failed' || e.type === 'crashed') {
        this.listeners.delete(requestId);
        this.sent.delete(requestId);
        this.requests.delete(requestId);
        this.begun.delete(requestId);
        clearTimeout(this.cancelTimers.get(requestId));
        this.cancelTimers.delete(requestId);
        settle(e);
      }
    });
    this.requests.set(requestId, { ...request, requestId });
    this.dispatch(requestId);
    return { requestId, cancel: () => this.cancel(requestId), finished };
  }

  /** Sends a pending run to the runner, starting one first if there is none. */
  private dispatch(requestId: string): void {
    this.start()
      .then((child) => {
        // Cancelled while the runner was starting, or the runner it was meant for is gone: nothing to send.
        const request = this.requests.get(requestId);
        if (!request || !this.listeners.has(requestId) || this.child !== child) return;
        this.sent.add(requestId);
        this.send({ type: 'run', request });
      })
      .catch((err: Error) => {
        // Usually the run already ended with the reason (the runner died or was stopped while starting).
        if (this.listeners.has(requestId))
          this.deliver({
            type: 'failed',
            requestId,
            error: { kind: 'internal', message: `the runner could not start: ${err.message}` },
          });
      });
  }

  cancel(requestId: string): void {
    if (!this.listeners.has(requestId)) return;
    if (!this.sent.has(requestId)) {
      // Not sent yet (the runner is still starting): the run ends here and is never sent.
      this.deliver({ type: 'failed', requestId, error: { kind: 'cancelled', message: 'cancelled' } });
      return;
    }
    this.send({ type: 'cancel', requestId });
    if (this.cancelTimers.has(requestId)) return;
    const grace = this.options.cancelGraceMs ?? CANCEL_GRACE_MS;
    const child = this.child;
    this.cancelTimers.set(
      requestId,
      setTimeout(() => {
        this.cancelTimers.delete(requestId);
        if (!this.listeners.has(requestId) || this.child !== child) return;
        const reason = `The runner did not answer the cancel within ${grace / 1000} s (it is stuck or busy in a step that cannot be interrupted), so it was stopped. It restarts on the next run.`;
        this.options.log(reason);
        // Runs queued behind the stuck one never began (a new Compare supersedes a run by cancelling it):
        // they go to a fresh runner instead of failing with it.
        const waiting = [...this.listeners.keys()].filter(
          (id) => id !== requestId && !this.begun.has(id) && !this.cancelTimers.has(id),
        );
        this.stop(reason, 'SIGKILL', new Set(waiting));
        for (const id of waiting) this.dispatch(id);
      }, grace),
    );
  }

  /**
   * The user's answer to the runner's `confirmDownload` of a run. Dropped when the run is over (cancelled,
   * crashed) or was never sent to the current runner: a late answer starts nothing.
   */
  answerDownload(requestId: string, confirmId: string, download: boolean): void {
    if (!this.listeners.has(requestId) || !this.sent.has(requestId)) {
      this.options.log(`the answer to a download question of run ${requestId.slice(0, 8)} came after the run ended`);
      return;
    }
    this.send({ type: 'answerDownload', requestId, confirmId, download });
  }

  /** Kills the runner process with a signal, as a crash would (the crash-recovery tests use it). */
  killRunner(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.child?.kill(signal);
  }

  /** Stops the runner; pending runs are told it stopped. The next run starts a fresh one. */
  restart(reason = 'the runner was restarted'): void {
    this.stop(reason, 'SIGTERM');
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
    const startTimeout = this.options.startTimeoutMs ?? START_TIMEOUT_MS;
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
      const startTimer = setTimeout(() => {
        if (this.child !== child) return;
        const reason = `The runner did not start within ${startTimeout / 1000} s, so it was stopped. It restarts on the next run.`;
        this.options.log(reason);
        reject(new Error(reason));
        this.stop(reason, 'SIGKILL');
      }, startTimeout);
      const onMessage = (raw: unknown) => {
        const problem = runnerMessageProblem(raw);
        if (problem !== null) {
          this.refuse(raw, problem);
          return;
        }
        const m = raw as RunnerToHost;
        if (m.type === 'ready') {
          clearTimeout(startTimer);
          this.options.log(`runner ${m.pid} ready (protocol ${m.protocolVersion}, version ${m.toolVersion})`);
          resolve(child);
        } else if (m.type === 'initError') {
          clearTimeout(startTimer);
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
      // The channel closed (the runner closed it, or is dying): it can take no more runs, so stop waiting for it.
      child.once('disconnect', () => {
        if (this.child !== child) return;
        setTimeout(() => {
          // 'exit' usually follows at once and gives the better reason; a runner that lingers is killed.
          if (this.child !== child) return;
          const reason = 'The runner closed its channel to the extension. It restarts on the next run.';
          this.options.log(reason);
          reject(new Error(reason));
          this.stop(reason, 'SIGKILL');
        }, DISCONNECT_GRACE_MS);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(startTimer);
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

  /**
   * Lets the current runner go (its runs end with `reason`, except those `spared` for another runner) and
   * signals it; SIGTERM is followed by SIGKILL if it lingers.
   */
  private stop(reason: string, signal: 'SIGTERM' | 'SIGKILL', spared: ReadonlySet<string> = new Set()): void {
    const child = this.child;
    this.detach(reason, spared);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    if (signal === 'SIGTERM') {
      const timer = setTimeout(() => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }, STOP_GRACE_MS);
      timer.unref();
      child.once('exit', () => clearTimeout(timer));
    }
  }

  private detach(reason: string, spared: ReadonlySet<string> = new Set()): void {
    this.child = null;
    this.ready = null;
    this.sent.clear();
    for (const timer of this.cancelTimers.values()) clearTimeout(timer);
    this.cancelTimers.clear();
    for (const [requestId, listener] of [...this.listeners])
      if (!spared.has(requestId)) listener({ type: 'crashed', requestId, reason });
  }

  /** A message that fails the checks: logged with where it went wrong; if it names a run of ours, that run fails. */
  private refuse(raw: unknown, problem: string): void {
    this.options.log(`refused a malformed message from the runner (${problem}): ${JSON.stringify(raw)?.slice(0, 200)}`);
    const requestId = (raw as { requestId?: unknown } | null)?.requestId;
    if (typeof requestId !== 'string' || !this.listeners.has(requestId)) return;
    if (this.sent.has(requestId)) this.send({ type: 'cancel', requestId });
    const type = (raw as { type?: unknown }).type;
    this.deliver({
      type: 'failed',
      requestId,
      error: {
        kind: 'internal',
        message: `the runner sent a ${typeof type === 'string' ? `"${type.slice(0, 40)}" ` : ''}message the extension cannot read (${problem}), so the run was stopped`,
      },
    });
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
