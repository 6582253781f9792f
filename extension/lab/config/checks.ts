/**
 * Value checks shared by config keys and run settings. Each check knows what it accepts
 * in words, so every message reads the same way: "`key` must be <what>, not <value>".
 */
import type { Suggestion } from '../types';
import { listNames, show } from './diagnostics';
import { closestMatch } from './suggest';

export interface ValueCheck {
  /** What is allowed, in words: "a whole number of at least 1". */
  readonly allowed: string;
  ok(value: unknown): boolean;
  /** The values, as written in YAML, when they are a few words (completion and quick fixes offer them). */
  readonly choices?: readonly string[];
}

function check(allowed: string, ok: (v: unknown) => boolean, choices?: readonly string[]): ValueCheck {
  return choices ? { allowed, ok, choices } : { allowed, ok };
}

export const isBoolean = check('`true` or `false`', (v) => typeof v === 'boolean', ['true', 'false']);
export const isPositiveInt = check(
  'a whole number of at least 1',
  (v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 1,
);
export const isNonNegativeInt = check(
  'a whole number of at least 0',
  (v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0,
);
export const isProbability = check(
  'a probability from 0 up to (not including) 1',
  (v) => typeof v === 'number' && v >= 0 && v < 1,
);
export const isPositiveNumber = check(
  'a number greater than 0',
  (v) => typeof v === 'number' && Number.isFinite(v) && v > 0,
);
export const isNonNegativeNumber = check(
  'a number of at least 0',
  (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0,
);
export const isText = check('text', (v) => typeof v === 'string' && v.length > 0);
export const isAnything = check('anything', () => true);

export function oneOf(values: readonly string[]): ValueCheck {
  return check(listNames(values), (v) => typeof v === 'string' && values.includes(v), values);
}

export function orNull(inner: ValueCheck): ValueCheck {
  return check(
    `${inner.allowed} or \`null\``,
    (v) => v === null || inner.ok(v),
    inner.choices && [...inner.choices, 'null'],
  );
}

/** YAML 1.1 spellings of booleans, which YAML 1.2 reads as text. */
const YAML11_BOOLEANS: Readonly<Record<string, string>> = {
  yes: 'true',
  y: 'true',
  on: 'true',
  no: 'false',
  n: 'false',
  off: 'false',
};

/**
 * The values that could replace a refused one, for quick fixes: the closest of the check's choices first
 * (a "did you mean"), then the others. `usable` narrows the choices (values the builder implements).
 */
export function suggestValues(
  key: string,
  value: unknown,
  valueCheck: ValueCheck,
  usable: (choice: string) => boolean = () => true,
): Suggestion | undefined {
  const choices = valueCheck.choices?.filter(usable);
  if (!choices?.length) return undefined;
  const written = typeof value === 'string' ? value : undefined;
  const meant = written && (YAML11_BOOLEANS[written.toLowerCase()] ?? closestMatch(written, choices));
  if (!meant || !choices.includes(meant)) return { target: 'value', key, texts: choices, closeMatch: false };
  return { target: 'value', key, texts: [meant, ...choices.filter((c) => c !== meant)], closeMatch: true };
}

/** The message for a value a check refuses, or undefined when it passes. */
export function checkValue(key: string, value: unknown, valueCheck: ValueCheck): string | undefined {
  if (valueCheck.ok(value)) return undefined;
  // `mode:` with nothing after it: YAML reads null, but the user wrote no value at all.
  if (value === null || value === '') return `\`${key}\` has no value; it must be ${valueCheck.allowed}`;
  // YAML 1.2 reads `yes`/`no`/`on`/`off` as text; YAML 1.1 habits are common, so say so.
  const hint = typeof value === 'string' && /^(yes|no|on|off|y|n)$/i.test(value) ? ' (YAML 1.2 reads it as text)' : '';
  return `\`${key}\` must be ${valueCheck.allowed}, not ${show(value)}${hint}`;
}
