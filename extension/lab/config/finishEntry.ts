/**
 * Phase 2 of resolving a model entry, pure: given what `loadEntryFiles` read, check the files' content
 * and the entry's overrides against the architecture and build the ModelSpec. Problems with a file stay
 * on the entry's `config:` or `weights:` value; the config file's own text is never repeated.
 */
import type { Architecture, HfConfig, ModelSpec, SourceRange, TokenizerRef } from '../types';
import { withoutForeignText } from '../io';
import { ARCHITECTURES, moduleOf } from '../models/registry';
import { configKeyTable } from './configKeys';
import { DiagnosticList } from './diagnostics';
import { MODEL_ENTRY_KEY_NAMES } from './entryKeys';
import type { InspectedTokenizer, InspectedWeights } from './modelFiles';
import type { EntryDraft, EntryField, EntryFiles, ResolveContext, Resolved } from './resolve';
import { LENS_DEFAULT_K, RUN_SETTING_DEFAULTS, RUN_SETTING_KEYS, type RunSettings } from './runSettings';
import type { LoadedConfig, Sourced } from './sources';
import { closestMatch } from './suggest';
import { checkConfigKey, checkConsistency } from './validate';
import {
  PATCH_SKIPPED,
  patchingInTrainMode,
  patchKindProblem,
  patchKindRefused,
  patchKindSkipped,
} from '../patching/prepare';
import { PATCH_KINDS } from '../../protocol/report';

/** Keys of the whole file, which users sometimes indent into an entry by mistake. */
const FILE_LEVEL_KEYS = new Set(['models', 'cases', 'perturb']);

/**
 * The tokenizer a model uses: `tokenizer:`, else the `weights:` folder's own, else the one the lab ships for its
 * architecture, else none (and the reason, which names what to add).
 */
function tokenizerOf(
  architecture: Architecture,
  named: InspectedTokenizer | undefined,
  weights: InspectedWeights | undefined,
): TokenizerRef {
  if (named) return { kind: 'folder', folder: named.folder };
  if (weights?.tokenizerFolder) return { kind: 'folder', folder: weights.tokenizerFolder };
  const module = moduleOf(architecture);
  if (module.tokenizer) return { kind: 'bundled', name: module.tokenizer };
  return {
    kind: 'none',
    reason: `the lab ships no ${module.label} tokenizer: give the model's own with \`tokenizer:\` (a folder with tokenizer.json and tokenizer_config.json, or that tokenizer.json) or \`weights:\` a folder that has one`,
  };
}

/** Where a config's own keys are reported: on the value of `config:` or of `weights:`. */
interface ConfigPlace {
  loaded: LoadedConfig;
  range: SourceRange;
}

function keyToValue(field: EntryField): SourceRange {
  return { start: field.keyRange.start, end: field.valueRange.end };
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
      out.error(sourced.problem.code, sourced.problem.message, field.valueRange, sourced.problem.suggestion);
      return undefined;
    }
    return sourced.ok;
  };
  const fromField = draft.fields.get('from');
  const hub = fromField && placed(files.hub, fromField);
  // A `from:` model is the snapshot folder of the Hugging Face cache: it loads as `weights:` that folder would.
  const weights: InspectedWeights | undefined = hub
    ? { path: hub.dir, ...(hub.tokenizerFolder ? { tokenizerFolder: hub.tokenizerFolder } : {}) }
    : draft.weights && placed(files.weights, draft.weights.field);
  const namedTokenizer = draft.tokenizer && placed(files.tokenizer, draft.tokenizer.field);
  const place = fromField
    ? hub && { loaded: hub.config, range: fromField.valueRange }
    : resolveConfigPlace(draft, files, weights, placed, entryStart, out);

  const overrides = entry.fields.filter((f) => !MODEL_ENTRY_KEY_NAMES.has(f.key) && !RUN_SETTING_KEYS.has(f.key));
  if (!place) {
    checkOverridesWithoutArchitecture(overrides, out);
    return { spec: null, diagnostics: out.items };
  }
  const fileIsValid = checkFileKeys(place, out);
  const validOverrides = checkOverrides(place.loaded.architecture, overrides, out);

  const architecture = place.loaded.architecture;
  const config = { ...structuredClone(moduleOf(architecture).defaults), ...place.loaded.config } as HfConfig;
  for (const f of validOverrides) config[f.key] = f.value;
  // Cross-key checks need valid single values; invalid overrides were left out above.
  if (fileIsValid) checkMergedConfig(config, validOverrides, place, out);
  const tokenizer = tokenizerOf(architecture, namedTokenizer, weights);
  if (ctx.needsTokenizer && tokenizer.kind === 'none' && !(draft.tokenizer && !namedTokenizer)) {
    // Said where the model is named (`config: Qwen/Qwen2.5-0.5B`), unless `tokenizer:` is already reported.
    const at = (fromField ?? draft.fields.get('config'))?.valueRange ?? draft.weights?.field.valueRange ?? entryStart;
    out.error('no-tokenizer', `${tokenizer.reason}, so this model cannot tokenize the prompts`, at);
  }
  const name = draft.name;
  if (out.hasErrors || name === undefined) return { spec: null, diagnostics: out.items };

  const settings = resolveRunSettings(draft.fields, ctx.defaults, weights !== undefined, ctx.toleranceDefaults);
  // Whether the model can be patched this way at all comes first: its mode matters only if it is patched.
  const unfit = settings.patch && patchKindProblem(architecture, settings.patch.kind);
  const ownPatch = draft.fields.get('patch');
  if (unfit && ownPatch) {
    out.error('patching-not-supported', patchKindRefused(unfit), ownPatch.valueRange);
    return { spec: null, diagnostics: out.items };
  }
  if (unfit) {
    // Asked at the top of the file for every model: the ones with cross-attention are patched, this one is not.
    out.warning(PATCH_SKIPPED, patchKindSkipped(name, unfit, 'at the top of the file'), entryStart);
    delete settings.patch;
  }
  const random = settings.patch && patchingInTrainMode(config, settings.mode, settings.patch.kind);
  if (random) {
    // Said at `mode: train` when the entry writes it (the quick fix changes it), else at its `patch:`, else the entry.
    const modeField = draft.fields.get('mode');
    const at = modeField?.valueRange ?? draft.fields.get('patch')?.keyRange ?? entryStart;
    const fix = modeField ? { target: 'value' as const, key: 'mode', texts: ['eval'], closeMatch: true } : undefined;
    out.error('patching-needs-eval', random, at, fix);
    return { spec: null, diagnostics: out.items };
  }
  const spec: ModelSpec = {
    name,
    architecture,
    config,
    configSource: place.loaded.source,
    ...(weights ? { weights: weights.path } : {}),
    ...(hub && draft.hub
      ? {
          hub: {
            repoId: hub.plan.repoId,
            revision: hub.plan.revision,
            commit: hub.plan.commit,
            range: draft.hub.range,
            plan: hub.plan,
          },
        }
      : {}),
    seed: settings.seed,
    mode: settings.mode,
    dropout: settings.dropout,
    addSpecialTokens: settings.addSpecialTokens,
    atol: settings.atol,
    rtol: settings.rtol,
    ...(settings.patch ? { patch: settings.patch } : {}),
    ...(settings.lens !== undefined ? { lens: settings.lens } : {}),
    ...(settings.heads !== undefined ? { heads: settings.heads } : {}),
    tokenizer,
    range: entry.range,
  };
  return { spec, diagnostics: out.items };
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
    out.error(problem.code, problem.message, range, problem.suggestion);
    return false;
  });
}

/** Without a config the architecture is unknown: only keys that belong to no architecture can be judged. */
function checkOverridesWithoutArchitecture(overrides: EntryField[], out: DiagnosticList): void {
  const known = (key: string) =>
    ARCHITECTURES.some((a) => {
      const m = moduleOf(a);
      return configKeyTable(a).has(key) || Object.hasOwn(m.refusedKeys, key) || Object.hasOwn(m.keyAliases, key);
    }) || key === 'model_type';
  const candidates = new Set([
    ...MODEL_ENTRY_KEY_NAMES,
    ...RUN_SETTING_KEYS,
    ...ARCHITECTURES.flatMap((a) => [...configKeyTable(a).keys()]),
  ]);
  for (const f of overrides) {
    if (known(f.key)) continue;
    const guess = closestMatch(f.key, candidates);
    out.error(
      'unknown-key',
      `\`${f.key}\` is not a model-entry key nor a config key of any architecture${guess ? `; did you mean \`${guess}\`?` : ''}`,
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
    patch: patchOf(get('patch'), get('patch_target')),
    ...readOutSettings(get('lens') as boolean | number | undefined, get('heads') as number | undefined),
  };
}

/** `patch:` and `patch_target:` (values already checked); no patching without `patch:`. */
function patchOf(kind: unknown, target: unknown): ModelSpec['patch'] {
  const known = PATCH_KINDS.find((k) => k === kind);
  if (!known) return undefined;
  return { kind: known, target: typeof target === 'number' ? target : RUN_SETTING_DEFAULTS.patch_target };
}

/** `lens:` (true = the default k, false = none) and `heads:` as the spec holds them; absent when not asked for. */
function readOutSettings(
  lens: boolean | number | undefined,
  heads: number | undefined,
): Pick<RunSettings, 'lens' | 'heads'> {
  const k = lens === true ? LENS_DEFAULT_K : typeof lens === 'number' ? lens : undefined;
  return { ...(k !== undefined ? { lens: k } : {}), ...(heads !== undefined ? { heads } : {}) };
}
