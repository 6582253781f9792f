import { exportModelFolder } from '../lab/models/exportFolder';
import { parseArgs, takeOption, UsageError } from './args';
import { EXIT } from './exitCodes';
import { EXPORT_HELP } from './help';
import { modelFromArgs } from './modelOptions';
import { takeLimits } from './limits';
import { ModelStore } from '../lab/models/modelStore';
import { resolve } from 'node:path';

export async function exportCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['help']);
  if (args.flags.has('help')) {
    process.stdout.write(EXPORT_HELP);
    return EXIT.ok;
  }
  const out = takeOption(args, 'out');
  if (!out) throw new UsageError('--out DIR is required');
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
  const limits = takeLimits(args);
  const { spec, cacheDir } = modelFromArgs(args);
  new ModelStore(cacheDir, { limits }).plan(spec); // refuses what cannot fit before anything is built
  const written = await exportModelFolder(spec, cacheDir, resolve(out), (m) =>
    process.stderr.write(`[${spec.name}] ${m}\n`),
  );
  process.stderr.write(`wrote ${written.configPath} and ${written.weightsPath}\n`);
  return EXIT.ok;
}
