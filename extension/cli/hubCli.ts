/**
 * `from:` models on the command line: the Hub settings of the environment, exactly as `huggingface_hub` reads
 * them (`HF_ENDPOINT`, `HF_HUB_OFFLINE` / `TRANSFORMERS_OFFLINE`, `HF_TOKEN` or the token file, `HF_HUB_CACHE` /
 * `HF_HOME`), download progress on stderr (a bar only on a terminal), and the size rule: a download above
 * `$PERTURBATION_LAB_CONFIRM_DOWNLOAD_ABOVE` (default 2 GB) needs `--yes`.
 */
import { DEFAULT_CONFIRM_BYTES, hubSettings, planModel, type HubSettings } from '../lab/hub';
import type { HubPlanner } from '../lab/config';
import { describeRequest, downloadHubModels, type DownloadDeclined } from '../lab/experiment/hubDownloads';
import type { ModelStore } from '../lab/models/modelStore';
import { BYTE_SIZE_FORMS, formatBytes, parseByteSize } from '../lab/resources';
import type { Experiment } from '../lab/types';
import { UsageError } from './args';
import { downloadProgress, type DownloadProgress } from './downloadProgress';

export const CONFIRM_ENV = 'PERTURBATION_LAB_CONFIRM_DOWNLOAD_ABOVE';

/** Downloads larger than this are refused without `--yes`. */
export function confirmThreshold(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[CONFIRM_ENV];
  if (raw === undefined || raw.trim() === '') return DEFAULT_CONFIRM_BYTES;
  const bytes = parseByteSize(raw);
  if (bytes === undefined || bytes < 0)
    throw new UsageError(`$${CONFIRM_ENV} takes ${BYTE_SIZE_FORMS}, not ${JSON.stringify(raw)}`);
  return bytes;
}

/** What the CLI says when a download needs `--yes` (exit 2): the sizes, where it goes, the flag to pass. */
export function declinedMessage(e: DownloadDeclined): string {
  return (
    `downloading ${describeRequest(e.request)} from the Hugging Face Hub into ${e.request.cacheDir} needs your ` +
    `confirmation (downloads above ${formatBytes(e.threshold)} are confirmed first): run again with --yes ` +
    `(or set $${CONFIRM_ENV} to a larger size). Nothing was downloaded.`
  );
}

export class CliHub {
  private settingsMemo?: HubSettings;
  private readonly progress = new Map<string, DownloadProgress>();

  constructor(
    private readonly yes: boolean,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  /** The environment's settings, read once (a bad `HF_ENDPOINT` or token file is an input error of the first `from:`). */
  settings(): HubSettings {
    return (this.settingsMemo ??= hubSettings());
  }

  private progressOf(model: string): DownloadProgress {
    let p = this.progress.get(model);
    if (!p) this.progress.set(model, (p = downloadProgress(this.stream, model)));
    return p;
  }

  /** Phase 2 of `from:`: the cache first, else one listing and config.json from the Hub. */
  readonly planner: HubPlanner = (ref) =>
    planModel(ref, this.settings(), { onProgress: (p) => this.progressOf(ref.repoId).report(p) });

  /** Downloads what the `from:` models lack, after the resource plan and the size rule. */
  async download(experiment: Experiment, store: ModelStore): Promise<void> {
    if (!experiment.models.some((m) => m.hub)) return;
    try {
      await downloadHubModels(experiment, {
        store,
        hub: this.settings(),
        confirmAbove: confirmThreshold(),
        confirm: async () => this.yes,
        onProgress: (repo, p) => this.progressOf(repo.repoId).report(p),
      });
    } finally {
      for (const p of this.progress.values()) p.done();
      this.progress.clear();
    }
  }
}
