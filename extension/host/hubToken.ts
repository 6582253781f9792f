/**
 * The Hugging Face access token the user gave through "Perturbation Lab: Set Hugging Face Token": kept in VS
 * Code's secret storage (`context.secrets`, the OS keychain where there is one), never in a settings file,
 * never logged. The runner gets it at start (it takes precedence over `HF_TOKEN` and the token file); a change
 * — here or in another window — restarts the runner so the next run uses it.
 */
import * as vscode from 'vscode';

export const HF_TOKEN_SECRET = 'perturbationLab.huggingFaceToken';

export class HubToken implements vscode.Disposable {
  private value: string | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly secrets: vscode.SecretStorage) {
    this.subscription = secrets.onDidChange((e) => {
      if (e.key === HF_TOKEN_SECRET) void this.load().then(() => this.changed.fire());
    });
  }

  /** Reads the stored token (at activation, before the runner can start). */
  async load(): Promise<void> {
    this.value = (await this.secrets.get(HF_TOKEN_SECRET))?.trim() || undefined;
  }

  /** The stored token, if any. */
  get token(): string | undefined {
    return this.value;
  }

  async set(token: string): Promise<void> {
    await this.secrets.store(HF_TOKEN_SECRET, token);
    this.value = token;
    this.changed.fire();
  }

  async clear(): Promise<boolean> {
    const had = this.value !== undefined || (await this.secrets.get(HF_TOKEN_SECRET)) !== undefined;
    await this.secrets.delete(HF_TOKEN_SECRET);
    this.value = undefined;
    this.changed.fire();
    return had;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

/** Checks what was pasted: one word, no spaces (the token itself is never shown back). */
export function tokenProblem(value: string): string | undefined {
  const token = value.trim();
  if (token === '') return 'Paste the access token (it starts with hf_).';
  if (/\s/.test(token)) return 'A token is one word, without spaces.';
  return undefined;
}
