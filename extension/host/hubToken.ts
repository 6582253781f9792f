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
    // Another window changed it (this window's own changes have already set the value: no second restart).
    this.subscription = secrets.onDidChange((e) => {
      if (e.key !== HF_TOKEN_SECRET) return;
      const before = this.value;
      void this.load().then(() => {
        if (this.value !== before) this.changed.fire();
      });
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

  // The value changes before the storage does: the storage's own change event (which may come while the store is
  // still in progress) then finds nothing new, and the runner restarts once.
  async set(token: string): Promise<void> {
    this.value = token;
    await this.secrets.store(HF_TOKEN_SECRET, token);
    this.changed.fire();
  }

  async clear(): Promise<boolean> {
    const had = this.value !== undefined || (await this.secrets.get(HF_TOKEN_SECRET)) !== undefined;
    this.value = undefined;
    await this.secrets.delete(HF_TOKEN_SECRET);
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
