/**
 * The results panel's entry: restore the last state, listen for the host's messages, and say
 * `ready`. Every message goes through the state reducer first, is saved with setState, and then
 * updates only the parts of the panel it concerns (an exhaustive switch: a new message type in the
 * protocol breaks this build until it is handled).
 */
import type { ToWebview } from '../extension/protocol/webview';
import { Panel } from './panel';
import { assertNever, reduce, restoreState, select } from './state';
import { connectToHost } from './vscodeApi';

const TO_WEBVIEW_TYPES: readonly string[] = [
  'runStarted',
  'progress',
  'result',
  'runFinished',
  'runFailed',
] satisfies ToWebview['type'][];

function isToWebview(data: unknown): data is ToWebview {
  return (
    typeof data === 'object' && data !== null && TO_WEBVIEW_TYPES.includes((data as { type?: unknown }).type as string)
  );
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
    default:
      assertNever(message);
  }
  host.save(state);
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  if (isToWebview(event.data)) receive(event.data);
});
host.post({ type: 'ready' });
