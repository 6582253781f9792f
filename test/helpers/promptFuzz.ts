/**
 * Seeded generators of `.prompt` files for the fuzz test: mutations of real files and files built from
 * the grammar, with hostile pieces mixed in (control characters, huge numbers, NaN and infinity
 * spellings, deep YAML, aliases and alias bombs, prototype keys, very long lines, CR/CRLF mixes, paths to
 * FIFOs, devices, link loops and secrets). Deterministic: the same seed gives the same files.
 */

/** mulberry32: a small, well-mixed 32-bit PRNG; plenty for picking pieces. */
export class Prng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** Paths the generated files may name; the test fills them with real hostile things. */
export interface HostilePaths {
  fifo: string;
  loop: string;
  tooLong: string;
  fileInTheWay: string;
  secret: string;
  bigJson: string;
  goodConfig: string;
  folder: string;
}

const CONTROL = [
  '\u0000',
  '\u0007',
  '\u001b]0;pwned\u0007',
  '\u001b[2J',
  '\r',
  '\u009b31m',
  '\u202e',
  '\u2028',
  '\t',
  '\u000b',
  '\ufeff',
  '\ud800',
];
const NUMBERS = [
  '1e309',
  '-1e309',
  '-0',
  '.nan',
  '.NaN',
  '.NAN',
  '.inf',
  '-.Inf',
  '+.inf',
  'NaN',
  'Infinity',
  '0x1F',
  '0o17',
  '1_000',
  '99999999999999999999999',
  '1e-400',
  '4.2',
  '-3',
  '0',
  '2147483648',
  '9007199254740993',
];
const KEYS = [
  'models',
  'cases',
  'perturb',
  'seed',
  'mode',
  'dropout',
  'add_special_tokens',
  'atol',
  'rtol',
  'compare',
  'name',
  'config',
  'weights',
  'is_decoder',
  'num_hidden_layers',
  'hidden_size',
  'n_layer',
  'n_embd',
  'n_head',
  'vocab_size',
  'hidden_act',
  'base',
  'variants',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'model_type',
  '<<',
  '? complex',
  '"quoted key"',
  '',
];
const WORDS = [
  'gpt2',
  'bert-base-uncased',
  'eval',
  'train',
  'paired',
  'independent',
  'true',
  'false',
  'null',
  '~',
  'hidden_states',
  'yes',
  'no',
  'gtp2',
  'x',
  '""',
  "''",
  '[]',
  '{}',
  '[1, 2',
  '{a: [}',
  '|-',
  '>',
  '&a x',
  '*a',
  '*nowhere',
  '!!binary aGk=',
  '!!js/function "x"',
  '!!python/object:os.system',
  '<pad> Ich will',
  '[CLS]',
  '<|endoftext|>',
  'ü',
  '😀',
  '\u0301',
];

function pathPieces(p: HostilePaths): string[] {
  return [
    p.fifo,
    p.loop,
    p.tooLong,
    p.fileInTheWay,
    p.secret,
    p.bigJson,
    p.goodConfig,
    p.folder,
    '/dev/zero',
    '/dev/null',
    '/dev/stdin',
    '/proc/self/mem',
    '/etc/passwd',
    '../../../../etc/passwd',
    'x.prompt/config.json',
    'model.bin',
    'a\\b',
    'C:\\Windows\\win.ini',
    'file:///etc/passwd',
    '.',
    '..',
    '',
  ];
}

function aliasBomb(): string {
  const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 9; i++)
    lines.push(
      `a${i}: &a${i} [${Array(9)
        .fill(`*a${i - 1}`)
        .join(', ')}]`,
    );
  return `{${lines.join(', ')}}`;
}

function value(r: Prng, paths: HostilePaths): string {
  switch (r.int(9)) {
    case 0:
      return r.pick(NUMBERS);
    case 1:
    case 2:
      return r.pick(WORDS);
    case 3:
      return r.pick(pathPieces(paths));
    case 4:
      return JSON.stringify(r.pick(CONTROL) + r.pick(WORDS));
    case 5:
      return r.chance(0.5) ? '['.repeat(1 + r.int(2000)) : '{a: '.repeat(1 + r.int(300));
    case 6:
      return r.chance(0.1) ? aliasBomb() : `[${Array.from({ length: r.int(5) }, () => r.pick(NUMBERS)).join(', ')}]`;
    case 7:
      return 'x'.repeat(r.chance(0.05) ? 100_000 : r.int(300));
    default:
      return '';
  }
}

function modelEntry(r: Prng, paths: HostilePaths): string {
  const lines = [`  - name: ${r.chance(0.8) ? `m${r.int(4)}` : value(r, paths)}`];
  if (r.chance(0.85))
    lines.push(`    config: ${r.chance(0.6) ? r.pick(['gpt2', 'bert-base-uncased']) : value(r, paths)}`);
  if (r.chance(0.15)) lines.push(`    weights: ${r.pick(pathPieces(paths))}`);
  for (let i = r.int(4); i > 0; i--) lines.push(`    ${r.pick(KEYS)}: ${value(r, paths)}`);
  return lines.join('\n');
}

function bodyLine(r: Prng): string {
  const text = r.chance(0.2)
    ? r.pick(CONTROL) + r.pick(WORDS)
    : r.pick(['the cat sat', 'a dog', '<pad> Ich will ein', 'x'.repeat(r.int(50))]);
  switch (r.int(8)) {
    case 0:
      return `~ ${text}`;
    case 1:
      return `~${text}`;
    case 2:
      return `# ${text}`;
    case 3:
      return `\\${text}`;
    case 4:
      return '';
    case 5:
      return r.pick(['~', '\\', '---', '~ ', '   ']);
    default:
      return text;
  }
}

/** A file built from the grammar, most of it plausible, some of it hostile. */
export function generatePromptFile(r: Prng, paths: HostilePaths): string {
  const parts: string[] = [];
  if (r.chance(0.95)) parts.push('---');
  if (r.chance(0.9)) {
    parts.push('models:');
    for (let i = 1 + r.int(3); i > 0; i--) parts.push(modelEntry(r, paths));
  }
  for (let i = r.int(3); i > 0; i--) parts.push(`${r.pick(KEYS)}: ${value(r, paths)}`);
  if (r.chance(0.2)) parts.push(`cases:\n  - base: ${value(r, paths)}\n    variants: [${value(r, paths)}]`);
  if (r.chance(0.9)) parts.push('---');
  for (let i = r.int(8); i > 0; i--) parts.push(bodyLine(r));
  const breaks = r.pick(['\n', '\n', '\r\n', '\r', 'mixed']);
  return parts
    .join('\n')
    .split('\n')
    .map((l, i) => l + (breaks === 'mixed' ? ['\n', '\r\n', '\r'][i % 3] : breaks))
    .join('');
}

/** One random edit of a real file: cut, duplicate, splice in a hostile piece, change the line breaks. */
export function mutatePromptFile(r: Prng, text: string, paths: HostilePaths): string {
  let out = text;
  for (let edits = 1 + r.int(4); edits > 0; edits--) {
    const at = r.int(out.length + 1);
    const to = Math.min(out.length, at + r.int(40));
    switch (r.int(8)) {
      case 0:
        out = out.slice(0, at) + out.slice(to);
        break;
      case 1:
        out = out.slice(0, at) + out.slice(at, to) + out.slice(at);
        break;
      case 2:
        out = out.slice(0, at) + r.pick(CONTROL) + out.slice(at);
        break;
      case 3:
        out = out.slice(0, at) + value(r, paths) + out.slice(at);
        break;
      case 4:
        out = out.replace(/\n/g, () => r.pick(['\n', '\r\n', '\r']));
        break;
      case 5:
        out = out.replace(/(config|weights|atol|seed|name): [^\n]*/, (_, k: string) => `${k}: ${value(r, paths)}`);
        break;
      case 6:
        out = out.slice(0, at) + `\n    ${r.pick(KEYS)}: ${value(r, paths)}\n` + out.slice(at);
        break;
      default:
        out = out.slice(0, at);
    }
  }
  return out;
}
