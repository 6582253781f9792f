/**
 * The front matter read line by line, for completion and key hover: they must work while the YAML is half
 * typed and the parser's tree is not there. Which map a line belongs to (the top, a model entry, a case)
 * follows from indentation, as YAML's block style has it.
 */
import { ARCHITECTURE_LABEL, PRESETS } from '../lab/config';
import { ARCHITECTURES } from '../lab/models/registry';
import type { Architecture } from '../lab/types';
import type { PromptAnalysis } from './documents';

/** A line that holds (or is starting) a key: indentation, list dashes, the key. */
const KEY_LINE = /^(\s*)((?:-\s+)*)([A-Za-z_][\w.-]*)?/;

export interface LineShape {
  /** Column where the key starts (indentation and `- ` included). */
  keyColumn: number;
  key?: string;
  startsItem: boolean;
}

export function shapeOf(line: string): LineShape | undefined {
  if (line.trim() === '' || line.trimStart().startsWith('#')) return undefined;
  const m = KEY_LINE.exec(line);
  if (!m) return undefined;
  const rest = line.slice(m[0].length);
  return {
    keyColumn: m[1].length + m[2].length,
    key: m[3] !== undefined && /^\s*:/.test(rest) ? m[3] : undefined,
    startsItem: m[2] !== '',
  };
}

export type MapKind = 'top' | 'entry' | 'case';

export class FrontMatterLines {
  private constructor(
    readonly lines: readonly string[],
    /** The first line after the front matter (the closing `---`, or the end of the file). */
    readonly end: number,
  ) {}

  static of(analysis: PromptAnalysis): FrontMatterLines | undefined {
    const frontMatter = analysis.outline.frontMatter;
    if (!frontMatter) return undefined;
    const end = frontMatter.closed ? frontMatter.range.end.line : frontMatter.range.end.line + 1;
    return new FrontMatterLines(analysis.text.split(/\r\n|\r|\n/), end);
  }

  contains(line: number): boolean {
    return line >= 1 && line < this.end;
  }

  /** The key of the nearest line above that is less indented: what the map at `keyColumn` belongs to. */
  parentKey(line: number, keyColumn: number): string | undefined {
    for (let l = line - 1; l >= 1; l--) {
      const shape = shapeOf(this.lines[l]);
      if (shape && shape.keyColumn < keyColumn) return shape.key;
    }
    return undefined;
  }

  /** The map a key at (`line`, `keyColumn`) belongs to. */
  mapAt(line: number, keyColumn: number): MapKind | undefined {
    if (keyColumn === 0) return 'top';
    const parent = this.parentKey(line, keyColumn);
    return parent === 'models' ? 'entry' : parent === 'cases' ? 'case' : undefined;
  }

  /** The lines of the list item at `line` (from its `- ` line to the next item or a shallower line). */
  itemLines(line: number, keyColumn: number): string[] {
    let first = line;
    while (first > 1) {
      const shape = shapeOf(this.lines[first]);
      if (shape && (shape.startsItem || shape.keyColumn < keyColumn)) break;
      first--;
    }
    let last = line + 1;
    while (last < this.end) {
      const shape = shapeOf(this.lines[last]);
      if (shape && (shape.startsItem || shape.keyColumn < keyColumn)) break;
      last++;
    }
    return this.lines.slice(first, last);
  }

  /** The keys written at `keyColumn` among `lines`. */
  static presentKeys(lines: readonly string[], keyColumn: number): Set<string> {
    return new Set(
      lines
        .map(shapeOf)
        .filter((s) => s?.keyColumn === keyColumn && s.key)
        .map((s) => s!.key!),
    );
  }
}

/**
 * The architecture of the model entry at `line`: the resolved model's when its entry resolves, else what
 * its `config:` line says (a preset, or a name that holds an architecture's name, `gpt2` or `llama`), else
 * every architecture, each labelled.
 */
export function architecturesAt(analysis: PromptAnalysis, line: number, entry: readonly string[]): Architecture[] {
  // The entry's resolved model: by place, or by name (a blank line being typed on may lie past the entry's range).
  const name = entryValueOf(entry, 'name');
  const resolved =
    analysis.modelsSoFar.find((m) => m.range.start.line <= line && line <= m.range.end.line) ??
    analysis.modelsSoFar.find((m) => name !== undefined && m.name === name);
  if (resolved) return [resolved.architecture];
  const value = configValueOf(entry);
  if (value !== undefined) {
    if (Object.hasOwn(PRESETS, value)) return [PRESETS[value].model_type];
    const lower = value.toLowerCase();
    const named = ARCHITECTURES.filter(
      (a) => lower.includes(a) || lower.includes(ARCHITECTURE_LABEL[a].toLowerCase().replace(/\W/g, '')),
    );
    if (named.length > 0) return named;
  }
  return [...ARCHITECTURES];
}

/** What the entry's `config:` line says, as written. */
export function configValueOf(entry: readonly string[]): string | undefined {
  return entryValueOf(entry, 'config');
}

/** What one of the entry's lines `key: value` says, as written (a word, without quotes or comment). */
function entryValueOf(entry: readonly string[], key: string): string | undefined {
  const pattern = new RegExp(`^\\s*(?:-\\s+)?${key}:\\s*["']?([^"'#\\s]+)`);
  for (const text of entry) {
    const value = pattern.exec(text)?.[1];
    if (value !== undefined) return value;
  }
  return undefined;
}
