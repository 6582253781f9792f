/**
 * Models from the Hugging Face Hub, through Hugging Face's own cache (shared with Python's `huggingface_hub`):
 * `planModel` (size first: commit, config, every file's size, before any weight), `fetchSnapshot` (download
 * what is missing), `resolveModel` (both, with an approval step between them), `hubSettings` (the environment
 * as `huggingface_hub` reads it, one override per field for the front ends). Failures are `HubError`s with a
 * code the caller switches on.
 *
 * Why hand-written on Node's `fetch` rather than a library (checked against `@huggingface/hub` 2.17.5 and
 * transformers.js 4.3):
 * - `@huggingface/hub`'s `downloadFileToCacheDir` writes Python's blob/snapshot layout, but streams each
 *   file from byte 0 into `.incomplete` (no resume), checks neither size nor sha256, reports no progress,
 *   takes no lock (two processes write the same `.incomplete`), never writes `refs/<revision>` (so Python
 *   offline cannot find what it downloaded by branch name), always asks the Hub unless given a full commit
 *   (no offline mode, no `.no_exist`), and names the snapshot folder by the file's last commit instead of the
 *   repo's. It also brings `@huggingface/tasks` and a WASM chunker (~11 MB installed) we would not use.
 * - transformers.js has its own download code and cache layout (not Python's), which would defeat sharing
 *   the cache with Python.
 * - What the task needs from HTTP is small: one listing request, GET with `Range`, redirects followed by hand
 *   (so the token never reaches the CDN), an idle timeout and an AbortSignal — all in Node's `fetch`.
 */
export { HubError, type HubErrorCode, formatBytes, isHubError, quoteName } from './errors';
export { hubSettings, hubCacheDir, hfHome, tokenFilePath, type HubOptions, type HubSettings } from './settings';
export { planModel } from './plan';
export { fetchSnapshot, resolveModel, DEFAULT_CONFIRM_BYTES, type ResolveCallbacks } from './fetchSnapshot';
export { checkRepoId, checkRevision, repoFolderName } from './names';
export { hubDiagnostic } from './diagnostic';
export { TOKENIZER_FILES } from './modelFiles';
export type { HubCallbacks, HubPlan, HubProgress, HubSnapshot, ModelRequest, PlannedFile } from './types';
