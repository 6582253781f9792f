/**
 * Completion in the front matter, from the engine's key tables (KNOWN_KEYS), so what is offered
 * is exactly what the parser accepts: top-level keys at the left margin, model-entry keys and
 * the Hugging Face config keys of the entry's architecture inside `models:`, case keys inside
 * `cases:`, and the few-word values (`mode: eval`, a preset after `config:`).
 * Works on the raw lines: while typing, the YAML is usually not valid yet.
 */
import { CompletionItemKind, MarkupKind, type CompletionItem, type Position } from 'vscode-languageserver';
import { PRESETS } from '../lab/config';
import { KNOWN_KEYS, type KeyDoc } from '../lab/promptFile';
import type { Architecture } from '../lab/types';
import type { PromptAnalysis } from './documents';

/** A line that holds (or is starting) a key: indentation, list dashes, the key. */
const KEY_LINE = /^(\s*)((?:-\s+)*)([A-Za-z_][\w.-]*)?/;

interface LineShape {
  /** Column where the key starts (indentation and `- ` included). */
  keyColumn: number;
  key?: string;
  startsItem: boolean;
}

function shapeOf(line: string): LineShape | undefined {
  if (line.trim() === '' || line.trimStart().startsWith('#')) return undefined;
  const m = KEY_LINE.exec(line);
  if (!m) return undefined;
  const rest = line.slice(m[0].length);
  return {
    keyColumn: m[1].length + m[2].length,
    key: m[3] !== undefined && rest.startsWith(':') ? m[3] : undefined,
    startsItem: m[2] !== '',
  };
}

/** The key of the nearest line above that is less indented: what the cursor's map belongs to. */
function parentKey(lines: readonly string[], line: number, keyColumn: number): string | undefined {
  for (let l = line - 1; l >= 1; l--) {
    const shape = shapeOf(lines[l]);
    if (shape && shape.keyColumn < keyColumn) return shape.key;
  }
  return undefined;
}

/** The lines of the list item the cursor is in (from its `- ` line to the next item or a shallower line). */
function itemLines(lines: readonly string[], line: number, keyColumn: number, end: number): string[] {
  let first = line;
  while (first > 1) {
    const shape = shapeOf(lines[first]);
    if (shape && (shape.startsItem || shape.keyColumn < keyColumn)) break;
    first--;
  }
  let last = line + 1;
  while (last < end) {
    const shape = shapeOf(lines[last]);
    if (shape && (shape.startsItem || shape.keyColumn < keyColumn)) break;
    last++;
  }
  return lines.slice(first, last);
}

function architecturesOf(entry: readonly string[]): Architecture[] {
  for (const line of entry) {
    const value = /^\s*(?:-\s+)?config:\s*["']?([^"'#\s]+)/.exec(line)?.[1];
    if (!value) continue;
    const preset = Object.hasOwn(PRESETS, value) ? PRESETS[value].model_type : undefined;
    if (preset) return [preset];
    if (/gpt2/i.test(value)) return ['gpt2'];
    if (/bert/i.test(value)) return ['bert'];
  }
  return ['bert', 'gpt2']; // not known yet: offer both, each labelled
}

function keyItem(doc: KeyDoc, detail: string, sortGroup: string): CompletionItem {
  return {
    label: doc.key,
    kind: CompletionItemKind.Property,
    detail,
    documentation: { kind: MarkupKind.Markdown, value: doc.doc },
    insertText: `${doc.key}: `,
    sortText: `${sortGroup}${doc.key}`,
  };
}

function presentKeys(lines: readonly string[], keyColumn: number): Set<string> {
  return new Set(
    lines
      .map(shapeOf)
      .filter((s) => s?.keyColumn === keyColumn && s.key)
      .map((s) => s!.key!),
  );
}

export function provideCompletion(analysis: PromptAnalysis, position: Position): CompletionItem[] {
  const frontMatter = analysis.outline.frontMatter;
  if (!frontMatter) return [];
  const end = frontMatter.closed ? frontMatter.range.end.line : frontMatter.range.end.line + 1;
  if (position.line < 1 || position.line >= end) return [];
  // Lines as LSP counts them (a lone `\r` ends one too), the same lines the parser's ranges use.
  const lines = analysis.text.split(/\r\n|\r|\n/);
  const before = lines[position.line].slice(0, position.character);

  // `key: ` followed by a partial value: the value's choices.
  const valueMatch = /^\s*(?:-\s+)*([A-Za-z_][\w.-]*):\s+([\w.-]*)$/.exec(before);
  if (valueMatch) return valueItems(valueMatch[1]);

  const typing = /^(\s*)((?:-\s+)*)([A-Za-z_][\w.-]*)?$/.exec(before);
  if (!typing) return [];
  const keyColumn = typing[1].length + typing[2].length;
  if (keyColumn === 0) {
    const present = presentKeys(lines.slice(1, end), 0);
    return KNOWN_KEYS.topLevel
      .filter((k) => !present.has(k.key) || k.key === typing[3])
      .map((k) => keyItem(k, 'front matter', '1'));
  }
  const parent = parentKey(lines, position.line, keyColumn);
  const item = itemLines(lines, position.line, keyColumn, end);
  const present = presentKeys(item, keyColumn);
  const fresh = (k: KeyDoc) => !present.has(k.key) || k.key === typing[3];
  if (parent === 'cases') return KNOWN_KEYS.case.filter(fresh).map((k) => keyItem(k, 'case', '1'));
  if (parent !== 'models') return [];
  const items = KNOWN_KEYS.modelEntry.filter(fresh).map((k) => keyItem(k, 'model entry', '1'));
  const offered = new Set(items.map((i) => i.label));
  for (const architecture of architecturesOf(item)) {
    for (const info of KNOWN_KEYS.config[architecture].filter(fresh)) {
      if (offered.has(info.key)) continue; // a key both architectures have, offered once
      offered.add(info.key);
      // Keys that change the forward pass first; informational ones after them.
      items.push(
        keyItem(
          info,
          `${architecture} config${info.affectsForward ? '' : ' (does not change hidden states)'}`,
          info.affectsForward ? '2' : '3',
        ),
      );
    }
  }
  return items;
}

function valueItems(key: string): CompletionItem[] {
  const doc = [...KNOWN_KEYS.topLevel, ...KNOWN_KEYS.modelEntry].find((k) => k.key === key);
  return (doc?.values ?? []).map((value) => ({
    label: value,
    kind: CompletionItemKind.Value,
    detail: key,
    documentation: { kind: MarkupKind.Markdown, value: doc!.doc },
  }));
}
