/**
 * The runner: a child process (child_process.fork) that owns every model. It parses the document it
 * is sent, builds or opens models once and keeps them warm, runs one request at a time, and streams
 * events (outline, progress, one result per model × variant, done | failed) keyed by request id.
 * It dies with its IPC channel, so it never outlives the extension host.
 */
import {
  isHostToRunner,
  RUNNER_PROTOCOL_VERSION,
  type HostToRunner,
  type RunnerSettings,
  type RunnerToHost,
  type RunRequest,
} from '../protocol/runner';
import { ModelStore } from '../lab/models/modelStore';
import { TOOL_VERSION } from '../lab/version';
import { executeRun } from './executeRun';
import { storeOptions } from './settings';

if (!process.send) {
  process.stderr.write('The Perturbation Lab runner is started by the extension (child_process.fork), not by hand.\n');
  process.exit(2);
}

const send = (m: RunnerToHost) => process.send!(m);
let settings: RunnerSettings | null = null;
let store: ModelStore | null = null;
const controllers = new Map<string, AbortController>();
const cancelledEarly = new Set<string>();
let queue: Promise<void> = Promise.resolve();

process.on('disconnect', () => process.exit(0));
process.on('message', (raw: unknown) => {
  if (!isHostToRunner(raw)) {
    process.stderr.write(`runner: ignored a malformed message: ${JSON.stringify(raw)?.slice(0, 200)}\n`);
    return;
  }
  handle(raw);
});

function handle(m: HostToRunner): void {
  switch (m.type) {
    case 'init':
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
      const controller = new AbortController();
      if (cancelledEarly.delete(m.request.requestId)) controller.abort();
      controllers.set(m.request.requestId, controller);
      const request: RunRequest = m.request;
      const s = settings;
      const st = store;
      // One run at a time: a second request waits for the first (the host cancels superseded runs).
      queue = queue
        .then(() => executeRun(request, s, st, controller.signal, send))
        .finally(() => controllers.delete(request.requestId));
      return;
    }
    case 'cancel': {
      const controller = controllers.get(m.requestId);
      if (controller) controller.abort();
      else cancelledEarly.add(m.requestId); // a cancel that overtook its run: the run fails as soon as it arrives
      return;
    }
    case 'crashForTest':
      process.exit(m.exitCode);
    default: {
      const never: never = m;
      return never;
    }
  }
}
