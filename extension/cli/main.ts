/**
 * The command line: `compare`, `states`, `export`. Bad input prints `file:line:col: message` and exits 2;
 * a stack trace appears only for internal errors, and only with PERTURBATION_LAB_DEBUG=1. Everything
 * written goes through `terminalText`: a model name or a path cannot drive the terminal.
 */
import { formatDiagnostic, LabInputError } from '../lab/types';
import { CancelledError } from '../lab/experiment/runExperiment';
import { UserFileError } from '../lab/io';
import { OutputFolderError } from '../lab/models/exportFolder';
import { UsageError } from './args';
import { CheckpointError } from '../lab/models/weightSource';
import { ResourceError } from '../lab/resources';
import { EXIT } from './exitCodes';
import { MAIN_HELP } from './help';
import { compareCommand } from './compareCommand';
import { statesCommand } from './statesCommand';
import { exportCommand } from './exportCommand';
import { terminalText } from './terminalText';
import { exitCleanlyOnSignals } from './signals';
import { DownloadDeclined } from '../lab/experiment/hubDownloads';
import { HubError } from '../lab/hub';
import { declinedMessage } from './hubCli';

/** A Map: the command name is the user's text (`constructor` is not a command). */
const commands = new Map<string, (argv: string[]) => Promise<number>>([
  ['compare', compareCommand],
  ['states', statesCommand],
  ['export', exportCommand],
]);

const writeError = (text: string) => process.stderr.write(terminalText(text, { multiline: true }) + '\n');

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(MAIN_HELP);
    return name ? EXIT.ok : EXIT.badInput;
  }
  const command = commands.get(name);
  if (!command) {
    writeError(
      `perturbation-lab: unknown command "${name}" (commands: ${[...commands.keys()].join(', ')})\n\n${MAIN_HELP}`,
    );
    return EXIT.badInput;
  }
  try {
    return await command(rest);
  } catch (e) {
    if (e instanceof LabInputError) {
      for (const d of e.diagnostics) writeError(formatDiagnostic(d));
      return EXIT.badInput;
    }
    if (e instanceof DownloadDeclined) {
      writeError(`perturbation-lab ${name}: ${declinedMessage(e)}`);
      return EXIT.badInput;
    }
    if (
      e instanceof CheckpointError ||
      e instanceof UserFileError ||
      e instanceof ResourceError ||
      e instanceof HubError
    ) {
      writeError(`<command line>: error: ${e.message}`);
      return EXIT.badInput;
    }
    if (e instanceof UsageError || e instanceof OutputFolderError) {
      writeError(`perturbation-lab ${name}: ${e.message} (see perturbation-lab ${name} --help)`);
      return EXIT.badInput;
    }
    if (isFileSystemError(e)) {
      // A path the user gave (--out, --cache, a file) that can't be written or read: their input, not our bug.
      writeError(`perturbation-lab ${name}: error: ${e.message}`);
      return EXIT.badInput;
    }
    if (e instanceof CancelledError) {
      writeError('cancelled');
      return EXIT.internal;
    }
    const err = e as Error;
    writeError(`perturbation-lab: internal error: ${err.message}`);
    if (process.env.PERTURBATION_LAB_DEBUG) writeError(`${err.stack}`);
    return EXIT.internal;
  }
}

const FILE_SYSTEM_CODES = new Set([
  'ENOENT',
  'ENOTDIR',
  'EEXIST',
  'EISDIR',
  'EACCES',
  'EPERM',
  'EROFS',
  'ENOSPC',
  'ELOOP',
  'ENAMETOOLONG',
  'ENOTEMPTY',
  'EXDEV',
  'EDQUOT',
]);

function isFileSystemError(e: unknown): e is NodeJS.ErrnoException {
  return (
    e instanceof Error &&
    typeof (e as NodeJS.ErrnoException).code === 'string' &&
    FILE_SYSTEM_CODES.has((e as NodeJS.ErrnoException).code!)
  );
}

exitCleanlyOnSignals();
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    writeError(`perturbation-lab: internal error: ${(e as Error).message}`);
    process.exitCode = EXIT.internal;
  },
);
