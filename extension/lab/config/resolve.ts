/**
 * From a model entry (written in a prompt file or given on the command line) to a complete
 * ModelSpec: config source, overrides, run settings, defaults as Hugging Face has them.
 * Every problem becomes a diagnostic at the place the user can fix it; nothing throws.
 *
 * Two phases, so that no file is opened before the caller has decided it may be:
 *  1. `draftModelEntry` (pure): what the entry itself says — name, run settings, whether `config:` is a
 *     preset or a path, where `weights:` points. Paths are only recorded (`draft.files`).
 *  2. `loadEntryFiles` (I/O, after a trust check) reads them; `finishModelEntry` (pure) checks their
 *     content and the overrides against the architecture, with problems still on `config:`/`weights:`.
 */
import type { Architecture, HfConfig, LabDiagnostic, ModelSpec, SourceRange, TokenizerFamily } from '../types';
import { withoutForeignText } from '../io';
import { checkValue, isText, type ValueCheck } from './checks';
import { CONFIG_KEYS, CROSS_FAMILY_NAMES, REFUSED_KEYS } from './configKeys';
import { DiagnosticList } from './diagnostics';
import { MODEL_ENTRY_KEY_NAMES } from './entryKeys';
import {
  inspectWeights,
  loadConfigPath,
  nodeModelFileReader,
  readConfigFile,
  type InspectedWeights,
  type ModelFileReader,
} from './modelFiles';
import { CLASS_DEFAULTS } from './presets';
import { RUN_SETTING_DEFAULTS, RUN_SETTING_KEYS, checkRunSetting, type RunSettings } from './runSettings';
import { configRefOf, weightsPathOf, type ConfigRef, type LoadedConfig, type Sourced } from './sources';
import { closestMatch } from './suggest';
import { checkConfigKey, checkConsistency } from './validate';

/** One `key: value` of a model entry, with where the key and the value were written. */
export interface EntryField {
  key: string;
  value: unknown;
  keyRange: SourceRange;
  valueRange: SourceRange;
}

export interface ModelEntry {
  fields: EntryField[];
  /** The whole entry; missing keys are reported at its start. */
  range: SourceRange;
}

export interface ResolveContext {
  /** The file the ranges are in (a prompt file, or "<command line>"). */
  file: string;
  /** Relative `config:` and `weights:` paths resolve against it. */
  baseDir: string;
  /** Run settings written as defaults for every model (valid ones only). */
  defaults?: ReadonlyMap<string, unknown>;
  /** Tolerances to use where neither the entry nor the file's defaults set one (editor settings). */
  toleranceDefaults?: { atol?: number; rtol?: number };
}

export interface Resolved {
  spec: ModelSpec | null;
  diagnostics: LabDiagnostic[];
}

/** A path an entry names, to be opened in the second phase (and checked against workspace trust first). */
export interface FileRef {
  /** The model's name as written (for messages), when it is text. */
  model?: string;
  key: 'config' | 'weights';
  /** Absolute. */
  path: string;
  /** The `config:` or `weights:` value: where problems with the file are reported. */
  range: SourceRange;
}

/** What phase 1 found in an entry; phase 2 finishes it. */
export interface EntryDraft {
  readonly entry: ModelEntry;
  readonly ctx: ResolveContext;
  /** Phase 1's problems (name, run settings, values that are not text, pickle names). */
  readonly diagnostics: LabDiagnostic[];
  readonly name: string | undefined;
  readonly fields: ReadonlyMap<string, EntryField>;
  /** `config:` when its value is text. */
  readonly config?: { field: EntryField; ref: ConfigRef };
  /** `weights:` when present: its path, or undefined when its value is already reported. */
  readonly weights?: { field: EntryField; path?: string };
  /** The paths phase 2 opens; empty when the entry names presets only. */
  readonly files: FileRef[];
}

/** What phase 2 read, by role. Absent members were not asked for. */
export interface EntryFiles {
  config?: Sourced<LoadedConfig>;
  weights?: Sourced<InspectedWeights>;
  folderConfig?: Sourced<LoadedConfig>;
}

/** Keys of the whole file, which users sometimes indent into an entry by mistake. */
const FILE_LEVEL_KEYS = new Set(['models', 'cases', 'perturb']);

const TOKENIZER_OF: Record<Architecture, TokenizerFamily> = { bert: 'bert-uncased', gpt2: 'gpt2' };

/** Where a config's own keys are reported: on the value of `config:` or of `weights:`. */
interface ConfigPlace {
  loaded: LoadedConfig;
  range: SourceRange;
}

function keyToValue(field: EntryField): SourceRange {
  return { start: field.keyRange.start, end: field.valueRange.end };
}

/** Phase 1: everything the entry says by itself. Opens nothing. */
export function draftModelEntry(entry: ModelEntry, ctx: ResolveContext): EntryDraft {
  const out = new DiagnosticList(ctx.file);
  const fields = new Map(entry.fields.map((f) => [f.key, f]));
  const entryStart: SourceRange = { start: entry.range.start, end: entry.range.start };
  const name = resolveName(fields.get('name'), entryStart, out);
  for (const f of entry.fields) {
    const problem = checkRunSetting(f.key, f.value);
    if (problem) out.error(problem.code, problem.message, f.valueRange);
  }
  const files: FileRef[] = [];
  const model = typeof fields.get('name')?.value === 'string' ? (fields.get('name')!.value as string) : undefined;

  let weights: EntryDraft['weights'];
  const weightsField = fields.get('weights');
  if (weightsField) {
    let path: string | undefined;
    if (checkPathText({ ...weightsField, key: 'weights' }, out)) {
      const sourced = weightsPathOf(weightsField.value as string, ctx.baseDir);
      if ('problem' in sourced) out.error(sourced.problem.code, sourced.problem.message, weightsField.valueRange);
      else {
        path = sourced.ok;
        files.push({ model, key: 'weights', path, range: weightsField.valueRange });
      }
    }
    weights = { field: weightsField, path };
  }

  let config: EntryDraft['config'];
  const configField = fields.get('config');
  if (configField && checkPathText({ ...configField, key: 'config' }, out)) {
    const ref = configRefOf(configField.value as string, ctx.baseDir);
    if (ref.kind === 'path') files.push({ model, key: 'config', path: ref.path, range: configField.valueRange });
    config = { field: configField, ref };
  }
  return { entry, ctx, diagnostics: out.items, name, fields, config, weights, files };
}

/** Phase 2's reads: the `config:` file, the weights and the weights folder's config.json. */
export async function loadEntryFiles(draft: EntryDraft, reader: ModelFileReader): Promise<EntryFiles> {
  const files: EntryFiles = {};
  if (draft.weights?.path) files.weights = await inspectWeights(draft.weights.path, reader);
  const ref = draft.config?.ref;
  if (ref?.kind === 'path') files.config = await loadConfigPath(ref.path, ref.written, reader);
  const folderConfig = files.weights && 'ok' in files.weights ? files.weights.ok.folderConfig : undefined;
  if (!draft.fields.has('config') && folderConfig) files.folderConfig = await readConfigFile(folderConfig, reader);
  return files;
}

/** Both phases, for callers that may open files at once (the CLI's `--config`, tests). */
export async function resolveModelSpec(
  entry: ModelEntry,
  ctx: ResolveContext,
  reader: ModelFileReader = nodeModelFileReader,
): Promise<Resolved> {
  const draft = draftModelEntry(entry, ctx);
  return finishModelEntry(draft, await loadEntryFiles(draft, reader));
}

/** Phase 2, pure: the files' content and the overrides. Returns phase 1's diagnostics too. */
export function finishModelEntry(draft: EntryDraft, files: EntryFiles): Resolved {
  const { entry, ctx } = draft;
  const out = new DiagnosticList(ctx.file);
  out.items.push(...draft.diagnostics);
  const entryStart: SourceRange = { start: entry.range.start, end: entry.range.start };
  const placed = <T>(sourced: Sourced<T> | undefined, field: EntryField): T | undefined => {
    if (!sourced) return undefined;
    if ('problem' in sourced) {
      out.error(sourced.problem.code, sourced.problem.message, field.valueRange);
      return undefined;
    }
    return sourced.ok;
  };
  const weights = draft.weights && placed(files.weights, draft.weights.field);
  const place = resolveConfigPlace(draft, files, weights, placed, entryStart, out);

  const overrides = entry.fields.filter((f) => !MODEL_ENTRY_KEY_NAMES.has(f.key) && !RUN_SETTING_KEYS.has(f.key));
  if (!place) {
    checkOverridesWithoutArchitecture(overrides, out);
    return { spec: null, diagnostics: out.items };
  }
  const fileIsValid = checkFileKeys(place, out);
  const validOverrides = checkOverrides(place.loaded.architecture, overrides, out);

  const architecture = place.loaded.architecture;
  const config = { ...structuredClone(CLASS_DEFAULTS[architecture]), ...place.loaded.config } as HfConfig;
  for (const f of validOverrides) config[f.key] = f.value;
  // Cross-key checks need valid single values; invalid overrides were left out above.
  if (fileIsValid) checkMergedConfig(config, validOverrides, place, out);
  const name = draft.name;
  if (out.hasErrors || name === undefined) return { spec: null, diagnostics: out.items };

  const settings = resolveRunSettings(draft.fields, ctx.defaults, weights !== undefined, ctx.toleranceDefaults);
  const spec: ModelSpec = {
    name,
    architecture,
    config,
    configSource: place.loaded.source,
    ...(weights ? { weights: weights.path } : {}),
    seed: settings.seed,
    mode: settings.mode,
    dropout: settings.dropout,
    addSpecialTokens: settings.addSpecialTokens,
    atol: settings.atol,
    rtol: settings.rtol,
    tokenizer: TOKENIZER_OF[architecture],
    range: entry.range,
  };
  return { spec, diagnostics: out.items };
}

const NAME_VALUE: ValueCheck = { ...isText, example: "the model's name, such as `gpt2`" };

function resolveName(
  nameField: EntryField | undefined,
  entryStart: SourceRange,
  out: DiagnosticList,
): string | undefined {
  if (!nameField) {
    out.error(
      'missing-key',
      'this model has no `name`; every model needs one (e.g. `name: gpt2`), unique in the file',
      entryStart,
    );
    return undefined;
  }
  const bad = checkValue('name', nameField.value, NAME_VALUE);
  if (bad) out.error('bad-value', bad, nameField.valueRange);
  return bad ? undefined : (nameField.value as string);
}

const PATH_VALUES: Record<'config' | 'weights', ValueCheck> = {
  config: { ...isText, example: 'a preset (`gpt2`, `bert-base-uncased`) or the path of a config.json' },
  weights: { ...isText, example: 'the path of a .safetensors file or of a Hugging Face folder' },
};

/** A path-valued key must be text; the problem goes on the value. */
function checkPathText(f: EntryField & { key: 'config' | 'weights' }, out: DiagnosticList): boolean {
  if (f.value === null || f.value === undefined) {
    out.error('bad-value', checkValue(f.key, f.value, PATH_VALUES[f.key])!, f.valueRange);
    return false;
  }
  const bad = checkValue(f.key, f.value, isText);
  if (bad)
    out.error('bad-value', `${bad} (${f.key === 'config' ? 'a preset name or a path' : 'a path'})`, f.valueRange);
  return !bad;
}

function resolveConfigPlace(
  draft: EntryDraft,
  files: EntryFiles,
  weights: InspectedWeights | undefined,
  placed: <T>(sourced: Sourced<T> | undefined, field: EntryField) => T | undefined,
  entryStart: SourceRange,
  out: DiagnosticList,
): ConfigPlace | undefined {
  const configField = draft.fields.get('config');
  const weightsField = draft.weights?.field;
  if (configField) {
    const ref = draft.config?.ref;
    const loaded = ref?.kind === 'preset' ? ref.loaded : placed(files.config, configField);
    if (loaded && weights?.folderConfig && weightsField) {
      out.warning(
        'config-overrides-folder',
        `\`config:\` is used instead of ${weights.folderConfig}; the weights must still fit it`,
        configField.keyRange,
      );
    }
    return loaded && { loaded, range: configField.valueRange };
  }
  if (weights?.folderConfig && weightsField) {
    const loaded = placed(files.folderConfig, weightsField);
    return loaded && { loaded, range: weightsField.valueRange };
  }
  if (weightsField && !weights) return undefined; // the weights problem is already reported; one error is enough
  const why = weights
    ? '`weights:` is a single file, so `config:` must say what architecture it holds'
    : 'it says which architecture to build';
  out.error(
    'missing-key',
    `this model has no \`config\`: ${why}. Write a preset (\`config: gpt2\`, \`config: bert-base-uncased\`) or the path of a config.json`,
    entryStart,
  );
  return undefined;
}

/**
 * A config.json a user gave is held to the same rules as keys written in the entry. True when it passes.
 * Its values are the file's text: a message names a key, and a value only when it is a plain word.
 */
function checkFileKeys(place: ConfigPlace, out: DiagnosticList): boolean {
  if (!place.loaded.fromFile) return true;
  let valid = true;
  for (const [key, value] of Object.entries(place.loaded.config)) {
    const problem = checkConfigKey(place.loaded.architecture, key, value);
    if (!problem) continue;
    out.error(
      problem.code,
      withoutForeignText(`in ${place.loaded.source}: ${problem.message}`, key, value),
      place.range,
    );
    valid = false;
  }
  return valid;
}

/** Report every override the architecture refuses; return the ones it accepts. */
function checkOverrides(architecture: Architecture, overrides: EntryField[], out: DiagnosticList): EntryField[] {
  const candidates = [...MODEL_ENTRY_KEY_NAMES, ...RUN_SETTING_KEYS];
  return overrides.filter((f) => {
    if (FILE_LEVEL_KEYS.has(f.key)) {
      out.error(
        'unknown-key',
        `\`${f.key}\` belongs at the top of the front matter, not inside a model entry`,
        f.keyRange,
      );
      return false;
    }
    const problem = checkConfigKey(architecture, f.key, f.value, candidates);
    if (!problem) return true;
    // A wrong value is fixed in the value; a wrong or unimplemented key starts at the key.
    const range =
      problem.code === 'bad-value' ? f.valueRange : problem.code === 'not-supported' ? keyToValue(f) : f.keyRange;
    out.error(problem.code, problem.message, range);
    return false;
  });
}

/** Without a config the architecture is unknown: only keys that belong to neither family can be judged. */
function checkOverridesWithoutArchitecture(overrides: EntryField[], out: DiagnosticList): void {
  const known = (key: string) =>
    (['bert', 'gpt2'] as const).some(
      (a) =>
        CONFIG_KEYS[a].has(key) || Object.hasOwn(REFUSED_KEYS[a], key) || Object.hasOwn(CROSS_FAMILY_NAMES[a], key),
    ) || key === 'model_type';
  const candidates = [
    ...MODEL_ENTRY_KEY_NAMES,
    ...RUN_SETTING_KEYS,
    ...CONFIG_KEYS.bert.keys(),
    ...CONFIG_KEYS.gpt2.keys(),
  ];
  for (const f of overrides) {
    if (known(f.key)) continue;
    const guess = closestMatch(f.key, candidates);
    out.error(
      'unknown-key',
      `\`${f.key}\` is not a model-entry key nor a config key of BERT or GPT-2${guess ? `; did you mean \`${guess}\`?` : ''}`,
      f.keyRange,
    );
  }
}

/** Checks across keys, once every single value is known to be valid. */
function checkMergedConfig(config: HfConfig, overrides: EntryField[], place: ConfigPlace, out: DiagnosticList): void {
  for (const problem of checkConsistency(config)) {
    const written = problem.keys.map((k) => overrides.find((f) => f.key === k)).find((f) => f !== undefined);
    if (written) out.error(problem.code, problem.message, written.valueRange);
    else out.error(problem.code, `in ${place.loaded.source}: ${problem.message}`, place.range);
  }
}

function resolveRunSettings(
  field: ReadonlyMap<string, EntryField>,
  defaults: ReadonlyMap<string, unknown> | undefined,
  hasWeights: boolean,
  tolerances: ResolveContext['toleranceDefaults'] = {},
): RunSettings {
  const get = (key: string): unknown => (field.has(key) ? field.get(key)!.value : defaults?.get(key));
  // Hugging Face: from_config leaves a model in train mode, from_pretrained calls eval().
  const mode = (get('mode') as RunSettings['mode'] | undefined) ?? (hasWeights ? 'eval' : 'train');
  return {
    seed: (get('seed') as number | undefined) ?? RUN_SETTING_DEFAULTS.seed,
    mode,
    dropout: (get('dropout') as RunSettings['dropout'] | undefined) ?? RUN_SETTING_DEFAULTS.dropout,
    addSpecialTokens: (get('add_special_tokens') as boolean | undefined) ?? RUN_SETTING_DEFAULTS.add_special_tokens,
    atol: (get('atol') as number | undefined) ?? tolerances.atol ?? RUN_SETTING_DEFAULTS.atol,
    rtol: (get('rtol') as number | undefined) ?? tolerances.rtol ?? RUN_SETTING_DEFAULTS.rtol,
  };
}
