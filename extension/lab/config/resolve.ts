/**
 * From a model entry (written in a prompt file or given on the command line) to a complete
 * ModelSpec: config source, overrides, run settings, defaults as Hugging Face has them.
 * Every problem becomes a diagnostic at the place the user can fix it; nothing throws.
 */
import type { Architecture, HfConfig, LabDiagnostic, ModelSpec, SourceRange, TokenizerFamily } from '../types';
import { checkValue, isText } from './checks';
import { CONFIG_KEYS, CROSS_FAMILY_NAMES, REFUSED_KEYS } from './configKeys';
import { DiagnosticList } from './diagnostics';
import { MODEL_ENTRY_KEY_NAMES } from './entryKeys';
import { CLASS_DEFAULTS } from './presets';
import { RUN_SETTING_DEFAULTS, RUN_SETTING_KEYS, checkRunSetting, type RunSettings } from './runSettings';
import {
  inspectWeights,
  loadConfig,
  readConfigFile,
  type FileAccess,
  type InspectedWeights,
  type LoadedConfig,
  type Sourced,
} from './sources';
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
  files: FileAccess;
  /** Run settings written as defaults for every model (valid ones only). */
  defaults?: ReadonlyMap<string, unknown>;
  /** Tolerances to use where neither the entry nor the file's defaults set one (editor settings). */
  toleranceDefaults?: { atol?: number; rtol?: number };
}

export interface Resolved {
  spec: ModelSpec | null;
  diagnostics: LabDiagnostic[];
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

export function resolveModelSpec(entry: ModelEntry, ctx: ResolveContext): Resolved {
  const out = new DiagnosticList(ctx.file);
  const field = new Map(entry.fields.map((f) => [f.key, f]));
  const entryStart: SourceRange = { start: entry.range.start, end: entry.range.start };

  const name = resolveName(field.get('name'), entryStart, out);
  for (const f of entry.fields) {
    const problem = checkRunSetting(f.key, f.value);
    if (problem) out.error(problem.code, problem.message, f.valueRange, problem.suggestion);
  }

  const weightsField = field.get('weights');
  const weights = weightsField && followPath(weightsField, (v) => inspectWeights(v, ctx.baseDir, ctx.files), out);
  const place = resolveConfigPlace(field.get('config'), weightsField, weights, entryStart, ctx, out);

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
  if (out.hasErrors || name === undefined) return { spec: null, diagnostics: out.items };

  const settings = resolveRunSettings(field, ctx.defaults, weights !== undefined, ctx.toleranceDefaults);
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
  const bad = checkValue('name', nameField.value, isText);
  if (bad) out.error('bad-value', bad, nameField.valueRange);
  return bad ? undefined : (nameField.value as string);
}

/** A path-valued key: check it is text, then follow it; problems go on the value. */
function followPath<T>(f: EntryField, follow: (value: string) => Sourced<T>, out: DiagnosticList): T | undefined {
  const bad = checkValue(f.key, f.value, isText);
  if (bad) {
    out.error('bad-value', `${bad} (${f.key === 'config' ? 'a preset name or a path' : 'a path'})`, f.valueRange);
    return undefined;
  }
  const result = follow(f.value as string);
  if ('problem' in result) {
    out.error(result.problem.code, result.problem.message, f.valueRange, result.problem.suggestion);
    return undefined;
  }
  return result.ok;
}

function resolveConfigPlace(
  configField: EntryField | undefined,
  weightsField: EntryField | undefined,
  weights: InspectedWeights | undefined,
  entryStart: SourceRange,
  ctx: ResolveContext,
  out: DiagnosticList,
): ConfigPlace | undefined {
  if (configField) {
    const loaded = followPath(configField, (v) => loadConfig(v, ctx.baseDir, ctx.files), out);
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
    const loaded = followPath(weightsField, () => readConfigFile(weights.folderConfig!, ctx.files), out);
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

/** A config.json a user gave is held to the same rules as keys written in the entry. True when it passes. */
function checkFileKeys(place: ConfigPlace, out: DiagnosticList): boolean {
  if (!place.loaded.fromFile) return true;
  let valid = true;
  for (const [key, value] of Object.entries(place.loaded.config)) {
    const problem = checkConfigKey(place.loaded.architecture, key, value);
    if (!problem) continue;
    out.error(problem.code, `in ${place.loaded.source}: ${problem.message}`, place.range);
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
    out.error(problem.code, problem.message, range, problem.suggestion);
    return false;
  });
}

/** Without a config the architecture is unknown: only keys that belong to neither family can be judged. */
function checkOverridesWithoutArchitecture(overrides: EntryField[], out: DiagnosticList): void {
  const known = (key: string) =>
    (['bert', 'gpt2'] as const).some(
      (a) => CONFIG_KEYS[a].has(key) || key in REFUSED_KEYS[a] || key in CROSS_FAMILY_NAMES[a],
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
      guess ? { target: 'key', key: f.key, texts: [guess], closeMatch: true } : undefined,
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
  field: Map<string, EntryField>,
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
