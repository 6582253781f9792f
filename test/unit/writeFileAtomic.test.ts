/** The host's report export writes beside the target and renames: a failed write leaves the old file whole. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../extension/host/writeFileAtomic';
import { freshDir } from '../helpers/paths';

test('a report export replaces the file whole, and a failed one leaves what was there and no temporary file', async () => {
  const dir = freshDir();
  const target = join(dir, 'seed.report.json');
  writeFileSync(target, 'old');
  await writeFileAtomic(target, '{"new":true}\n');
  assert.equal(readFileSync(target, 'utf8'), '{"new":true}\n');
  const occupied = join(dir, 'taken');
  mkdirSync(join(occupied, 'inside'), { recursive: true });
  await assert.rejects(writeFileAtomic(occupied, 'x'));
  assert.deepEqual(readdirSync(dir).sort(), ['seed.report.json', 'taken']);
});
