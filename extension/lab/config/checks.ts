/**
 * Value checks shared by config keys and run settings. Each check knows what it accepts
 * in words, so every message reads the same way: "`key` must be <what>, not <value>".
 */
import { listNames, show } from './diagnostics';

export interface ValueCheck {
  /** What is allowed, in words: "a whole number of at least 1". */
  readonly allowed: string;
  ok(value: unknown): boolean;
}

function check(allowed: string, ok: (v: unknown) => boolean): ValueCheck {
  return { allowed, ok };
}

export const isBoolean = check('`true` or `false`', (v) => typeof v === 'boolean');
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
  return check(listNames(values), (v) => typeof v === 'string' && values.includes(v));
}

export function orNull(inner: ValueCheck): ValueCheck {
  return check(`${inner.allowed} or \`null\``, (v) => v === null || inner.ok(v));
}

/** The message for a value a check refuses, or undefined when it passes. */
export function checkValue(key: string, value: unknown, valueCheck: ValueCheck): string | undefined {
  if (valueCheck.ok(value)) return undefined;
  // YAML 1.2 reads `yes`/`no`/`on`/`off` as text; YAML 1.1 habits are common, so say so.
  const hint = typeof value === 'string' && /^(yes|no|on|off|y|n)$/i.test(value) ? ' (YAML 1.2 reads it as text)' : '';
  return `\`${key}\` must be ${valueCheck.allowed}, not ${show(value)}${hint}`;
}
