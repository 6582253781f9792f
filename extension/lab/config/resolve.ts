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
 * A `from:` entry (`hubEntry.ts`) is text in phase 1; in phase 2 a `HubPlanner` finds its plan (the Hugging
 * Face cache, else the Hub's listing and config.json) and it finishes as `weights:` its snapshot folder would.
 */
import { resolve as resolvePath } from 'node:path';
import { hubSettings, planModel } from '../hub';
import type { LabDiagnostic, ModelSpec, SourceRange } from '../types';
import { checkValue, isText, type ValueCheck } from './checks';
import { DiagnosticList } from './diagnostics';
import { finishModelEntry } from './finishEntry';
import {
  inspectTokenizer,
  inspectWeights,
  loadConfigPath,
  nodeModelFileReader,
  readConfigFile,
  type InspectedTokenizer,
  type InspectedWeights,
  type ModelFileReader,
} from './modelFiles';
import { draftHubRef, loadHubSource, type HubPlanner, type HubRef, type HubSource } from './hubEntry';
import { checkRunSetting } from './runSettings';
import { configRefOf, presetMeant, weightsPathOf, type ConfigRef, type LoadedConfig, type Sourced } from './sources';

export { finishModelEntry };
export type { HubPlanner, HubRef, HubSource };

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
  /**
   * Whether the model must have a tokenizer (a prompt file's models tokenize its prompts; the command line's
   * `states --ids` and `export` need none): a model without one is then an error on its entry.
   */
  needsTokenizer?: boolean;
}

export interface Resolved {
  spec: ModelSpec | null;
  diagnostics: LabDiagnostic[];
}

/** A path an entry names, to be opened in the second phase (and checked against workspace trust first). */
export interface FileRef {
  /** The model's name as written (for messages), when it is text. */
  model?: string;
  key: PathKey;
  /** Absolute. */
  path: string;
  /** The key's value: where problems with the file are reported. */
  range: SourceRange;
  /** For `config:`, the preset the value was probably meant to be (`gtp2` → `gpt2`); said where the path is not opened. */
  presetMeant?: string;
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
  /** `tokenizer:` when present: its path, or undefined when its value is already reported. */
  readonly tokenizer?: { field: EntryField; path?: string };
  /** The paths phase 2 opens; empty when the entry names presets only. */
  readonly files: FileRef[];
  /** `from:` when its value (and `revision:`'s) is valid: phase 2 asks the cache or the Hub about it. */
  readonly hub?: HubRef;
}

/** What phase 2 read, by role. Absent members were not asked for. */
export interface EntryFiles {
  config?: Sourced<LoadedConfig>;
  weights?: Sourced<InspectedWeights>;
  folderConfig?: Sourced<LoadedConfig>;
  tokenizer?: Sourced<InspectedTokenizer>;
  /** `from:`: the model's plan and the repo's config. */
  hub?: Sourced<HubSource>;
}

/** The keys of a model entry whose value is a path. */
export type PathKey = 'config' | 'weights' | 'tokenizer';

/** Phase 1: everything the entry says by itself. Opens nothing. */
export function draftModelEntry(entry: ModelEntry, ctx: ResolveContext): EntryDraft {
  const out = new DiagnosticList(ctx.file);
  const fields = new Map(entry.fields.map((f) => [f.key, f]));
  const entryStart: SourceRange = { start: entry.range.start, end: entry.range.start };
  const name = resolveName(fields.get('name'), entryStart, out);
  for (const f of entry.fields) {
    const problem = checkRunSetting(f.key, f.value);
    if (problem) out.error(problem.code, problem.message, f.valueRange, problem.suggestion);
  }
  const files: FileRef[] = [];
  const model = typeof fields.get('name')?.value === 'string' ? (fields.get('name')!.value as string) : undefined;
  const hub = draftHubRef(fields, model, out);
  if (fields.has('from')) {
    // `config:` and `weights:` beside `from:` are reported as excluded: none of their paths is recorded or opened.
    return { entry, ctx, diagnostics: out.items, name, fields, files, ...(hub ? { hub } : {}) };
  }

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

  let tokenizer: EntryDraft['tokenizer'];
  const tokenizerField = fields.get('tokenizer');
  if (tokenizerField) {
    let path: string | undefined;
    if (checkPathText({ ...tokenizerField, key: 'tokenizer' }, out)) {
      path = resolvePath(ctx.baseDir, tokenizerField.value as string);
      files.push({ model, key: 'tokenizer', path, range: tokenizerField.valueRange });
    }
    tokenizer = { field: tokenizerField, path };
  }

  let config: EntryDraft['config'];
  const configField = fields.get('config');
  if (configField && checkPathText({ ...configField, key: 'config' }, out)) {
    const ref = configRefOf(configField.value as string, ctx.baseDir);
    if (ref.kind === 'path') {
      const meant = presetMeant(ref.written);
      files.push({
        model,
        key: 'config',
        path: ref.path,
        range: configField.valueRange,
        ...(meant ? { presetMeant: meant } : {}),
      });
    }
    config = { field: configField, ref };
  }
  return { entry, ctx, diagnostics: out.items, name, fields, config, weights, tokenizer, files };
}

/**
 * Phase 2's reads: the `config:` file, the weights and the weights folder's config.json — or, for `from:`, the
 * model's plan through `planner` (the cache or the Hub; without a planner, the environment's Hub settings).
 */
export async function loadEntryFiles(
  draft: EntryDraft,
  reader: ModelFileReader,
  planner: HubPlanner = environmentPlanner,
): Promise<EntryFiles> {
  if (draft.hub) {
    // An entry whose own text is wrong costs no request.
    if (draft.diagnostics.some((d) => d.severity === 'error')) return {};
    const hub = await loadHubSource(draft.hub, planner);
    return draft.tokenizer?.path ? { hub, tokenizer: await inspectTokenizer(draft.tokenizer.path, reader) } : { hub };
  }
  const files: EntryFiles = {};
  if (draft.weights?.path) files.weights = await inspectWeights(draft.weights.path, reader);
  if (draft.tokenizer?.path) files.tokenizer = await inspectTokenizer(draft.tokenizer.path, reader);
  const ref = draft.config?.ref;
  if (ref?.kind === 'path') files.config = await loadConfigPath(ref.path, ref.written, reader);
  const folderConfig = files.weights && 'ok' in files.weights ? files.weights.ok.folderConfig : undefined;
  if (!draft.fields.has('config') && folderConfig) files.folderConfig = await readConfigFile(folderConfig, reader);
  return files;
}

/** Plans a `from:` model with the Hub settings of the environment (`HF_ENDPOINT`, `HF_HUB_OFFLINE`, …). */
export const environmentPlanner: HubPlanner = (ref) => planModel(ref, hubSettings());

/** Both phases, for callers that may open files at once (the CLI's `--config`, tests). */
export async function resolveModelSpec(
  entry: ModelEntry,
  ctx: ResolveContext,
  reader: ModelFileReader = nodeModelFileReader,
  planner?: HubPlanner,
): Promise<Resolved> {
  const draft = draftModelEntry(entry, ctx);
  return finishModelEntry(draft, await loadEntryFiles(draft, reader, planner));
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

const PATH_VALUES: Record<PathKey, ValueCheck> = {
  config: { ...isText, example: 'a preset (`gpt2`, `bert-base-uncased`) or the path of a config.json' },
  weights: { ...isText, example: 'the path of a .safetensors file or of a Hugging Face folder' },
  tokenizer: { ...isText, example: 'the path of a folder with tokenizer.json, or of that tokenizer.json' },
};

/** A path-valued key must be text; the problem goes on the value. */
function checkPathText(f: EntryField & { key: PathKey }, out: DiagnosticList): boolean {
  if (f.value === null || f.value === undefined) {
    out.error('bad-value', checkValue(f.key, f.value, PATH_VALUES[f.key])!, f.valueRange);
    return false;
  }
  const bad = checkValue(f.key, f.value, isText);
  if (bad)
    out.error('bad-value', `${bad} (${f.key === 'config' ? 'a preset name or a path' : 'a path'})`, f.valueRange);
  return !bad;
}
