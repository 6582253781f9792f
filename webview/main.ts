/**
 * The results panel's entry: restore the last state, listen for the host's messages, and say
 * `ready`. Every message goes through the state reducer first, is saved with setState, and then
 * updates only the parts of the panel it concerns (an exhaustive switch: a new message type in the
 * protocol breaks this build until it is handled).
 */
import type { ToWebview } from '../extension/protocol/webview';
import { attentionHeadsShape } from '../extension/protocol/headsAndLens';
import { Panel } from './panel';
import { assertNever, reduce, restoreState, select } from './state';
import { connectToHost } from './vscodeApi';

/** Every message type the panel handles, keyed by the union's tags: a new one breaks the build here too. */
const TO_WEBVIEW_TYPES = {
  runStarted: true,
  outline: true,
  progress: true,
  result: true,
  patching: true,
  runFinished: true,
  runFailed: true,
  heads: true,
} satisfies Record<ToWebview['type'], true>;

function isToWebview(data: unknown): data is ToWebview {
  const type = typeof data === 'object' && data !== null ? (data as { type?: unknown }).type : undefined;
  if (typeof type !== 'string' || !Object.hasOwn(TO_WEBVIEW_TYPES, type)) return false;
  // Heads arrive outside a run's stream of results: their maps are checked before the panel draws them.
  if (type === 'heads') {
    const heads = (data as { heads?: unknown }).heads;
    return heads === null || attentionHeadsShape(heads, 'heads') === null;
  }
  return true;
}

const host = connectToHost();
let state = restoreState(host.savedState());

const panel = new Panel(document.getElementById('app') ?? document.body, host.post, (cell) => {
  state = select(state, cell);
  host.save(state);
  panel.selectionChanged(state);
});
panel.render(state);

function receive(message: ToWebview): void {
  state = reduce(state, message);
  switch (message.type) {
    case 'runStarted':
    case 'outline':
    case 'runFinished':
    case 'runFailed':
      panel.render(state);
      break;
    case 'progress':
      panel.progress(state);
      break;
    case 'result':
      panel.result(state, message.result);
      break;
    case 'patching':
      panel.patching(state, message.ref);
      break;
    case 'heads':
      panel.heads(state, message);
      break;
    default:
      assertNever(message);
  }
  host.save(state);
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  if (isToWebview(event.data)) receive(event.data);
});
host.post({ type: 'ready' });
