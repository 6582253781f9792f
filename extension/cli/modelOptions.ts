/** The options `states` and `export` share: a model spec from --config and --KEY VALUE, plus --cache. */
import { modelSpecFromOptions } from '../lab/config';
import type { ModelSpec } from '../lab/types';
import { takeOption, type ParsedArgs } from './args';
import { resolveCacheDir } from './cacheDir';

export async function modelFromArgs(args: ParsedArgs): Promise<{ spec: ModelSpec; cacheDir: string }> {
  const cacheDir = resolveCacheDir(takeOption(args, 'cache'));
  const spec = await modelSpecFromOptions(args.options, process.cwd());
  return { spec, cacheDir };
}
