/**
 * The command line: `compare`, `states`, `export`. Bad input prints `file:line:col: message` and exits 2;
 * a stack trace appears only for internal errors, and only with PERTURBATION_LAB_DEBUG=1.
 */
import { LabInputError } from '../lab/types';
import { CancelledError } from '../lab/experiment/runExperiment';
import { UsageError } from './args';
import { CheckpointError } from '../lab/models/weightSource';
import { ResourceError } from '../lab/resources';
import { EXIT } from './exitCodes';
import { MAIN_HELP } from './help';
import { compareCommand } from './compareCommand';
import { statesCommand } from './statesCommand';
import { exportCommand } from './exportCommand';

const commands: Record<string, (argv: string[]) => Promise<number>> = {
  compare: compareCommand,
  states: statesCommand,
  export: exportCommand,
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(MAIN_HELP);
    return name ? EXIT.ok : EXIT.badInput;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(
      `perturbation-lab: unknown command "${name}" (commands: ${Object.keys(commands).join(', ')})\n\n${MAIN_HELP}`,
    );
    return EXIT.badInput;
  }
  try {
    return await command(rest);
  } catch (e) {
    if (e instanceof LabInputError) {
      process.stderr.write(e.message + '\n');
      return EXIT.badInput;
    }
    if (e instanceof CheckpointError || e instanceof ResourceError) {
      process.stderr.write(`<command line>: error: ${e.message}\n`);
      return EXIT.badInput;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`perturbation-lab ${name}: ${e.message} (see perturbation-lab ${name} --help)\n`);
      return EXIT.badInput;
    }
    if (isFileSystemError(e)) {
      // A path the user gave (--out, --cache, a file) that can't be written or read: their input, not our bug.
      process.stderr.write(`perturbation-lab ${name}: error: ${e.message}\n`);
      return EXIT.badInput;
    }
    if (e instanceof CancelledError) {
      process.stderr.write('cancelled\n');
      return EXIT.internal;
    }
    const err = e as Error;
    process.stderr.write(`perturbation-lab: internal error: ${err.message}\n`);
    if (process.env.PERTURBATION_LAB_DEBUG) process.stderr.write(`${err.stack}\n`);
    return EXIT.internal;
  }
}

const FILE_SYSTEM_CODES = new Set(['ENOENT', 'ENOTDIR', 'EEXIST', 'EISDIR', 'EACCES', 'EPERM', 'EROFS', 'ENOSPC']);

function isFileSystemError(e: unknown): e is NodeJS.ErrnoException {
  return (
    e instanceof Error &&
    typeof (e as NodeJS.ErrnoException).code === 'string' &&
    FILE_SYSTEM_CODES.has((e as NodeJS.ErrnoException).code!)
  );
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`perturbation-lab: internal error: ${(e as Error).message}\n`);
    process.exitCode = EXIT.internal;
  },
);
