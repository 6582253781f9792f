/** The webview's handle on VS Code: typed postMessage (FromWebview only) and saved state. */
import type { FromWebview } from '../extension/protocol/webview';
import type { ViewState } from './state';

interface RawVsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare global {
  /** Injected by VS Code into every webview; may be called once per page load. */
  function acquireVsCodeApi(): RawVsCodeApi;
}

export interface Host {
  post(message: FromWebview): void;
  savedState(): unknown;
  save(state: ViewState): void;
}

export function connectToHost(): Host {
  // Outside VS Code (a page opened by hand) the panel still renders; messages go nowhere.
  const api: RawVsCodeApi =
    typeof acquireVsCodeApi === 'function'
      ? acquireVsCodeApi()
      : { postMessage: () => undefined, getState: () => undefined, setState: () => undefined };
  return {
    post: (message) => api.postMessage(message),
    savedState: () => api.getState(),
    save: (state) => api.setState(state),
  };
}
