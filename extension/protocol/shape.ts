/**
 * Checks of data that crossed a process boundary, built from small parts. A check returns null when the
 * value has the shape, or where and why it does not (`result.layers[2].maxAbsDiff[5]: not a number`), so a
 * refused message can be reported precisely. `fields` takes one check per key of an interface, and its
 * type demands every key: a field added to a message type without a check does not compile.
 */

export type Check = (x: unknown, path: string) => string | null;

/** One check per key of T, optional keys included (their check sees `undefined` when the key is absent). */
export type FieldChecks<T> = { [K in keyof T]-?: Check };

const isPlainObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);

const fail = (path: string, what: string) => `${path || 'the message'}: ${what}`;

export const string: Check = (x, p) => (typeof x === 'string' ? null : fail(p, 'not a string'));
export const boolean: Check = (x, p) => (typeof x === 'boolean' ? null : fail(p, 'not true or false'));
/** Any JSON number (NaN and ±Infinity cannot cross a JSON channel; they arrive as null). */
export const number: Check = (x, p) => (typeof x === 'number' ? null : fail(p, 'not a number'));
/** A 0-based position, index or count. */
export const index: Check = (x, p) =>
  Number.isSafeInteger(x) && (x as number) >= 0 ? null : fail(p, 'not a whole number ≥ 0');
/** Anything at all (a config value, a quick fix's value). */
export const anything: Check = () => null;
/** Any JSON object, its fields unchecked (a Hugging Face config). */
export const object: Check = (x, p) => (isPlainObject(x) ? null : fail(p, 'not an object'));

export function nullable(check: Check): Check {
  return (x, p) => (x === null ? null : check(x, p));
}

export function optional(check: Check): Check {
  return (x, p) => (x === undefined ? null : check(x, p));
}

export function oneOf<T extends string | number | boolean>(values: readonly T[]): Check {
  return (x, p) =>
    (values as readonly unknown[]).includes(x)
      ? null
      : fail(p, `not one of ${values.map((v) => String(v)).join(', ')}`);
}

/** The keys of a record type as a list; `Record<Union, true>` makes the list exhaustive over the union. */
export function keysOf<K extends string>(table: Record<K, true>): K[] {
  return Object.keys(table) as K[];
}

export function arrayOf(check: Check): Check {
  return (x, p) => {
    if (!Array.isArray(x)) return fail(p, 'not a list');
    for (let i = 0; i < x.length; i++) {
      const problem = check(x[i], `${p}[${i}]`);
      if (problem) return problem;
    }
    return null;
  };
}

/** An object whose every own value passes `check` (keys are free: dropout rates by config key). */
export function recordOf(check: Check): Check {
  return (x, p) => {
    if (!isPlainObject(x)) return fail(p, 'not an object');
    for (const key of Object.keys(x)) {
      const problem = check(x[key], p ? `${p}.${key}` : key);
      if (problem) return problem;
    }
    return null;
  };
}

export function fields<T>(checks: FieldChecks<T>): Check {
  const entries = Object.entries(checks) as [string, Check][];
  return (x, p) => {
    if (!isPlainObject(x)) return fail(p, 'not an object');
    for (const [key, check] of entries) {
      // Own keys only: a `__proto__` or inherited name never stands in for a missing field.
      const value = Object.hasOwn(x, key) ? x[key] : undefined;
      const problem = check(value, p ? `${p}.${key}` : key);
      if (problem) return problem;
    }
    return null;
  };
}

/** A string short enough to be an id (request ids are UUIDs): a megabyte-long "id" is refused, not kept. */
export function shortString(maxLength: number): Check {
  return (x, p) =>
    typeof x === 'string' && x.length <= maxLength ? null : fail(p, `not a string of at most ${maxLength} characters`);
}

/**
 * A discriminated union: `tag` names the member, one check per member. Keyed by the union's own tags, so a
 * new member needs its check to compile.
 */
export function tagged<T extends Record<K, string>, K extends keyof T & string>(
  tag: K,
  members: { [M in T[K]]: Check },
): Check {
  return (x, p) => {
    if (!isPlainObject(x)) return fail(p, 'not an object');
    const value = Object.hasOwn(x, tag) ? x[tag] : undefined;
    if (typeof value !== 'string' || !Object.hasOwn(members, value))
      return fail(p ? `${p}.${tag}` : tag, `not one of ${Object.keys(members).join(', ')}`);
    return (members as Record<string, Check>)[value](x, p);
  };
}
