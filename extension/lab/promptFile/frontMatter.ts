/**
 * The front matter: YAML between the first two `---` lines. Reads the top-level keys into
 * run-setting defaults, model entries (resolved later, against files) and `cases:`.
 */
import { Document, isMap, isSeq, parseDocument, type YAMLMap } from 'yaml';
import { configKeyTable } from '../config/configKeys';
import { ARCHITECTURES, moduleOf } from '../models/registry';
import { type DiagnosticList, listNames } from '../config/diagnostics';
import { MODEL_ENTRY_KEY_NAMES } from '../config/entryKeys';
import type { EntryField, ModelEntry } from '../config/resolve';
import { RUN_SETTING_KEYS, checkRunSetting } from '../config/runSettings';
import { closestMatch } from '../config/suggest';
import type { PromptCase, SourceRange, Suggestion } from '../types';
import { readCases } from './yamlCases';
import { type TextPositions, lineRange, type FileLayout } from './layout';
import { TOP_LEVEL_KEYS } from './keys';
import {
  EXPANDS_TOO_MUCH,
  isNode,
  mapRange,
  nodeRange,
  pairKey,
  pairRange,
  pairValueRange,
  plainValue,
} from './yamlNodes';

export const MODELS_EXAMPLE = 'models:\n  - name: gpt2\n    config: gpt2';

export interface FrontMatter {
  /** Top-level run settings with valid values: the defaults of every model. */
  defaults: Map<string, unknown>;
  entries: ModelEntry[];
  cases: PromptCase[];
}

export interface ParsedYaml {
  doc: Document;
  /** True when YAML found a syntax error whose tree cannot be trusted (a duplicate key leaves it intact). */
  broken: boolean;
}

/** No config nests deeper; YAML's reader recurses once per level (seconds for a line of `[[[[…` or `{a: {a: …`). */
const MAX_NESTING = 64;

/**
 * Where flow collections (`[`, `{`) or compact sequences (`- - -`) first nest deeper than MAX_NESTING, or
 * -1. Quoted strings and comments are skipped; a bracket inside a block scalar counts (a prompt of 65
 * unbalanced brackets is not worth YAML's time either).
 */
function tooDeepAt(text: string): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'") {
      for (i++; i < text.length && text[i] !== c && text[i] !== '\n'; i++) if (c === '"' && text[i] === '\\') i++;
    } else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]))) {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '[' || c === '{') {
      if (++depth > MAX_NESTING) return i;
    } else if (c === ']' || c === '}') depth = Math.max(0, depth - 1);
  }
  const compact = new RegExp(`(?:-[ \\t]+){${MAX_NESTING + 1}}`).exec(text);
  return compact ? compact.index : -1;
}

/** YAML reports an unclosed bracket at every level; the first few say it all. */
const MAX_YAML_ERRORS = 20;

/** Parse the front matter; YAML's errors and warnings go to `out` with the ranges YAML gives. */
export function parseFrontMatterYaml(layout: FileLayout, positions: TextPositions, out: DiagnosticList): ParsedYaml {
  const deep = tooDeepAt(layout.yamlText);
  if (deep >= 0) {
    out.error(
      'yaml-syntax',
      `the front matter nests more than ${MAX_NESTING} lists or maps inside each other here; YAML cannot read that deep`,
      positions.range(deep, deep + 1),
    );
    return { doc: new Document(), broken: true };
  }
  // logLevel 'error': yaml would print its warnings on the process's stderr (the language server's log).
  const doc = parseDocument(layout.yamlText, { prettyErrors: false, uniqueKeys: true, logLevel: 'error' });
  for (const error of doc.errors.slice(0, MAX_YAML_ERRORS)) {
    const range = positions.range(error.pos[0], Math.max(error.pos[1], error.pos[0]));
    if (error.code === 'DUPLICATE_KEY') {
      const key = /^[^\s:]+/.exec(layout.yamlText.slice(error.pos[0]))?.[0] ?? 'this key';
      out.error('duplicate-key', `\`${key}\` appears twice in the same map; write each key once`, range);
    } else if (/call stack/i.test(error.message)) {
      // YAML turns its own stack overflow into an error: say what it means.
      out.error('yaml-syntax', 'the front matter nests too deeply for YAML to read it', range);
    } else {
      out.error('yaml-syntax', `YAML: ${error.message}`, range);
    }
  }
  for (const warning of doc.warnings.slice(0, MAX_YAML_ERRORS))
    out.warning('yaml-syntax', `YAML: ${warning.message}`, positions.range(warning.pos[0], warning.pos[1]));
  return { doc, broken: doc.errors.some((e) => e.code !== 'DUPLICATE_KEY') };
}

/** Read the front matter's keys. Problems go to `out`; what is readable is returned anyway. */
export function readFrontMatter(
  doc: Document,
  layout: FileLayout,
  positions: TextPositions,
  out: DiagnosticList,
): FrontMatter {
  const result: FrontMatter = { defaults: new Map(), entries: [], cases: [] };
  const opening = lineRange(0, layout.lines[0].length);
  const contents = doc.contents;
  if (!isMap(contents)) {
    const where =
      isNode(contents) && contents.range && contents.range[1] > contents.range[0]
        ? nodeRange(contents, positions)
        : opening;
    out.error(
      'missing-key',
      `the front matter has no \`models:\` list; it needs one, for example:\n${MODELS_EXAMPLE}`,
      where,
    );
    return result;
  }
  let sawModels = false;
  for (const pair of contents.items) {
    const key = pairKey(pair, positions);
    if (!key) continue; // YAML itself reports keys that are not plain
    const valueRange = pairValueRange(pair, key.range, positions);
    if (key.name === 'models') {
      sawModels = true;
      result.entries = readModels(pair.value, doc, key.range, positions, out);
    } else if (key.name === 'cases') {
      result.cases = readCases(pair.value, key.range, positions, out);
    } else if (key.name === 'perturb') {
      out.error(
        'not-supported',
        'not supported yet: `perturb:` (generators that make variants come later); write each variant on a line starting with `~ `',
        pairRange(key.range, valueRange),
      );
    } else if (RUN_SETTING_KEYS.has(key.name)) {
      const value = plainValue(pair.value, doc, valueRange, out);
      if (value === EXPANDS_TOO_MUCH) continue;
      const problem = checkRunSetting(key.name, value);
      if (problem) out.error(problem.code, problem.message, valueRange, problem.suggestion);
      else result.defaults.set(key.name, value);
    } else {
      const unknown = unknownTopLevelKey(key.name);
      out.error('unknown-key', unknown.message, key.range, unknown.suggestion);
    }
  }
  if (!sawModels)
    out.error(
      'missing-key',
      `the front matter has no \`models:\` list; it needs one, for example:\n${MODELS_EXAMPLE}`,
      opening,
    );
  return result;
}

function unknownTopLevelKey(name: string): { message: string; suggestion?: Suggestion } {
  const allowed = TOP_LEVEL_KEYS.map((k) => k.key);
  const isModelKey =
    MODEL_ENTRY_KEY_NAMES.has(name) ||
    ARCHITECTURES.some((a) => configKeyTable(a).has(name) || Object.hasOwn(moduleOf(a).refusedKeys, name)) ||
    name === 'model_type';
  if (isModelKey) {
    return {
      message: `\`${name}\` belongs to one model: write it inside an entry of \`models:\`. The keys allowed at the top are ${listNames(allowed, 'and')}`,
    };
  }
  const guess = closestMatch(name, allowed);
  return {
    message: `\`${name}\` is not a front-matter key${guess ? `; did you mean \`${guess}\`?` : '.'} Allowed: ${listNames(allowed, 'and')}`,
    suggestion: guess ? { target: 'key', key: name, texts: [guess], closeMatch: true } : undefined,
  };
}

function readModels(
  value: unknown,
  doc: Document,
  keyRange: SourceRange,
  positions: TextPositions,
  out: DiagnosticList,
): ModelEntry[] {
  if (!isSeq(value)) {
    out.error(
      'bad-value',
      `\`models\` must be a list of models, for example:\n${MODELS_EXAMPLE}`,
      isNode(value) && value.range && value.range[1] > value.range[0] ? nodeRange(value, positions) : keyRange,
    );
    return [];
  }
  if (value.items.length === 0) {
    out.error(
      'bad-value',
      '`models` is empty: add at least one model with a `name` and a `config`',
      nodeRange(value, positions),
    );
    return [];
  }
  const entries: ModelEntry[] = [];
  for (const item of value.items) {
    if (!isMap(item)) {
      const range = isNode(item) ? nodeRange(item, positions) : keyRange;
      out.error(
        'bad-value',
        'each model is a map of keys with at least a `name` and a `config`, such as:\n  - name: gpt2\n    config: gpt2',
        range,
      );
      continue;
    }
    entries.push(readEntry(item, doc, positions, out));
  }
  return entries;
}

function readEntry(map: YAMLMap, doc: Document, positions: TextPositions, out: DiagnosticList): ModelEntry {
  const fields: EntryField[] = [];
  for (const pair of map.items) {
    const key = pairKey(pair, positions);
    if (!key) continue;
    const valueRange = pairValueRange(pair, key.range, positions);
    const value = plainValue(pair.value, doc, valueRange, out);
    if (value === EXPANDS_TOO_MUCH) continue; // reported; checking it further would only repeat that
    fields.push({ key: key.name, value, keyRange: key.range, valueRange });
  }
  return { fields, range: mapRange(map, positions) };
}
