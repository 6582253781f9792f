/**
 * Settings, read in one place into a typed snapshot. Settings that the runner only reads at start
 * are listed in RUNNER_RESTART_SETTINGS: changing one restarts the runner (models are rebuilt or reopened lazily).
 */
import * as vscode from 'vscode';

export const SECTION = 'perturbationLab';

export interface Config {
  /** Absolute folder for built models and tokenizers. */
  cacheFolder: string;
  /** onnxruntime intra-op threads; 0 = onnxruntime's default. */
  threads: number;
  /** Tolerances used where a .prompt file sets none; null = Hugging Face's (torch.allclose's) defaults. */
  defaultAtol: number | null;
  defaultRtol: number | null;
}

export const RUNNER_RESTART_SETTINGS = [`${SECTION}.cacheFolder`, `${SECTION}.threads`] as const;

export function readConfig(context: vscode.ExtensionContext): Config {
  const c = vscode.workspace.getConfiguration(SECTION);
  const folder = c.get<string>('cacheFolder', '').trim();
  const threads = c.get<number>('threads', 0);
  const atol = c.get<number | null>('defaultAtol', null);
  const rtol = c.get<number | null>('defaultRtol', null);
  return {
    cacheFolder: folder || vscode.Uri.joinPath(context.globalStorageUri, 'cache').fsPath,
    threads: Number.isInteger(threads) && threads >= 0 ? threads : 0,
    defaultAtol: typeof atol === 'number' && atol >= 0 ? atol : null,
    defaultRtol: typeof rtol === 'number' && rtol >= 0 ? rtol : null,
  };
}
