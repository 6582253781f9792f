/**
 * The server's settings, read in one place into a typed snapshot (STYLE.md convention 5).
 *
 * - `cacheDir` comes from the host at start (`initializationOptions.cacheDir`): the host resolves
 *   the cache folder (its setting, or the extension's global storage) once, for the runner and
 *   for us, so both convert tokenizers into the same folder. Changing it needs a server restart.
 * - Everything else is the `perturbationLab` section, asked of the client with
 *   `workspace/configuration` per document. A client that cannot answer that request still works:
 *   we keep what `workspace/didChangeConfiguration` pushes, or the defaults.
 */
import type { ClientCapabilities, Connection } from 'vscode-languageserver';
import { describeError, type Logger } from './guard';

export const SETTINGS_SECTION = 'perturbationLab';

export interface ServerSettings {
  /** `perturbationLab.codeLens.tokenCounts`: show the token count per model above each base prompt. */
  tokenCounts: boolean;
}

export const DEFAULT_SETTINGS: ServerSettings = { tokenCounts: true };

export interface InitOptions {
  /** Absolute folder where converted tokenizers live; without it, token counts are left out. */
  cacheDir?: string;
  /**
   * Workspace trust (`vscode.workspace.isTrusted` at start; the host restarts the server when trust is
   * granted). Only then are the files a document names read. Absent means untrusted.
   */
  trusted: boolean;
}

export function readInitOptions(raw: unknown): InitOptions {
  const cacheDir = isRecord(raw) && typeof raw.cacheDir === 'string' && raw.cacheDir !== '' ? raw.cacheDir : undefined;
  const trusted = isRecord(raw) && raw.trusted === true;
  return { cacheDir, trusted };
}

/** The `perturbationLab` section as the client sent it → a snapshot; wrong types fall back to the defaults. */
export function readSettings(section: unknown): ServerSettings {
  const codeLens = isRecord(section) && isRecord(section.codeLens) ? section.codeLens : {};
  // VS Code also answers with the flat dotted form when the section was written that way by hand.
  const flat = isRecord(section) ? section['codeLens.tokenCounts'] : undefined;
  const tokenCounts =
    typeof codeLens.tokenCounts === 'boolean'
      ? codeLens.tokenCounts
      : typeof flat === 'boolean'
        ? flat
        : DEFAULT_SETTINGS.tokenCounts;
  return { tokenCounts };
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

export class SettingsStore {
  private readonly pull: boolean;
  /** Per document URI, while the document is open (settings may differ per workspace folder). */
  private readonly cache = new Map<string, Promise<ServerSettings>>();
  /** What the client pushed with didChangeConfiguration, for clients that cannot be asked. */
  private pushed: ServerSettings = DEFAULT_SETTINGS;

  constructor(
    private readonly connection: Connection,
    capabilities: ClientCapabilities,
    private readonly log: Logger,
  ) {
    this.pull = capabilities.workspace?.configuration === true;
  }

  get(uri: string): Promise<ServerSettings> {
    if (!this.pull) return Promise.resolve(this.pushed);
    let pending = this.cache.get(uri);
    if (!pending) {
      pending = this.ask(uri);
      this.cache.set(uri, pending);
    }
    return pending;
  }

  /** `workspace/didChangeConfiguration`: forget what was asked; keep what was pushed. */
  changed(pushedSettings: unknown): void {
    this.cache.clear();
    if (isRecord(pushedSettings) && SETTINGS_SECTION in pushedSettings)
      this.pushed = readSettings(pushedSettings[SETTINGS_SECTION]);
  }

  forget(uri: string): void {
    this.cache.delete(uri);
  }

  private async ask(uri: string): Promise<ServerSettings> {
    try {
      return readSettings(
        await this.connection.workspace.getConfiguration({ scopeUri: uri, section: SETTINGS_SECTION }),
      );
    } catch (error) {
      // A client that announced the capability but fails the request: defaults, and ask again next time.
      this.log.warn(`workspace/configuration failed, using default settings: ${describeError(error)}`);
      this.cache.delete(uri);
      return this.pushed;
    }
  }
}
