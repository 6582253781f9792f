import { loadPromptFile } from '../lab/promptFile';
import { formatDiagnostic } from '../lab/types';
import { runExperiment } from '../lab/experiment/runExperiment';
import { ModelStore } from '../lab/models/modelStore';
import { parseArgs, takeOption, UsageError } from './args';
import { resolveCacheDir } from './cacheDir';
import { EXIT } from './exitCodes';
import { COMPARE_HELP } from './help';
import { stderrProgress } from './progress';
import { renderReport } from './reportTable';
import { styleFor } from './style';
import { terminalJson, terminalText } from './terminalText';
import { parseThreads } from './threads';
import { takeLimits } from './limits';
import { CliHub } from './hubCli';
import { applyPatchOptions, parsePatchOptions } from './patchOptions';
import { PATCH_SKIPPED } from '../lab/patching/prepare';
import { takeReadOuts } from './readOutOptions';

export async function compareCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['json', 'help', 'yes']);
  if (args.flags.has('help')) {
    process.stdout.write(COMPARE_HELP);
    return EXIT.ok;
  }
  const cacheDir = resolveCacheDir(takeOption(args, 'cache'));
  const threads = parseThreads(takeOption(args, 'threads'), (line) => process.stderr.write(line + '\n'));
  const limits = takeLimits(args);
  const patch = parsePatchOptions(takeOption(args, 'patch'), takeOption(args, 'patch-target'));
  const readOuts = takeReadOuts(args);
  if (args.options.size > 0) throw new UsageError(`unknown option --${[...args.options.keys()][0]}`);
  if (args.positionals.length !== 1) throw new UsageError('give exactly one .prompt file');
  const hub = new CliHub(args.flags.has('yes'));
  const loaded = await loadPromptFile(args.positionals[0], { hub: hub.planner });
  const { diagnostics } = loaded;
  // --lens / --heads stand for the keys on every model (over the file's own).
  const experiment = { ...loaded.experiment, models: loaded.experiment.models.map((m) => ({ ...m, ...readOuts })) };
  // Warnings do not stop a run, but they are said (a case without a variant, `~text` without the space).
  // A model `--patch` leaves out that the file's own `patch:` already left out is said once.
  const skipped = new Set(diagnostics.filter((d) => d.code === PATCH_SKIPPED).map((d) => d.range.start.line));
  const patchNotes = applyPatchOptions(experiment, patch).filter((d) => !skipped.has(d.range.start.line));
  for (const d of [...diagnostics, ...patchNotes])
    process.stderr.write(terminalText(formatDiagnostic(d), { multiline: true }) + '\n');
  // A comparison reads hidden states and logits only: its sessions are opened without the attention outputs.
  const store = new ModelStore(cacheDir, { intraOpThreads: threads, attentions: false, limits });
  const progress = stderrProgress();
  try {
    // `from:` models: planned against the machine, confirmed by size, then downloaded — before anything is built.
    await hub.download(experiment, store);
    const report = await runExperiment(experiment, { store, onProgress: progress.report });
    progress.done();
    process.stdout.write(
      args.flags.has('json')
        ? terminalJson(JSON.stringify(report, null, 2)) + '\n'
        : renderReport(report, styleFor(process.stdout), process.stdout.columns || undefined) + '\n',
    );
    return EXIT.ok;
  } finally {
    await store.dispose();
  }
}
