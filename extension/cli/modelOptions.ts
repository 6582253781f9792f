/** The options `states` and `export` share: a model spec from --config (or --from) and --KEY VALUE, plus --cache. */
import { COMMAND_LINE_FILE, modelSpecFromOptions, nodeModelFileReader } from '../lab/config';
import type { ModelStore } from '../lab/models/modelStore';
import type { ModelSpec } from '../lab/types';
import { takeOption, type ParsedArgs } from './args';
import { resolveCacheDir } from './cacheDir';
import { CliHub } from './hubCli';

export interface ModelFromArgs {
  spec: ModelSpec;
  cacheDir: string;
  /** Completes a `--from` model in the Hugging Face cache (resource plan, `--yes` above the threshold, progress). */
  download(store: ModelStore): Promise<void>;
}

export async function modelFromArgs(args: ParsedArgs): Promise<ModelFromArgs> {
  const cacheDir = resolveCacheDir(takeOption(args, 'cache'));
  const hub = new CliHub(args.flags.has('yes'));
  const spec = await modelSpecFromOptions(args.options, process.cwd(), nodeModelFileReader, hub.planner);
  return {
    spec,
    cacheDir,
    download: (store) => hub.download({ file: COMMAND_LINE_FILE, models: [spec], cases: [] }, store),
  };
}
