/** Small readers over `yaml`'s document tree that keep every node's place in the file. */
import { isCollection, isMap, isScalar, isSeq, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import type { DiagnosticList } from '../config/diagnostics';
import type { SourceRange } from '../types';
import type { TextPositions } from './layout';

export type YamlPair = Pair<unknown, unknown>;

export function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && 'range' in value && Array.isArray((value as Node).range);
}

/** The node's own text, without the comments and line break that follow it. */
export function nodeRange(node: Node, positions: TextPositions): SourceRange {
  const [start, valueEnd] = node.range!;
  return positions.range(start, valueEnd);
}

/** The pair's key as a name (keys are plain scalars here), with its place. */
export function pairKey(pair: YamlPair, positions: TextPositions): { name: string; range: SourceRange } | undefined {
  if (!isScalar(pair.key) || !pair.key.range) return undefined;
  return { name: String(pair.key.value), range: nodeRange(pair.key, positions) };
}

/** Where the pair's value is; an empty value (`mode:`) has no width, so point at the key instead. */
export function pairValueRange(pair: YamlPair, keyRange: SourceRange, positions: TextPositions): SourceRange {
  const value = pair.value;
  if (isNode(value) && value.range && value.range[1] > value.range[0]) return nodeRange(value, positions);
  return keyRange;
}

/** The whole `key: value` (for "not supported yet", which is about both). */
export function pairRange(keyRange: SourceRange, valueRange: SourceRange): SourceRange {
  return { start: keyRange.start, end: valueRange.end };
}

/** Deeper than any config value; YAML's own reader recurses, so a value nested thousands deep must be stopped first. */
export const MAX_DEPTH = 64;

/**
 * What makes a value unreadable before it is read: nesting deeper than MAX_DEPTH, or a map key that is
 * itself a list or a map (YAML allows `? [a, b]: c`; turning it into JSON means printing the key, which
 * for nested keys costs time without bound). Walked with an explicit stack: the depth is the user's.
 */
function shapeProblem(root: Node): string | undefined {
  const stack: { node: unknown; depth: number }[] = [{ node: root, depth: 0 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (depth > MAX_DEPTH) return `this value nests more than ${MAX_DEPTH} levels deep`;
    if (isMap(node)) {
      for (const pair of node.items) {
        if (isCollection(pair.key)) return 'a key inside this value is a list or a map; keys must be plain names';
        stack.push({ node: pair.value, depth: depth + 1 });
      }
    } else if (isSeq(node)) {
      for (const item of node.items) stack.push({ node: item, depth: depth + 1 });
    }
  }
  return undefined;
}

/** Aliases one value may expand: a few are normal YAML, thousands are a "billion laughs" bomb. */
export const MAX_ALIASES = 100;
/** What `plainValue` returns for a value that was refused (and reported). */
export const EXPANDS_TOO_MUCH: unique symbol = Symbol('expands too much');

/** The value as plain JavaScript (maps to objects, sequences to arrays); an alias bomb is reported at its place. */
export function plainValue(value: unknown, doc: Document, range: SourceRange, out: DiagnosticList): unknown {
  if (!isNode(value)) return value;
  const shape = shapeProblem(value);
  if (shape) {
    out.error('yaml-syntax', shape, range);
    return EXPANDS_TOO_MUCH;
  }
  try {
    return value.toJS(doc, { maxAliasCount: MAX_ALIASES });
  } catch (error) {
    // yaml throws a ReferenceError when aliases expand past the count (and for an alias it cannot resolve);
    // a value nested thousands deep overflows the stack.
    if (error instanceof ReferenceError)
      out.error(
        'yaml-aliases',
        `this value expands YAML aliases (\`*name\`) more than ${MAX_ALIASES} times; write the value out instead`,
        range,
      );
    else if (error instanceof RangeError) out.error('yaml-syntax', 'this value nests too deeply to be read', range);
    else throw error;
    return EXPANDS_TOO_MUCH;
  }
}

/** A block map from its first key to the end of its last value: YAML's own end runs on over
 *  trailing comments and line breaks, which would make an entry's range reach the next one. */
export function mapRange(map: YAMLMap, positions: TextPositions): SourceRange {
  const start = map.range![0];
  let end = map.range![1];
  const last = map.items[map.items.length - 1];
  if (last) {
    const lastNode =
      isNode(last.value) && last.value.range && last.value.range[1] > last.value.range[0]
        ? last.value
        : isNode(last.key)
          ? last.key
          : undefined;
    if (lastNode?.range) end = lastNode.range[1];
  }
  return positions.range(start, end);
}
