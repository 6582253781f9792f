/**
 * Environment variables of the end-to-end harness, one place for every side: runE2E sets them
 * (through runTests' `extensionTestsEnv`), the launcher reads them and passes them on to
 * code-server, whose extension host — where the mocha suites run — inherits them.
 */
export const HarnessEnv = {
  /** `trusted` (code-server with `--disable-workspace-trust`) or `untrusted`; picks the suites. */
  mode: 'E2E_MODE',
  /** `enabled`: start code-server without `--disable-workspace-trust`, whatever the arguments say
   *  (runTests always passes that flag, so an untrusted run needs this). */
  workspaceTrust: 'E2E_WORKSPACE_TRUST',
  /** Absolute path of the compiled module exporting `browserChecks` (the launcher loads it). */
  browserChecks: 'E2E_BROWSER_CHECKS',
  /** Set by the launcher for the extension host: the URL the suites post browser checks to. */
  browserBridge: 'E2E_BROWSER_BRIDGE',
  /** Folder for logs, screenshots and VS Code's own logs of one run. */
  artifactsDir: 'E2E_ARTIFACTS_DIR',
  /** `name` of the extension loaded for development (the suites assert it is there and activates). */
  extensionName: 'E2E_EXTENSION_NAME',
  /** Absolute path of the workspace folder the run opened. */
  workspace: 'E2E_WORKSPACE',
  /** Absolute path of the run's VS Code user data folder (settings, logs): the suites search it for secrets. */
  userDataDir: 'E2E_USER_DATA_DIR',
  /** Optional mocha `grep` for the suites. */
  grep: 'E2E_GREP',
  /** Whole-run timeout of the launcher in ms (default 15 minutes). */
  timeoutMs: 'E2E_TIMEOUT_MS',
  /** Folder holding code-server's npm install (default `<repo>/.cache/code-server`). */
  codeServerDir: 'CODE_SERVER_DIR',
  /** Chromium executable (default `/usr/bin/chromium`). */
  chromium: 'E2E_CHROMIUM',
} as const;

export type HarnessMode = 'trusted' | 'untrusted';
