/**
 * Value checks shared by config keys and run settings. Each check knows what it accepts
 * in words, so every message reads the same way: "`key` must be <what>, not <value>", and
 * "`key` has no value; write <example>" when the value was left empty.
 */
import { listNames, show } from './diagnostics';

export interface ValueCheck {
  /** What is allowed, in words: "a whole number of at least 1". */
  readonly allowed: string;
  /** What to write when the value is empty: "a whole number such as 1". */
  readonly example: string;
  /** What the value is (a "tolerance", a "probability"), for the message about NaN. */
  readonly noun?: string;
  ok(value: unknown): boolean;
}

function check(allowed: string, example: string, ok: (v: unknown) => boolean, noun?: string): ValueCheck {
  return { allowed, example, ok, noun };
}

export const isBoolean = check('`true` or `false`', '`true` or `false`', (v) => typeof v === 'boolean');
export const isPositiveInt = check(
  'a whole number of at least 1',
  'a whole number such as 1',
  (v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 1,
);
export const isNonNegativeInt = check(
  'a whole number of at least 0',
  'a whole number such as 0',
  (v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0,
);
export const isProbability = check(
  'a probability from 0 up to (not including) 1',
  'a probability such as 0.1',
  (v) => typeof v === 'number' && v >= 0 && v < 1,
  'probability',
);
export const isPositiveNumber = check(
  'a number greater than 0',
  'a number such as 1e-5',
  (v) => typeof v === 'number' && Number.isFinite(v) && v > 0,
);
export const isNonNegativeNumber = check(
  'a number of at least 0',
  'a number such as 1e-3',
  (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0,
);
/** `atol`, `rtol`: what torch.allclose takes. */
export const isTolerance = check(
  'a number of at least 0',
  'a number such as 1e-3',
  (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0,
  'tolerance',
);
export const isText = check('text', 'some text', (v) => typeof v === 'string' && v.length > 0);
export const isAnything = check('anything', 'a value', () => true);

export function oneOf(values: readonly string[]): ValueCheck {
  const names = listNames(values);
  return check(names, names, (v) => typeof v === 'string' && values.includes(v));
}

export function orNull(inner: ValueCheck): ValueCheck {
  return check(`${inner.allowed} or \`null\``, inner.example, (v) => v === null || inner.ok(v), inner.noun);
}

/** The message for a value a check refuses, or undefined when it passes. */
export function checkValue(key: string, value: unknown, valueCheck: ValueCheck): string | undefined {
  if (valueCheck.ok(value)) return undefined;
  // `atol:` with nothing after it: YAML reads null, but the user wrote no value at all.
  if (value === null || value === undefined) return `\`${key}\` has no value; write ${valueCheck.example}`;
  if (typeof value === 'number' && Number.isNaN(value))
    return `\`${key}\` must be ${valueCheck.allowed}, not NaN: NaN is not a ${valueCheck.noun ?? 'number'}`;
  // YAML 1.2 reads `yes`/`no`/`on`/`off` as text; YAML 1.1 habits are common, so say so.
  const hint = typeof value === 'string' && /^(yes|no|on|off|y|n)$/i.test(value) ? ' (YAML 1.2 reads it as text)' : '';
  return `\`${key}\` must be ${valueCheck.allowed}, not ${show(value)}${hint}`;
}
