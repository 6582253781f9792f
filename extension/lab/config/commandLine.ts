/**
 * A model given on the command line (`states`, `export`): `--config NAME|PATH` (or `--from ID`) and any
 * model-entry key as `--key value`, checked by the same rules as a prompt file's entry.
 * Diagnostics use the file "<command line>" and the option's index as column.
 */
import { basename, dirname, extname } from 'node:path';
import { isScalar, parseDocument } from 'yaml';
import { LabInputError, type ModelSpec, type SourceRange } from '../types';
import { nodeModelFileReader, type ModelFileReader } from './modelFiles';
import { resolveModelSpec, type EntryField, type HubPlanner } from './resolve';
import { isPreset } from './sources';

export const COMMAND_LINE_FILE = '<command line>';

/** Keys whose value is a name or a path: taken as typed, never as a YAML number or boolean. */
const TEXT_KEYS = new Set(['name', 'config', 'weights', 'tokenizer', 'from', 'revision']);

/** `--num_hidden_layers 4` → 4, `--is_decoder true` → true, `--atol 1e-3` → 0.001; anything else stays text. */
export function parseOptionValue(raw: string): unknown {
  const doc = parseDocument(raw);
  return doc.errors.length === 0 && isScalar(doc.contents) ? doc.contents.value : raw;
}

/** The default name: the preset, or the folder or file the model comes from. */
function defaultName(options: ReadonlyMap<string, string>): string | undefined {
  const repo = options.get('from');
  if (repo !== undefined) return repo;
  const source = options.get('config') ?? options.get('weights');
  if (source === undefined) return undefined;
  if (options.has('config') && isPreset(source)) return source;
  const base = basename(source);
  if (base === 'config.json' || base === 'model.safetensors') return basename(dirname(source));
  return basename(source, extname(source));
}

/**
 * Options are the model's keys only (`config`, `weights`, `is_decoder`, …): the caller removes its own
 * (`text`, `out`, …). A Map, since the keys are the user's (`--constructor` must be just an unknown key).
 * The command line is the user's own act, so files are opened at once (both phases).
 */
export async function modelSpecFromOptions(
  options: ReadonlyMap<string, string>,
  cwd: string,
  reader: ModelFileReader = nodeModelFileReader,
  planner?: HubPlanner,
): Promise<ModelSpec> {
  const keys = [...options.keys()];
  const at = (index: number): SourceRange => ({
    start: { line: 0, column: index },
    end: { line: 0, column: index + 1 },
  });
  const fields: EntryField[] = keys.map((key, index) => ({
    key,
    value: TEXT_KEYS.has(key) ? options.get(key) : parseOptionValue(options.get(key)!),
    keyRange: at(index),
    valueRange: at(index),
  }));
  const name = options.get('name') ?? defaultName(options);
  if (!options.has('name') && name !== undefined)
    fields.push({ key: 'name', value: name, keyRange: at(keys.length), valueRange: at(keys.length) });

  const whole: SourceRange = { start: { line: 0, column: 0 }, end: { line: 0, column: 0 } };
  const { spec, diagnostics } = await resolveModelSpec(
    { fields, range: whole },
    { file: COMMAND_LINE_FILE, baseDir: cwd },
    reader,
    planner,
  );
  const errors = diagnostics
    .filter((d) => d.severity === 'error')
    .map((d) => {
      // A one-column range is an option: name it, since the user typed `--key`, not a column.
      const key = d.range.end.column > d.range.start.column ? keys[d.range.start.column] : undefined;
      return key === undefined ? d : { ...d, message: `--${key}: ${d.message}` };
    });
  if (errors.length > 0 || !spec) throw new LabInputError(errors);
  return spec;
}
