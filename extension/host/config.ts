/**
 * Settings, read in one place into a typed snapshot. Settings that the runner only reads at start
 * are listed in RUNNER_RESTART_SETTINGS: changing one restarts the runner (models are rebuilt or reopened lazily).
 */
import * as vscode from 'vscode';
import { parseByteSize } from '../protocol/sizes';

export const SECTION = 'perturbationLab';

export interface Config {
  /** Absolute folder for built models and tokenizers. */
  cacheFolder: string;
  /** onnxruntime intra-op threads; 0 = onnxruntime's default (the runner uses at most one per core). */
  threads: number;
  /** Memory cap of the runner in bytes; null = the default (75 % of the machine's memory or cgroup limit). */
  memoryLimit: number | null;
  /** Size cap of the model cache in bytes; null = the default (10 GB). */
  cacheSizeLimit: number | null;
  /** Tolerances used where a .prompt file sets none; null = Hugging Face's (torch.allclose's) defaults. */
  defaultAtol: number | null;
  defaultRtol: number | null;
  /** The Hub's URL for `from:` models; null = `HF_ENDPOINT`, else https://huggingface.co. */
  hubEndpoint: string | null;
  /** Only the Hugging Face cache, no request; false = `HF_HUB_OFFLINE` decides. */
  hubOffline: boolean;
  /** A download from the Hub above this many bytes is confirmed first; null = the default (2 GB). */
  confirmDownloadAbove: number | null;
}

export const RUNNER_RESTART_SETTINGS = [
  `${SECTION}.cacheFolder`,
  `${SECTION}.threads`,
  `${SECTION}.memoryLimit`,
  `${SECTION}.cacheSizeLimit`,
  `${SECTION}.hub.endpoint`,
  `${SECTION}.hub.offline`,
  `${SECTION}.hub.confirmDownloadAbove`,
] as const;

export function readConfig(context: vscode.ExtensionContext): Config {
  const c = vscode.workspace.getConfiguration(SECTION);
  const folder = c.get<string>('cacheFolder', '').trim();
  const threads = c.get<number>('threads', 0);
  const atol = c.get<number | null>('defaultAtol', null);
  const rtol = c.get<number | null>('defaultRtol', null);
  return {
    cacheFolder: folder || vscode.Uri.joinPath(context.globalStorageUri, 'cache').fsPath,
    threads: Number.isInteger(threads) && threads >= 0 ? threads : 0,
    memoryLimit: byteSize(c.get<string>('memoryLimit', '')),
    cacheSizeLimit: byteSize(c.get<string>('cacheSizeLimit', '')),
    defaultAtol: typeof atol === 'number' && atol >= 0 ? atol : null,
    defaultRtol: typeof rtol === 'number' && rtol >= 0 ? rtol : null,
    hubEndpoint: c.get<string>('hub.endpoint', '').trim() || null,
    hubOffline: c.get<boolean>('hub.offline', false) === true,
    confirmDownloadAbove: byteSizeOrZero(c.get<string>('hub.confirmDownloadAbove', '')),
  };
}

/** A threshold (`2GB`, `0` to always ask); empty or not a size = null, the default. */
function byteSizeOrZero(value: unknown): number | null {
  if (typeof value === 'string' && /^\s*0+\s*[a-zA-Z]*\s*$/.test(value)) return 0;
  return byteSize(value);
}

/** A size setting (`18GB`, `500MB`, bytes); empty or not a size = null, the default. */
function byteSize(value: unknown): number | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? value : null;
  if (typeof value !== 'string' || value.trim() === '') return null;
  const bytes = parseByteSize(value);
  return bytes !== undefined && bytes > 0 ? bytes : null;
}
