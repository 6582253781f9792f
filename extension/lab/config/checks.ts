/**
 * Value checks shared by config keys and run settings. Each check knows what it accepts
 * in words, so every message reads the same way: "`key` must be <what>, not <value>", and
 * "`key` has no value; write <example>" when the value was left empty.
 */
import type { Suggestion } from '../types';
import { listNames, show } from './diagnostics';
import { closestMatch } from './suggest';

export interface ValueCheck {
  /** What is allowed, in words: "a whole number of at least 1". */
  readonly allowed: string;
  /** What to write when the value is empty: "a whole number such as 1". */
  readonly example: string;
  /** What the value is (a "tolerance", a "probability"), for the message about NaN. */
  readonly noun?: string;
  ok(value: unknown): boolean;
  /** The values, as written in YAML, when they are a few words (completion and quick fixes offer them). */
  readonly choices?: readonly string[];
}

interface CheckOptions {
  noun?: string;
  choices?: readonly string[];
}

function check(allowed: string, example: string, ok: (v: unknown) => boolean, options: CheckOptions = {}): ValueCheck {
  return { allowed, example, ok, ...options };
}

export const isBoolean = check('`true` or `false`', '`true` or `false`', (v) => typeof v === 'boolean', {
  choices: ['true', 'false'],
});
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
  { noun: 'probability' },
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
  { noun: 'tolerance' },
);
export const isText = check('text', 'some text', (v) => typeof v === 'string' && v.length > 0);
export const isAnything = check('anything', 'a value', () => true);

export function oneOf(values: readonly string[]): ValueCheck {
  const names = listNames(values);
  return check(names, names, (v) => typeof v === 'string' && values.includes(v), { choices: values });
}

export function orNull(inner: ValueCheck): ValueCheck {
  return check(`${inner.allowed} or \`null\``, inner.example, (v) => v === null || inner.ok(v), {
    noun: inner.noun,
    choices: inner.choices && [...inner.choices, 'null'],
  });
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
  // `atol:` with nothing after it: YAML reads null, but the user wrote no value at all.
  if (value === null || value === undefined || value === '')
    return `\`${key}\` has no value; write ${valueCheck.example}`;
  if (typeof value === 'number' && Number.isNaN(value))
    return `\`${key}\` must be ${valueCheck.allowed}, not NaN: NaN is not a ${valueCheck.noun ?? 'number'}`;
  // YAML 1.2 reads `yes`/`no`/`on`/`off` as text; YAML 1.1 habits are common, so say so.
  const hint = typeof value === 'string' && /^(yes|no|on|off|y|n)$/i.test(value) ? ' (YAML 1.2 reads it as text)' : '';
  return `\`${key}\` must be ${valueCheck.allowed}, not ${show(value)}${hint}`;
}
