/**
 * The structure of a `.prompt` file as far as it can be read, for the language server's
 * CodeLens and symbols: they must keep working while the front matter is being edited.
 * Nothing here reads files or reports problems.
 */
import { isMap, type Document } from 'yaml';
import { DiagnosticList } from '../config/diagnostics';
import type { EntryField } from '../config/resolve';
import type { PromptCase, SourceRange } from '../types';
import { parseBody, type BodyLine } from './body';
import { parseFrontMatterYaml, readFrontMatter } from './frontMatter';
import { TextPositions, layoutOf } from './layout';
import { pairKey, pairValueRange } from './yamlNodes';

export interface OutlineModel {
  /** The entry's `name`, when it is text. */
  name?: string;
  range: SourceRange;
  nameRange?: SourceRange;
  /** Every `key: value` of the entry with its place (the editor's quick fixes edit them). */
  fields: EntryField[];
}

export interface PromptFileOutline {
  /** From the opening `---` to the closing one (or to the end of the file when it is missing). */
  frontMatter?: { range: SourceRange; closed: boolean };
  /** The first body line (the line count when there is no body). */
  bodyStartLine: number;
  /** Every body line, classified. */
  bodyLines: BodyLine[];
  /** The cases of `cases:` (as far as YAML could read them), then the body's. */
  cases: PromptCase[];
  models: OutlineModel[];
  /** The top-level keys of the front matter with their places (`models` and `cases` included). */
  topLevel: KeyPlace[];
}

/** Where a `key: value` is, without its value (reading it could fail on a half-written file: an alias, say). */
export type KeyPlace = Pick<EntryField, 'key' | 'keyRange' | 'valueRange'>;

export function outlinePromptFile(text: string): PromptFileOutline {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const layout = layoutOf(source);
  const positions = new TextPositions(source);
  const ignored = new DiagnosticList('');
  const body = parseBody(layout.lines, layout.bodyStartLine, ignored);
  if (!layout.hasFrontMatter)
    return { bodyStartLine: 0, bodyLines: body.lines, cases: body.cases, models: [], topLevel: [] };

  const lastLine = layout.closingLine ?? layout.lines.length - 1;
  const frontMatter = {
    range: { start: { line: 0, column: 0 }, end: { line: lastLine, column: layout.lines[lastLine].length } },
    closed: layout.closingLine !== undefined,
  };
  if (!frontMatter.closed)
    return { frontMatter, bodyStartLine: layout.bodyStartLine, bodyLines: [], cases: [], models: [], topLevel: [] };

  const { doc } = parseFrontMatterYaml(layout, positions, ignored);
  const front = readFrontMatter(doc, layout, positions, ignored);
  const models = front.entries.map((entry): OutlineModel => {
    const name = entry.fields.find((f) => f.key === 'name');
    return typeof name?.value === 'string'
      ? { name: name.value, range: entry.range, nameRange: name.valueRange, fields: entry.fields }
      : { range: entry.range, fields: entry.fields };
  });
  return {
    frontMatter,
    bodyStartLine: layout.bodyStartLine,
    bodyLines: body.lines,
    cases: [...front.cases, ...body.cases],
    models,
    topLevel: topLevelFields(doc, positions),
  };
}

function topLevelFields(doc: Document, positions: TextPositions): KeyPlace[] {
  if (!isMap(doc.contents)) return [];
  const fields: KeyPlace[] = [];
  for (const pair of doc.contents.items) {
    const key = pairKey(pair, positions);
    if (key)
      fields.push({ key: key.name, keyRange: key.range, valueRange: pairValueRange(pair, key.range, positions) });
  }
  return fields;
}
