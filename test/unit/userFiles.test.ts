/**
 * The one module that opens files a user named (`extension/lab/io`): real FIFOs, `/dev/zero`, folders,
 * symbolic-link loops, over-long names, a file in the way of a folder, files over the size cap and files
 * truncated while read. Nothing blocks, nothing grows without bound, and no message quotes the file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  SIZE_LIMITS,
  UserFileError,
  fromFsError,
  jsonErrorOffset,
  kindOfPath,
  kindOfPathSync,
  openRegularFileSync,
  parseJsonFile,
  readExactlySync,
  readRegularFile,
  readRegularFileSync,
  withRegularFile,
} from '../../extension/lab/io';
import {
  planSafetensors,
  readSafetensorsHeader,
  readTensorAsFloat32,
  writeSafetensors,
} from '../../extension/lab/models/safetensors';
import { hostileFolder } from '../helpers/hostileFiles';
import { freshDir } from '../helpers/paths';

const hostile = hostileFolder();

async function refusal(work: () => unknown): Promise<UserFileError> {
  try {
    await work();
  } catch (error) {
    assert.ok(error instanceof UserFileError, `a UserFileError, not ${String(error)}`);
    return error;
  }
  assert.fail('expected a UserFileError');
}

test('a FIFO is refused at once, sync and async, without waiting for a writer', async () => {
  for (const read of [
    () => readRegularFile(hostile.fifo, { limit: 'configJson' }),
    () => readRegularFileSync(hostile.fifo, { limit: 'configJson' }),
    () => openRegularFileSync(hostile.fifo),
    () => withRegularFile(hostile.fifo, {}, async () => 0),
    () => kindOfPath(hostile.fifo),
    () => kindOfPathSync(hostile.fifo),
  ]) {
    const e = await refusal(read);
    assert.equal(e.problem, 'not-a-regular-file');
    assert.equal(e.message, `${hostile.fifo} is a FIFO (named pipe), not a regular file: only regular files are read`);
  }
});

test('/dev/zero and /dev/null are devices: refused before a byte is read', async () => {
  for (const device of ['/dev/zero', '/dev/null']) {
    const e = await refusal(() => readRegularFile(device, { limit: 'configJson' }));
    assert.equal(e.problem, 'not-a-regular-file');
    assert.match(e.message, /is a character device, not a regular file/);
  }
});

test('a folder, a loop of links, an over-long name and a file in the way each get their own words', async () => {
  const folder = await refusal(() =>
    readRegularFile(join(hostile.dir, 'sub'), { limit: 'configJson', what: 'config file' }),
  );
  assert.equal(folder.message, `${join(hostile.dir, 'sub')} is a folder, not a config file`);
  const loop = await refusal(() => readRegularFile(hostile.loop, { limit: 'configJson' }));
  assert.equal(loop.message, `${hostile.loop} leads into a loop of symbolic links`);
  const long = await refusal(() => readRegularFile(hostile.tooLong, { limit: 'configJson' }));
  assert.equal(long.problem, 'bad-path');
  assert.match(long.message, /is too long for the file system/);
  assert.ok(long.message.length < 300, 'the 300-character name is shortened in the message');
  const inTheWay = await refusal(() => readRegularFile(hostile.fileInTheWay, { limit: 'configJson' }));
  assert.equal(
    inTheWay.message,
    `${join(hostile.dir, 'x.prompt')} is a file, not a folder, so there is no file at ${hostile.fileInTheWay}`,
  );
  const missing = await refusal(() => readRegularFile(join(hostile.dir, 'absent.json'), { limit: 'configJson' }));
  assert.equal(missing.problem, 'file-not-found');
});

test('permission and other errno codes become input errors; a bug stays a bug', () => {
  const denied = fromFsError(Object.assign(new Error('x'), { code: 'EACCES' }), '/p/config.json');
  assert.ok(denied instanceof UserFileError);
  assert.equal(denied.message, 'no permission to read /p/config.json');
  const nul = fromFsError(Object.assign(new TypeError('x'), { code: 'ERR_INVALID_ARG_VALUE' }), '/p/a\u0000b');
  assert.ok(nul instanceof UserFileError && nul.problem === 'bad-path');
  const bug = new RangeError('a bug');
  assert.equal(fromFsError(bug, '/p'), bug);
});

test('the size cap: a config.json over 1 MB is refused with both sizes, and reading stops at the cap', async () => {
  const dir = freshDir();
  const big = join(dir, 'config.json');
  writeFileSync(big, `{"model_type": "bert", "pad": "${'x'.repeat(SIZE_LIMITS.configJson)}"}`);
  const e = await refusal(() => readRegularFile(big, { limit: 'configJson', what: 'config file' }));
  assert.equal(e.problem, 'file-too-large');
  assert.match(e.message, /config\.json is 104\d{4} bytes; a config file may be at most 1048576 bytes$/);
  // A file that reports size 0 but has content (as under /proc) is still bounded by the cap.
  const proc = await readRegularFile('/proc/self/status', { limit: 1 << 20 });
  assert.ok(proc.length > 0);
  const capped = await refusal(() => readRegularFile('/proc/self/status', { limit: 16 }));
  assert.equal(capped.message, '/proc/self/status holds more than 16 bytes, the most a file may be');
});

test('a file that ends early is an error with both offsets, never an endless loop', async () => {
  const dir = freshDir();
  const path = join(dir, 'weights.bin');
  writeFileSync(path, Buffer.alloc(4096, 7));
  const file = openRegularFileSync(path);
  truncateSync(path, 1000);
  const e = await refusal(() => readExactlySync(file, new Uint8Array(2048), 512)).finally(() => closeSync(file.fd));
  assert.equal(e.problem, 'file-truncated');
  assert.match(e.message, /ended at byte 1000, before the 2 kB it should hold from byte 512/);
  const asyncError = await refusal(() => withRegularFile(path, {}, (f) => f.readExactly(new Uint8Array(100), 950)));
  assert.equal(asyncError.problem, 'file-truncated');
});

test('a weights file truncated after its header was read: readTensorAsFloat32 ends with an error', () => {
  const dir = freshDir();
  const path = join(dir, 'model.safetensors');
  const tensors = [
    { name: 'a', shape: [256] },
    { name: 'b', shape: [256] },
  ];
  writeSafetensors(path, tensors, planSafetensors(tensors, {}), () => new Float32Array(256).fill(1));
  const header = readSafetensorsHeader(path);
  const b = header.tensors.get('b')!;
  truncateSync(path, b.begin + 100);
  assert.throws(
    () => readTensorAsFloat32(path, b),
    (e: unknown) => e instanceof UserFileError && e.problem === 'file-truncated',
  );
  assert.deepEqual(readTensorAsFloat32(path, header.tensors.get('a')!), new Float32Array(256).fill(1));
});

test('JSON errors give the line and column and never the content', () => {
  const secret = 'root:x:0:0:SECRET-VALUE-123:/root:/bin/bash\n';
  const dir = freshDir();
  const path = join(dir, 'passwd');
  writeFileSync(path, secret);
  assert.throws(
    () => parseJsonFile(readFileSync(path), path),
    (e: unknown) =>
      e instanceof UserFileError &&
      e.message === `${path} is not valid JSON at line 1 column 1` &&
      !e.message.includes('root') &&
      !e.message.includes('SECRET'),
  );
  assert.throws(
    () => parseJsonFile('{\n  "a": 1,\n  "b": SECRET\n}', path),
    (e: unknown) => e instanceof UserFileError && /at line 3 column 8$/.test(e.message) && !/SECRET/.test(e.message),
  );
  assert.throws(
    () => parseJsonFile(Buffer.from([0x7b, 0xff, 0x7d]), path),
    (e: unknown) => e instanceof UserFileError && /is not UTF-8 text/.test(e.message),
  );
  assert.throws(
    () => parseJsonFile('  ', path),
    (e: unknown) => e instanceof UserFileError && /is empty/.test(e.message),
  );
  assert.deepEqual(parseJsonFile('\uFEFF{"a": [1, 2]}', path), { a: [1, 2] });
});

test('the JSON error locator agrees with JSON.parse on what is JSON (seeded random texts)', () => {
  const pieces = [
    '{',
    '}',
    '[',
    ']',
    ',',
    ':',
    '"a"',
    '"\\u00e9"',
    '"\\x"',
    '1',
    '-0.5e3',
    '01',
    'true',
    'nul',
    ' ',
    '\n',
    '"',
  ];
  let seed = 12345;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < 5000; i++) {
    const text = Array.from(
      { length: 1 + Math.floor(next() * 12) },
      () => pieces[Math.floor(next() * pieces.length)],
    ).join('');
    let valid = true;
    try {
      JSON.parse(text);
    } catch {
      valid = false;
    }
    const offset = jsonErrorOffset(text);
    assert.equal(offset === undefined, valid, JSON.stringify(text));
    if (offset !== undefined) assert.ok(offset >= 0 && offset <= text.length);
  }
  // Nesting deeper than any recursive parser's stack.
  assert.equal(jsonErrorOffset('['.repeat(200_000) + ']'.repeat(200_000)), undefined);
  assert.equal(jsonErrorOffset('['.repeat(200_000)), 200_000);
});
