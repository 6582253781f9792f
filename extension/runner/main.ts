/**
 * The runner: a child process (child_process.fork) that owns every model. It parses the document it
 * is sent, builds or opens models once and keeps them warm, runs one request at a time, and streams
 * events (outline, progress, one result per model × variant, done | failed) keyed by request id.
 * It dies with its IPC channel, so it never outlives the extension host, and on its way out (channel
 * closed, SIGTERM) it removes the temporary folders of a build in progress.
 */
import {
  hostMessageProblem,
  RUNNER_PROTOCOL_VERSION,
  type HostToRunner,
  type RunnerSettings,
  type RunnerToHost,
  type RunRequest,
} from '../protocol/runner';
import { ModelStore } from '../lab/models/modelStore';
import { removeTempFolders } from '../lab/tempFolders';
import { TOOL_VERSION } from '../lab/version';
import { executeRun } from './executeRun';
import { RunRegistry } from './runRegistry';
import { storeOptions } from './settings';
import { DownloadConfirmations } from './hub';

if (!process.send) {
  process.stderr.write('The Perturbation Lab runner is started by the extension (child_process.fork), not by hand.\n');
  process.exit(2);
}

const send = (m: RunnerToHost) => process.send!(m);
let settings: RunnerSettings | null = null;
let store: ModelStore | null = null;
const runs = new RunRegistry();
const confirmations = new DownloadConfirmations();
let queue: Promise<void> = Promise.resolve();

/** Leaves at once, removing what a build in progress wrote (its worker threads end with the process). */
function leave(code: number): never {
  runs.cancelAll();
  removeTempFolders();
  process.exit(code);
}

process.on('disconnect', () => leave(0));
process.on('SIGTERM', () => leave(143));
process.on('SIGINT', () => leave(130));
process.on('message', (raw: unknown) => {
  const problem = hostMessageProblem(raw);
  if (problem !== null) {
    process.stderr.write(`runner: ignored a malformed message (${problem}): ${JSON.stringify(raw)?.slice(0, 200)}\n`);
    return;
  }
  handle(raw as HostToRunner);
});

function handle(m: HostToRunner): void {
  switch (m.type) {
    case 'init':
      if (settings) {
        // Settings (trust above all) are fixed for the runner's life: a new set needs a new runner.
        process.stderr.write('runner: refused a second init (the runner keeps the settings it started with)\n');
        return;
      }
      settings = m.settings;
      store = new ModelStore(m.settings.cacheDir, storeOptions(m.settings));
      send({ type: 'ready', protocolVersion: RUNNER_PROTOCOL_VERSION, pid: process.pid, toolVersion: TOOL_VERSION });
      return;
    case 'run': {
      if (!settings || !store) {
        send({
          type: 'failed',
          requestId: m.request.requestId,
          error: { kind: 'internal', message: 'the runner got a run before init' },
        });
        return;
      }
      const request: RunRequest = m.request;
      const signal = runs.begin(request.requestId);
      const s = settings;
      const st = store;
      // One run at a time: a second request waits for the first (the host cancels superseded runs).
      queue = queue
        .then(() => executeRun(request, s, st, signal, send, confirmations))
        .finally(() => runs.end(request.requestId));
      return;
    }
    case 'cancel':
      runs.cancel(m.requestId);
      return;
    case 'answerDownload':
      confirmations.answer(m.requestId, m.confirmId, m.download);
      return;
    default: {
      const never: never = m;
      return never;
    }
  }
}
