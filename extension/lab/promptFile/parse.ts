/**
 * `.prompt` file → Experiment, in two phases so that no file is opened before the caller allows it:
 *  - `parsePromptFile` (pure, no I/O): the text itself — grammar, keys, values, presets. Paths that
 *    `config:` and `weights:` name are only recorded (`files`), for a trust check to look at.
 *  - `loadModelFiles` (I/O): opens those files and finishes the models, its problems still placed on
 *    the entries' `config:`/`weights:` values.
 * Neither throws for a user's mistake: every problem is a diagnostic with its place, and `experiment`
 * is null when any of them is an error.
 */
import { dirname, resolve } from 'node:path';
import { DiagnosticList } from '../config/diagnostics';
import { nodeModelFileReader, type ModelFileReader } from '../config/modelFiles';
import {
  draftModelEntry,
  environmentPlanner,
  finishModelEntry,
  loadEntryFiles,
  type EntryDraft,
  type FileRef,
  type HubPlanner,
  type HubRef,
  type ModelEntry,
  type Resolved,
} from '../config/resolve';
import { UserFileError, readRegularFile } from '../io';
import { LabInputError, type Experiment, type LabDiagnostic, type ModelSpec, type PromptCase } from '../types';
import { parseBody } from './body';
import { MODELS_EXAMPLE, parseFrontMatterYaml, readFrontMatter } from './frontMatter';
import { TextPositions, layoutOf, lineRange, normalizeLineBreaks } from './layout';

export interface ParseOptions {
  /** Tolerances used where the file sets none (the editor's `perturbationLab.defaultAtol` / `defaultRtol`). */
  toleranceDefaults?: { atol?: number; rtol?: number };
}

/** One model entry between the phases: its draft, and its result once finished. */
interface PendingEntry {
  draft: EntryDraft;
  resolved?: Resolved;
}

interface Pending {
  file: string;
  cases: PromptCase[];
  entries: PendingEntry[];
  /** Phase 1's diagnostics that belong to no entry. */
  others: LabDiagnostic[];
}

export interface ParseResult {
  /** Complete when nothing is wrong and no model names a file; otherwise null (then see `loadModelFiles`). */
  experiment: Experiment | null;
  /** Errors and warnings found without opening a file, in file order. */
  diagnostics: LabDiagnostic[];
  /** The entries finished without opening a file (presets only) that have no error of their own. */
  models: ModelSpec[];
  /** The paths the models name, in file order: opened only by `loadModelFiles`, after any trust check. */
  files: FileRef[];
  /** The `from:` models, in file order: looked up (cache, else Hub) only by `loadModelFiles`. */
  hub: HubRef[];
  /** What `loadModelFiles` continues from; null when the front matter could not be read. */
  readonly pending: Pending | null;
}

export interface LoadedPromptFile {
  experiment: Experiment | null;
  /** Every diagnostic of both phases, in file order. */
  diagnostics: LabDiagnostic[];
  /**
   * Every model entry that resolved without an error of its own, also while another part of the file has
   * one: the editor keeps token counts and hovers for them (`experiment.models` when there is no error).
   */
  models: ModelSpec[];
}

const NO_FRONT_MATTER =
  'a .prompt file starts with its front matter: a `---` line, a `models:` list, and a closing `---` line; the prompts follow. For example:\n' +
  `---\n${MODELS_EXAMPLE}\n---\nThe cat sat on the mat\n~ The dog sat on the mat`;

/** Editors hide a byte-order mark; so do we, so that columns on the first line match. */
function withoutBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

export function parsePromptFile(text: string, file: string, options: ParseOptions = {}): ParseResult {
  const source = normalizeLineBreaks(withoutBom(text));
  const out = new DiagnosticList(file);
  const layout = layoutOf(source);
  const positions = new TextPositions(source);
  const unreadable = (): ParseResult => ({
    experiment: null,
    diagnostics: inFileOrder(out.items),
    models: [],
    files: [],
    hub: [],
    pending: null,
  });

  if (!layout.hasFrontMatter) {
    out.error('no-front-matter', NO_FRONT_MATTER, lineRange(0, layout.lines[0].length));
    return unreadable();
  }
  if (layout.closingLine === undefined) {
    // Without the closing line YAML would read the prompts as YAML: one clear error instead of many strange ones.
    out.error(
      'unclosed-front-matter',
      'the front matter that starts here has no closing `---` line: end it with a line of three dashes and write the prompts below it',
      lineRange(0, layout.lines[0].length),
    );
    return unreadable();
  }

  const yaml = parseFrontMatterYaml(layout, positions, out);
  const body = parseBody(layout.lines, layout.bodyStartLine, out);
  // After a syntax error YAML's tree is a guess: checking its keys would only add noise.
  if (yaml.broken) return unreadable();
  const front = readFrontMatter(yaml.doc, layout, positions, out);

  checkUniqueNames(front.entries, out);
  const cases = [...front.cases, ...body.cases];
  // An orphan variant is already an error of its own; "no prompts" is for a body with none at all.
  const hasPromptLines = body.lines.some((l) => l.kind === 'base' || l.kind === 'variant');
  const closing = lineRange(layout.closingLine, layout.lines[layout.closingLine].length);
  if (cases.length === 0 && !hasPromptLines) {
    out.error(
      'no-cases',
      'this file has no prompts: below the closing `---`, write a prompt on one line and its variants on lines starting with `~ ` (or add a `cases:` list to the front matter)',
      closing,
    );
  } else if (cases.length > 0 && cases.every((c) => c.variants.length === 0)) {
    // Each case already has its warning; a run would compare nothing and look like success.
    out.error(
      'no-variants',
      'nothing to compare: no case in this file has a variant. Write each variant on a line starting with `~ ` (a tilde and a space) right below its base',
      closing,
    );
  }

  const ctx = { file, baseDir: dirname(resolve(file)), defaults: front.defaults, needsTokenizer: true, ...options };
  const entries: PendingEntry[] = front.entries.map((entry) => {
    const draft = draftModelEntry(entry, ctx);
    // An entry of presets only is complete now; one that names a file or a Hub model waits for loadModelFiles.
    const waits = draft.files.length > 0 || draft.hub !== undefined;
    return waits ? { draft } : { draft, resolved: finishModelEntry(draft, {}) };
  });
  const pending: Pending = { file, cases, entries, others: out.items };
  return {
    ...assemble(pending),
    files: entries.flatMap((e) => e.draft.files),
    hub: entries.flatMap((e) => (e.draft.hub ? [e.draft.hub] : [])),
    pending,
  };
}

/** The experiment and diagnostics as far as the entries are finished. */
function assemble(pending: Pending): LoadedPromptFile {
  const diagnostics = [...pending.others];
  const models: ModelSpec[] = [];
  let complete = true;
  for (const { draft, resolved } of pending.entries) {
    diagnostics.push(...(resolved ?? draft).diagnostics);
    if (resolved?.spec) models.push(resolved.spec);
    if (!resolved) complete = false;
  }
  const hasErrors = diagnostics.some((d) => d.severity === 'error');
  return {
    experiment: complete && !hasErrors ? { file: pending.file, models, cases: pending.cases } : null,
    diagnostics: inFileOrder(diagnostics),
    models,
  };
}

export interface LoadOptions {
  /**
   * How `from:` models are looked up: the cache alone (offline, Restricted Mode, the editor) or the Hub too
   * (config and file sizes, never a weight). Default: the environment's Hub settings.
   */
  hub?: HubPlanner;
}

/**
 * Phase 2: open the files the models name, look up their `from:` models, and finish them. Call it only once
 * opening them is allowed (the runner checks workspace trust first). Entries of presets only are not touched
 * again. Files are read side by side; Hub models are asked about one at a time, in file order, and only when
 * the text has no error.
 */
export async function loadModelFiles(
  parsed: ParseResult,
  reader: ModelFileReader = nodeModelFileReader,
  options: LoadOptions = {},
): Promise<LoadedPromptFile> {
  const pending = parsed.pending;
  if (!pending) return { experiment: null, diagnostics: parsed.diagnostics, models: [] };
  // The Hub is asked only about a file whose text is right: a mistake costs no request (and no wait).
  const askHub = !parsed.diagnostics.some((d) => d.severity === 'error');
  const planner = oncePerRevision(options.hub ?? environmentPlanner);
  const finish = async (e: PendingEntry): Promise<PendingEntry> => {
    if (e.resolved) return e;
    const files = e.draft.hub && !askHub ? {} : await loadEntryFiles(e.draft, reader, planner);
    return { draft: e.draft, resolved: finishModelEntry(e.draft, files) };
  };
  const fromFiles = await Promise.all(pending.entries.map((e) => (e.draft.hub ? e : finish(e))));
  const entries: PendingEntry[] = [];
  for (const e of fromFiles) entries.push(await finish(e));
  return assemble({ ...pending, entries });
}

/** Entries of one repo at one revision (the seed's three BERTs) share one plan: the Hub is asked once. */
function oncePerRevision(planner: HubPlanner): HubPlanner {
  const plans = new Map<string, ReturnType<HubPlanner>>();
  return (ref) => {
    const key = `${ref.repoId}\0${ref.revision}`;
    let plan = plans.get(key);
    if (!plan) plans.set(key, (plan = planner(ref)));
    return plan;
  };
}

function checkUniqueNames(entries: ModelEntry[], out: DiagnosticList): void {
  const firstLine = new Map<string, number>();
  for (const entry of entries) {
    const name = entry.fields.find((f) => f.key === 'name');
    if (!name || typeof name.value !== 'string') continue;
    const earlier = firstLine.get(name.value);
    if (earlier === undefined) firstLine.set(name.value, name.valueRange.start.line);
    else
      out.error(
        'duplicate-name',
        `a model named \`${name.value}\` is already defined on line ${earlier + 1}; every model needs its own name`,
        name.valueRange,
      );
  }
}

/** Sorted by place; the same problem at the same place once (YAML repeats itself on broken flow maps). */
function inFileOrder(diagnostics: LabDiagnostic[]): LabDiagnostic[] {
  const seen = new Set<string>();
  return diagnostics
    .filter((d) => {
      const key = JSON.stringify([d.severity, d.code, d.message, d.range]);
      return seen.has(key) ? false : (seen.add(key), true);
    })
    .sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.column - b.range.start.column);
}

/**
 * Reads a `.prompt` file (a regular file within the size cap: never a FIFO or a device) and both phases.
 * For the CLI, whose user named the file and everything it points at. Throws LabInputError (with every
 * diagnostic, warnings included) when there is an error.
 */
export async function loadPromptFile(
  path: string,
  options: ParseOptions & LoadOptions = {},
): Promise<{ experiment: Experiment; diagnostics: LabDiagnostic[] }> {
  let text: string;
  try {
    text = (await readRegularFile(path, { limit: 'promptFile', what: 'prompt file' })).toString('utf8');
  } catch (error) {
    if (!(error instanceof UserFileError)) throw error;
    throw new LabInputError([
      { severity: 'error', code: error.problem, message: error.message, file: path, range: lineRange(0, 0) },
    ]);
  }
  const loaded = await loadModelFiles(parsePromptFile(text, path, options), nodeModelFileReader, options);
  if (!loaded.experiment) throw new LabInputError(loaded.diagnostics);
  return { experiment: loaded.experiment, diagnostics: loaded.diagnostics };
}

/** `loadPromptFile`'s experiment. */
export async function loadExperiment(path: string, options: ParseOptions = {}): Promise<Experiment> {
  return (await loadPromptFile(path, options)).experiment;
}
