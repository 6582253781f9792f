/**
 * Hover on a front-matter key: what it means, the values it takes and its default — read from the same
 * tables the parser validates with (run settings, model-entry keys, each architecture's config keys), so
 * the hover can never say something the parser does not do.
 */
import { MarkupKind, type Hover, type Position } from 'vscode-languageserver';
import {
  ARCHITECTURE_LABEL,
  moduleOf,
  PRESETS,
  RUN_SETTINGS,
  RUN_SETTING_DEFAULTS,
  type ConfigKeyInfo,
  type RunSettingInfo,
} from '../lab/config';
import { listNames } from '../lab/config/diagnostics';
import { KNOWN_KEYS, type KeyDoc } from '../lab/promptFile';
import type { Architecture } from '../lab/types';
import type { PromptAnalysis } from './documents';
import { FrontMatterLines, architecturesAt, configValueOf, shapeOf, type MapKind } from './frontMatterLines';

/** The values of a config key that the builder implements (`hidden_act`: `gelu`, not every activation). */
export function usableChoices(info: ConfigKeyInfo): string[] {
  return (info.check.choices ?? []).filter((choice) => !info.unsupported?.(parseChoice(choice)));
}

/** A choice as YAML reads it (`true` is a boolean), for the key's own checks. */
function parseChoice(choice: string): unknown {
  return choice === 'true' ? true : choice === 'false' ? false : choice === 'null' ? null : choice;
}

const code = (value: unknown) => `\`${typeof value === 'string' ? value : JSON.stringify(value)}\``;

function runSettingDoc(info: RunSettingInfo, map: MapKind): string[] {
  const where =
    map === 'top'
      ? 'run setting — here at the top: the default of every model'
      : 'run setting — here in an entry: this model only (a value at the top is the default of every model)';
  const fallback = (RUN_SETTING_DEFAULTS as Record<string, unknown>)[info.key];
  return [
    `**${info.key}** · ${where}`,
    info.doc,
    `Allowed: ${info.check.allowed}${fallback === undefined ? '' : ` · Default: ${code(fallback)}`}`,
  ];
}

function configKeyDoc(info: ConfigKeyInfo, architecture: Architecture, preset: string | undefined): string[] {
  const effect = info.affectsForward ? 'changes the forward pass' : 'does not change hidden states';
  const choices = usableChoices(info);
  const allowed = choices.length ? listNames(choices) : info.check.allowed === 'anything' ? '' : info.check.allowed;
  const fromPreset = preset !== undefined && Object.hasOwn(PRESETS[preset], info.key);
  const fallback = fromPreset ? PRESETS[preset][info.key] : moduleOf(architecture).defaults[info.key];
  const defaultText =
    fallback === undefined
      ? ''
      : `Default: ${code(fallback)} (${fromPreset ? `from \`${preset}\`` : `${ARCHITECTURE_LABEL[architecture]}'s class default`})`;
  return [
    `**${info.key}** · ${ARCHITECTURE_LABEL[architecture]} config key, ${effect}`,
    info.doc,
    [allowed && `Allowed: ${allowed}`, defaultText].filter(Boolean).join(' · '),
  ];
}

function plainDoc(doc: KeyDoc, what: string): string[] {
  return [`**${doc.key}** · ${what}`, doc.doc, doc.values?.length ? `Values: ${listNames(doc.values)}` : ''];
}

/** The preset the entry's `config:` names, if it names one. */
function presetOf(entry: readonly string[]): string | undefined {
  const value = configValueOf(entry);
  return value !== undefined && Object.hasOwn(PRESETS, value) ? value : undefined;
}

function describe(
  analysis: PromptAnalysis,
  front: FrontMatterLines,
  line: number,
  keyColumn: number,
  key: string,
): string[] | undefined {
  const map = front.mapAt(line, keyColumn);
  if (map === undefined) return undefined;
  const setting = RUN_SETTINGS.find((s) => s.key === key);
  switch (map) {
    case 'top': {
      if (setting) return runSettingDoc(setting, map);
      const doc = KNOWN_KEYS.topLevel.find((k) => k.key === key);
      return doc && plainDoc(doc, 'front matter');
    }
    case 'case': {
      const doc = KNOWN_KEYS.case.find((k) => k.key === key);
      return doc && plainDoc(doc, 'case');
    }
    case 'entry': {
      if (setting) return runSettingDoc(setting, map);
      const doc = KNOWN_KEYS.modelEntry.find((k) => k.key === key);
      if (doc) return plainDoc(doc, 'model entry');
      const entry = front.itemLines(line, keyColumn);
      for (const architecture of architecturesAt(analysis, line, entry)) {
        const info = KNOWN_KEYS.config[architecture].find((k) => k.key === key);
        if (info) return configKeyDoc(info, architecture, presetOf(entry));
      }
      return undefined; // not a key of this model: the diagnostic on it says so
    }
    default: {
      const never: never = map;
      return never;
    }
  }
}

/** The hover of the key under the cursor, or null when the cursor is not on a front-matter key. */
export function provideKeyHover(analysis: PromptAnalysis, position: Position, markdown: boolean): Hover | null {
  const front = FrontMatterLines.of(analysis);
  if (!front?.contains(position.line)) return null;
  const shape = shapeOf(front.lines[position.line]);
  if (!shape?.key) return null;
  const end = shape.keyColumn + shape.key.length;
  if (position.character < shape.keyColumn || position.character > end) return null;
  const parts = describe(analysis, front, position.line, shape.keyColumn, shape.key)?.filter(Boolean);
  if (!parts) return null;
  const value = markdown ? parts.join('\n\n') : parts.map((p) => p.replace(/\*\*|`/g, '')).join('\n');
  return {
    contents: { kind: markdown ? MarkupKind.Markdown : MarkupKind.PlainText, value },
    range: {
      start: { line: position.line, character: shape.keyColumn },
      end: { line: position.line, character: end },
    },
  };
}
