import { checkOutputFolder, exportModelFolder } from '../lab/models/exportFolder';
import { parseArgs, takeOption, UsageError } from './args';
import { EXIT } from './exitCodes';
import { EXPORT_HELP } from './help';
import { modelFromArgs } from './modelOptions';
import { modelProgress } from './progress';
import { terminalText } from './terminalText';
import { takeLimits } from './limits';
import { ModelStore } from '../lab/models/modelStore';
import { basename, resolve } from 'node:path';

export async function exportCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['help', 'force', 'yes']);
  if (args.flags.has('help')) {
    process.stdout.write(EXPORT_HELP);
    return EXIT.ok;
  }
  const out = takeOption(args, 'out');
  if (!out) throw new UsageError('--out DIR is required');
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
  const limits = takeLimits(args);
  const { spec, cacheDir, download } = await modelFromArgs(args);
  const force = args.flags.has('force');
  // Refused before a model is built: a mistake in --out, or a model that cannot fit, costs no minutes.
  checkOutputFolder(spec, cacheDir, resolve(out), force);
  const store = new ModelStore(cacheDir, { limits });
  await download(store);
  await store.plan(spec);
  const written = await exportModelFolder(spec, cacheDir, resolve(out), { force, progress: modelProgress(spec.name) });
  const tokenizer =
    written.tokenizerFiles.length > 0
      ? ` and the tokenizer (${written.tokenizerFiles.map((f) => basename(f)).join(', ')})`
      : `; no tokenizer (${spec.tokenizer.kind === 'none' ? spec.tokenizer.reason : 'none'})`;
  process.stderr.write(terminalText(`wrote ${written.configPath}, ${written.weightsPath}${tokenizer}`) + '\n');
  return EXIT.ok;
}
