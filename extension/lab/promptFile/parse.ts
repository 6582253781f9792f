/**
 * `.prompt` file → Experiment. Never throws for a user's mistake: every problem it can find
 * becomes a diagnostic with its place, and `experiment` is null when any of them is an error.
 */
import { dirname, resolve } from 'node:path';
import { DiagnosticList } from '../config/diagnostics';
import { resolveModelSpec, type ModelEntry } from '../config/resolve';
import { nodeFileAccess, type FileAccess } from '../config/sources';
import { LabInputError, type Experiment, type LabDiagnostic, type ModelSpec } from '../types';
import { parseBody } from './body';
import { MODELS_EXAMPLE, parseFrontMatterYaml, readFrontMatter } from './frontMatter';
import { TextPositions, layoutOf, lineRange } from './layout';

export type ParseOptions = Partial<FileAccess> & {
  /** Tolerances used where the file sets none (the editor's `perturbationLab.defaultAtol` / `defaultRtol`). */
  toleranceDefaults?: { atol?: number; rtol?: number };
};

export interface ParseResult {
  experiment: Experiment | null;
  /** Errors and warnings, in file order. */
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
  const source = withoutBom(text);
  const out = new DiagnosticList(file);
  const layout = layoutOf(source);
  const positions = new TextPositions(source);
  const models: ModelSpec[] = [];
  const finish = (experiment: Experiment | null): ParseResult => ({
    experiment: out.hasErrors ? null : experiment,
    diagnostics: inFileOrder(out.items),
    models,
  });

  if (!layout.hasFrontMatter) {
    out.error('no-front-matter', NO_FRONT_MATTER, lineRange(0, layout.lines[0].length));
    return finish(null);
  }
  if (layout.closingLine === undefined) {
    // Without the closing line YAML would read the prompts as YAML: one clear error instead of many strange ones.
    out.error(
      'unclosed-front-matter',
      'the front matter that starts here has no closing `---` line: end it with a line of three dashes and write the prompts below it',
      lineRange(0, layout.lines[0].length),
    );
    return finish(null);
  }

  const yaml = parseFrontMatterYaml(layout, positions, out);
  // After a syntax error YAML's tree is a guess: checking its keys would only add noise.
  const front = readFrontMatter(yaml.doc, layout, positions, yaml.broken ? new DiagnosticList(file) : out);
  const body = parseBody(layout.lines, layout.bodyStartLine, out);
  if (yaml.broken) return finish(null);

  checkUniqueNames(front.entries, out);
  const { toleranceDefaults, ...fileOptions } = options;
  const files: FileAccess = { ...nodeFileAccess, ...fileOptions };
  for (const entry of front.entries) {
    const resolved = resolveModelSpec(entry, {
      file,
      baseDir: dirname(resolve(file)),
      files,
      defaults: front.defaults,
      toleranceDefaults,
    });
    out.items.push(...resolved.diagnostics);
    if (resolved.spec) models.push(resolved.spec);
  }

  const cases = [...front.cases, ...body.cases];
  // An orphan variant is already an error of its own; "no prompts" is for a body with none at all.
  const hasPromptLines = body.lines.some((l) => l.kind === 'base' || l.kind === 'variant');
  if (cases.length === 0 && !hasPromptLines) {
    out.error(
      'no-cases',
      'this file has no prompts: below the closing `---`, write a prompt on one line and its variants on lines starting with `~ ` (or add a `cases:` list to the front matter)',
      lineRange(layout.closingLine, layout.lines[layout.closingLine].length),
    );
  }
  return finish({ file, models, cases });
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

function inFileOrder(diagnostics: LabDiagnostic[]): LabDiagnostic[] {
  return [...diagnostics].sort(
    (a, b) => a.range.start.line - b.range.start.line || a.range.start.column - b.range.start.column,
  );
}

/** Read and parse a `.prompt` file; throws LabInputError (with every diagnostic) when it has an error. */
export function loadExperiment(path: string, options: ParseOptions = {}): Experiment {
  const files: FileAccess = { ...nodeFileAccess, ...options };
  const text = files.readFile(path);
  if (text === undefined) {
    throw new LabInputError([
      {
        severity: 'error',
        code: 'file-not-found',
        message: `cannot read ${resolve(path)}`,
        file: path,
        range: lineRange(0, 0),
      },
    ]);
  }
  const { experiment, diagnostics } = parsePromptFile(text, path, options);
  if (!experiment) throw new LabInputError(diagnostics);
  return experiment;
}
