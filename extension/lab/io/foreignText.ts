/**
 * Text that came from a file the user named (a config.json, a safetensors header) shown in a message.
 * A message may name a key or a tensor, since that is how the user finds the mistake, but it never
 * repeats other content: a prompt file that points `config:` at a credentials file must not get its
 * secrets printed back in the Problems view or a terminal.
 */
const PLAIN_NAME = /^[A-Za-z0-9_.\-/]{1,200}$/;
/** Values worth showing are the words configs use (`gelu_new`, `absolute`, `gpt2`); everything else stays unsaid. */
const PLAIN_WORD = /^[a-z][a-z0-9_]{0,39}$/;
/** Config keys are lower-case identifiers (`num_hidden_layers`, `_name_or_path`, `id2label`). */
const PLAIN_KEY = /^[a-z_][a-z0-9_]{0,63}$/;

export const NOT_SHOWN = '(text from the file, not shown)';

/** A key or tensor name, when it is a plain name; otherwise a description. */
export function foreignName(name: string): string {
  return PLAIN_NAME.test(name) ? name : `(a name of ${name.length} characters, not shown)`;
}

export function isPlainWord(value: string): boolean {
  return PLAIN_WORD.test(value);
}

/** Every string inside `value` (keys and values, a bounded number) that a message must not repeat. */
function unshowableStrings(value: unknown, found: string[] = [], budget = { left: 200 }): string[] {
  if (budget.left-- <= 0) return found;
  if (typeof value === 'string') {
    if (!isPlainWord(value) && value !== '') found.push(value);
  } else if (Array.isArray(value)) {
    for (const v of value) unshowableStrings(v, found, budget);
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      if (!PLAIN_KEY.test(k)) found.push(k);
      unshowableStrings(v, found, budget);
    }
  }
  return found;
}

/**
 * A message about a key of a file (a config key: named only when it is a lower-case identifier), with every text of that file's value that is not a plain word
 * replaced (quoted or not). Longest first, so a string inside another is not replaced half-way.
 */
export function withoutForeignText(message: string, key: string, value: unknown): string {
  const secrets = unshowableStrings(value);
  if (!PLAIN_KEY.test(key)) secrets.push(key);
  let out = message;
  for (const s of [...new Set(secrets)].sort((a, b) => b.length - a.length)) {
    out = out.split(JSON.stringify(s)).join(NOT_SHOWN);
    // A very short text could match inside the message's own words; it can hold no secret anyway.
    if (s.length >= 4) out = out.split(s).join(NOT_SHOWN);
  }
  return out;
}
