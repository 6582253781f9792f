/**
 * Edits of the front matter, for the quick fixes and the panel's FIX: set a key of one model, replace a
 * value or a misspelt key, remove a key. They work on the places the parser's outline gives (YAML's own
 * ranges) and touch only the text they change, so indentation and comments stay as the user wrote them.
 */
import type { Position, Range, TextEdit } from 'vscode-languageserver';
import type { EntryField } from '../lab/config';
import { RUN_SETTINGS } from '../lab/config';
import type { KeyPlace, OutlineModel } from '../lab/promptFile';
import type { FrontMatterScalar } from '../protocol/lsp';
import type { PromptAnalysis } from './documents';
import { toLspRange } from './ranges';

const RUN_SETTING_KEYS = new Set(RUN_SETTINGS.map((s) => s.key));

/** Words YAML would read as something other than text (booleans, null, YAML 1.1's yes/no). */
const YAML_WORDS = /^(true|false|null|~|yes|no|on|off|y|n)$/i;

/** A value as it is written in the front matter: plain where YAML reads it back as the same text. */
export function yamlScalar(value: FrontMatterScalar): string {
  if (value === null) return 'null';
  if (typeof value !== 'string') return String(value);
  const plain = /^[A-Za-z_./][\w./-]*$/.test(value) && !YAML_WORDS.test(value);
  return plain ? value : JSON.stringify(value);
}

export class FrontMatterText {
  readonly lines: string[];
  readonly eol: string;

  constructor(readonly analysis: PromptAnalysis) {
    this.lines = analysis.text.split(/\r?\n/);
    this.eol = analysis.text.includes('\r\n') ? '\r\n' : '\n';
  }

  /** The model entry named `model`, as the outline has it. */
  entry(model: string): OutlineModel | undefined {
    return this.analysis.outline.models.find((m) => m.name === model);
  }

  /** The text a range covers (single-line ranges; the parser's key and value places). */
  textAt(range: Range): string {
    if (range.start.line !== range.end.line) return '';
    return (this.lines[range.start.line] ?? '').slice(range.start.character, range.end.character);
  }

  /** Give `field` the value `text`: the written value replaced, or an empty `key:` completed. */
  setValue(field: KeyPlace, text: string): TextEdit {
    if (!hasValue(field)) {
      const line = this.lines[field.keyRange.end.line] ?? '';
      const colon = line.indexOf(':', field.keyRange.end.column);
      const at: Position = { line: field.keyRange.end.line, character: colon < 0 ? line.length : colon + 1 };
      return { range: { start: at, end: at }, newText: `${colon < 0 ? ':' : ''} ${text}` };
    }
    return { range: toLspRange(field.valueRange), newText: text };
  }

  /** Add `key: text` to a model entry, after its last key and at its keys' indentation (inside `{ }` for a flow map). */
  addKey(entry: OutlineModel, key: string, text: string): TextEdit | undefined {
    const first = entry.fields[0];
    if (!first) return undefined;
    const last = entry.fields.reduce((a, b) => (after(b.valueRange.end, a.valueRange.end) ? b : a));
    const entryStart = toLspRange(entry.range).start;
    if ((this.lines[entryStart.line] ?? '')[entryStart.character] === '{') {
      const at = toLspRange(last.valueRange).end;
      return { range: { start: at, end: at }, newText: `, ${key}: ${text}` };
    }
    // A nested block value's range can end at the start of the next line: the entry ends on the line before.
    const end = entry.range.end;
    const lastLine = end.column === 0 && end.line > entry.range.start.line ? end.line - 1 : end.line;
    const at: Position = { line: lastLine, character: (this.lines[lastLine] ?? '').length };
    const indent = ' '.repeat(first.keyRange.start.column);
    return { range: { start: at, end: at }, newText: `${this.eol}${indent}${key}: ${text}` };
  }

  /** Delete the lines of `key: value` when the key starts its own line (not the `- ` line of an entry). */
  removeKey(field: EntryField): TextEdit | undefined {
    const line = this.lines[field.keyRange.start.line] ?? '';
    if (line.slice(0, field.keyRange.start.column).trim() !== '') return undefined;
    const start: Position = { line: field.keyRange.start.line, character: 0 };
    const endLine = Math.max(field.keyRange.end.line, field.valueRange.end.line) + 1;
    const end: Position =
      endLine < this.lines.length
        ? { line: endLine, character: 0 }
        : { line: endLine - 1, character: (this.lines[endLine - 1] ?? '').length };
    return { range: { start, end }, newText: '' };
  }

  /**
   * Set `key: value` for model `model`. Where the entry writes the key, its value changes; a run setting
   * written at the top changes there when no other model inherits it (else the entry gets its own); any
   * other key is added to the entry. An empty list means it is already so.
   */
  setModelKey(model: string, key: string, value: FrontMatterScalar): TextEdit[] | { error: string } {
    const entry = this.entry(model);
    if (!entry) return { error: `the file has no model named ${model} (any more)` };
    const text = yamlScalar(value);
    const own = entry.fields.find((f) => f.key === key);
    if (own) return this.textAt(toLspRange(own.valueRange)) === text ? [] : [this.setValue(own, text)];
    const top = this.analysis.outline.topLevel.find((f) => f.key === key);
    if (top && RUN_SETTING_KEYS.has(key)) {
      const inheriting = this.analysis.outline.models.filter((m) => !m.fields.some((f) => f.key === key));
      if (inheriting.length === 1 && inheriting[0] === entry)
        return this.textAt(toLspRange(top.valueRange)) === text ? [] : [this.setValue(top, text)];
    }
    const added = this.addKey(entry, key, text);
    return added ? [added] : { error: `the entry of ${model} has no keys to add \`${key}\` beside` };
  }
}

/** `key:` with nothing after it: the parser then places the value on the key. */
function hasValue(field: KeyPlace): boolean {
  const { keyRange, valueRange } = field;
  return !(
    keyRange.start.line === valueRange.start.line &&
    keyRange.start.column === valueRange.start.column &&
    keyRange.end.line === valueRange.end.line &&
    keyRange.end.column === valueRange.end.column
  );
}

function after(a: { line: number; column: number }, b: { line: number; column: number }): boolean {
  return a.line > b.line || (a.line === b.line && a.column > b.column);
}
