/**
 * Command-line arguments: positionals and `--key value` / `--key=value` options, kept in order.
 * Any model-entry key can be an option (`--num_hidden_layers 4`), so options are not declared up front;
 * each command checks the ones it knows and passes the rest to the model spec.
 */
export interface ParsedArgs {
  positionals: string[];
  options: Map<string, string>;
  flags: Set<string>;
}

/** Thrown for a malformed command line; printed as a usage error with exit code 2. */
export class UsageError extends Error {}

export function parseArgs(argv: string[], booleanFlags: readonly string[]): ParsedArgs {
  const parsed: ParsedArgs = { positionals: [], options: new Map(), flags: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h') {
      parsed.flags.add('help');
      continue;
    }
    if (!arg.startsWith('--')) {
      parsed.positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const key = arg.slice(2, eq === -1 ? undefined : eq);
    if (key === '') throw new UsageError(`"${arg}" is not an option`);
    if (booleanFlags.includes(key)) {
      if (eq !== -1) throw new UsageError(`--${key} takes no value`);
      parsed.flags.add(key);
      continue;
    }
    let value: string;
    if (eq !== -1) value = arg.slice(eq + 1);
    else {
      if (i + 1 >= argv.length) throw new UsageError(`--${key} needs a value`);
      value = argv[++i];
    }
    if (parsed.options.has(key)) throw new UsageError(`--${key} is given twice`);
    parsed.options.set(key, value);
  }
  return parsed;
}

/** Removes and returns an option the command handles itself. */
export function takeOption(args: ParsedArgs, key: string): string | undefined {
  const v = args.options.get(key);
  args.options.delete(key);
  return v;
}
