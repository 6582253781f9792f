/**
 * Completion in the front matter, from the engine's key tables (KNOWN_KEYS) and value checks, so what is
 * offered is exactly what the parser accepts: top-level keys at the left margin, model-entry keys and the
 * Hugging Face config keys of the entry's architecture inside `models:`, case keys inside `cases:`; after
 * `key: ` the values of that key (a preset after `config:`, `train`/`eval` after `mode:`, `true`/`false`
 * after a boolean, the values of an enum that the builder implements). Works on the raw lines: while
 * typing, the YAML is usually not valid yet.
 */
import {
  CompletionItemKind,
  CompletionTriggerKind,
  MarkupKind,
  type CompletionContext,
  type CompletionItem,
  type Position,
} from 'vscode-languageserver';
import { ARCHITECTURE_LABEL, PRESETS } from '../lab/config';
import { KNOWN_KEYS, type KeyDoc } from '../lab/promptFile';
import type { PromptAnalysis } from './documents';
import { FrontMatterLines, architecturesAt } from './frontMatterLines';
import { usableChoices } from './keyDocs';

/** Re-opens the suggestions after a key is inserted, so its values show at once (VS Code's own command). */
const SUGGEST_VALUES = { title: 'Suggest values', command: 'editor.action.triggerSuggest' };

/**
 * Entry keys that cannot stand beside the ones present: `from:` brings its own config and weights, and
 * `revision:` belongs to `from:`.
 */
function excludedBeside(key: string, present: ReadonlySet<string>): boolean {
  if (present.has('from')) return key === 'config' || key === 'weights';
  if (key === 'revision') return true;
  return key === 'from' && (present.has('config') || present.has('weights'));
}

function keyItem(doc: KeyDoc, detail: string, sortGroup: string, hasValues: boolean): CompletionItem {
  return {
    label: doc.key,
    kind: CompletionItemKind.Property,
    detail,
    documentation: { kind: MarkupKind.Markdown, value: doc.doc },
    insertText: `${doc.key}: `,
    sortText: `${sortGroup}${doc.key}`,
    ...(hasValues ? { command: SUGGEST_VALUES } : {}),
  };
}

export function provideCompletion(
  analysis: PromptAnalysis,
  position: Position,
  context?: CompletionContext,
): CompletionItem[] {
  const front = FrontMatterLines.of(analysis);
  if (!front?.contains(position.line)) return [];
  const before = front.lines[position.line].slice(0, position.character);

  // `key: ` followed by a partial value: the value's choices.
  const valueMatch = /^(\s*)((?:-\s+)*)([A-Za-z_][\w.-]*)\s*:\s+([\w./-]*)$/.exec(before);
  if (valueMatch) {
    const keyColumn = valueMatch[1].length + valueMatch[2].length;
    const start = { line: position.line, character: position.character - valueMatch[4].length };
    return valueItems(analysis, front, position.line, keyColumn, valueMatch[3]).map((item) => ({
      ...item,
      textEdit: { range: { start, end: position }, newText: item.label },
    }));
  }
  // The space trigger is for values; a space elsewhere (indentation, prose) asks for nothing.
  if (context?.triggerKind === CompletionTriggerKind.TriggerCharacter) return [];

  const typing = /^(\s*)((?:-\s+)*)([A-Za-z_][\w.-]*)?$/.exec(before);
  if (!typing) return [];
  const keyColumn = typing[1].length + typing[2].length;
  const map = front.mapAt(position.line, keyColumn);
  const lines = keyColumn === 0 ? front.lines.slice(1, front.end) : front.itemLines(position.line, keyColumn);
  const present = FrontMatterLines.presentKeys(lines, keyColumn);
  const fresh = (k: { key: string }) => !present.has(k.key) || k.key === typing[3];
  const withValues = (k: KeyDoc) => (k.values?.length ?? 0) > 0;
  switch (map) {
    case 'top':
      return KNOWN_KEYS.topLevel.filter(fresh).map((k) => keyItem(k, 'front matter', '1', withValues(k)));
    case 'case':
      return KNOWN_KEYS.case.filter(fresh).map((k) => keyItem(k, 'case', '1', false));
    case 'entry': {
      const items = KNOWN_KEYS.modelEntry
        .filter((k) => fresh(k) && !excludedBeside(k.key, present))
        .map((k) => keyItem(k, 'model entry', '1', withValues(k)));
      const offered = new Set(items.map((i) => i.label));
      for (const architecture of architecturesAt(analysis, position.line, lines)) {
        for (const info of KNOWN_KEYS.config[architecture].filter(fresh)) {
          if (offered.has(info.key)) continue; // a key both architectures have, offered once
          offered.add(info.key);
          const detail = `${ARCHITECTURE_LABEL[architecture]} config${info.affectsForward ? '' : ' (does not change hidden states)'}`;
          // Keys that change the forward pass first; informational ones after them.
          items.push(keyItem(info, detail, info.affectsForward ? '2' : '3', usableChoices(info).length > 0));
        }
      }
      return items;
    }
    case undefined:
      return [];
    default: {
      const never: never = map;
      return never;
    }
  }
}

/** The values of `key` in the map at (`line`, `keyColumn`), in the order their table lists them. */
function valueItems(
  analysis: PromptAnalysis,
  front: FrontMatterLines,
  line: number,
  keyColumn: number,
  key: string,
): CompletionItem[] {
  const map = front.mapAt(line, keyColumn);
  const item = (value: string, detail: string, doc: string, i: number): CompletionItem => ({
    label: value,
    kind: CompletionItemKind.Value,
    detail,
    documentation: { kind: MarkupKind.Markdown, value: doc },
    sortText: String(i).padStart(3, '0'),
  });
  if (map === 'top' || map === 'entry') {
    const doc = (map === 'top' ? KNOWN_KEYS.topLevel : KNOWN_KEYS.modelEntry).find((k) => k.key === key);
    if (doc?.values) {
      return doc.values.map((value, i) =>
        key === 'config' && Object.hasOwn(PRESETS, value)
          ? item(value, `preset · ${ARCHITECTURE_LABEL[PRESETS[value].model_type]}`, doc.doc, i)
          : item(value, key, doc.doc, i),
      );
    }
  }
  if (map !== 'entry') return [];
  const items: CompletionItem[] = [];
  for (const architecture of architecturesAt(analysis, line, front.itemLines(line, keyColumn))) {
    const info = KNOWN_KEYS.config[architecture].find((k) => k.key === key);
    if (!info) continue;
    for (const value of usableChoices(info)) {
      if (items.some((i) => i.label === value)) continue;
      items.push(item(value, `${key} · ${ARCHITECTURE_LABEL[architecture]} config`, info.doc, items.length));
    }
  }
  return items;
}
