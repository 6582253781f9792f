/**
 * Text the CLI writes to a terminal. Model names, prompts, paths and values are the user's (or a
 * file's) text; raw, `\e]0;…\a` would retitle the terminal, `\e[2J` clear it, `\r` overwrite a line
 * and U+202E reverse what follows. Every CLI output path — progress, diagnostics, the table — goes
 * through `terminalText`, which shows such characters as escapes (`\x1b`, `\r`, `\u202e`) instead.
 */

/** C0 controls, DEL, C1 controls, bidirectional overrides and isolates, the Unicode line and paragraph separators. */
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\u001b': '\\x1b' };

function escape(c: string): string {
  if (Object.hasOwn(NAMED, c)) return NAMED[c];
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * `text` safe to write to a terminal. `multiline` keeps line breaks and tabs (messages with an example
 * on the next lines); a table cell or a progress line keeps nothing, so it stays one line.
 */
export function terminalText(text: string, options: { multiline?: boolean } = {}): string {
  return text.replace(CONTROLS, (c) => (options.multiline && (c === '\n' || c === '\t') ? c : escape(c)));
}

/**
 * JSON for standard output: JSON.stringify already escapes C0 controls inside strings; C1 controls,
 * bidirectional overrides and U+2028/2029 it leaves raw. Outside strings JSON is ASCII, so replacing
 * them with `\uXXXX` everywhere keeps the same JSON value.
 */
export function terminalJson(json: string): string {
  return json.replace(
    /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
