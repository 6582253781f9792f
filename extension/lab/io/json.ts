/**
 * JSON from a file the user named. `JSON.parse`'s own messages quote the text ("Unexpected token 'r',
 * "root:x:0:0"... is not valid JSON"), which would echo a file the user never meant to show; the message
 * here gives the place only: "is not valid JSON at line 3 column 7". `JSON.parse` decides (exactly the
 * JSON grammar); when it fails, a small strict scanner finds where.
 */
import { UserFileError, shownPath } from './userFileError';

/** Parses JSON text; a syntax error becomes a UserFileError with its line and column (1-based), no content. */
export function parseJsonFile(bytes: Buffer | string, path: string): unknown {
  let text: string;
  try {
    text = typeof bytes === 'string' ? bytes : new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new UserFileError('not-json', `${shownPath(path)} is not UTF-8 text, so it is not JSON`, path);
  }
  // Editors on Windows write a byte-order mark; it is not part of the JSON.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    return JSON.parse(text);
  } catch {
    const offset = jsonErrorOffset(text);
    const where = offset === undefined ? '' : ` at ${lineColumn(text, offset)}`;
    const what = text.trim() === '' ? 'is empty, not JSON' : `is not valid JSON${where}`;
    throw new UserFileError('not-json', `${shownPath(path)} ${what}`, path);
  }
}

function lineColumn(text: string, offset: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return `line ${line} column ${offset - lineStart + 1}`;
}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const STRING_CHARS = /(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*/y;

/** Where strict JSON (RFC 8259) first goes wrong in `text`, or undefined when it does not. Iterative: deep nesting is fine. */
export function jsonErrorOffset(text: string): number | undefined {
  let i = 0;
  const skip = () => {
    while (i < text.length && WS.has(text.charCodeAt(i))) i++;
  };
  const match = (re: RegExp): boolean => {
    re.lastIndex = i;
    const m = re.exec(text);
    if (!m || m[0].length === 0) return false;
    i += m[0].length;
    return true;
  };
  const string = (): boolean => {
    if (text[i] !== '"') return false;
    i++;
    STRING_CHARS.lastIndex = i;
    i += STRING_CHARS.exec(text)?.[0].length ?? 0;
    if (text[i] !== '"') return false;
    i++;
    return true;
  };
  // Each open container: '[' or '{'; after a value we expect `,` or the closer.
  const stack: string[] = [];
  for (;;) {
    // A value is expected here.
    skip();
    const c = text[i];
    if (c === '{' || c === '[') {
      stack.push(c);
      i++;
      skip();
      if (text[i] === (c === '{' ? '}' : ']')) {
        stack.pop();
        i++;
      } else if (c === '{') {
        if (!string()) return i;
        skip();
        if (text[i] !== ':') return i;
        i++;
        continue;
      } else continue;
    } else if (c === '"') {
      if (!string()) return i;
    } else if (text.startsWith('true', i)) i += 4;
    else if (text.startsWith('false', i)) i += 5;
    else if (text.startsWith('null', i)) i += 4;
    else if (!match(NUMBER)) return i;
    // After a value: close containers or go on with the next element.
    for (;;) {
      skip();
      const open = stack[stack.length - 1];
      if (open === undefined) return i === text.length ? undefined : i;
      if (text[i] === (open === '{' ? '}' : ']')) {
        stack.pop();
        i++;
        continue;
      }
      if (text[i] !== ',') return i;
      i++;
      if (open === '{') {
        skip();
        if (!string()) return i;
        skip();
        if (text[i] !== ':') return i;
        i++;
      }
      break;
    }
  }
}
