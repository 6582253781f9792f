/**
 * What the machine offers, read from the real files' layouts: cgroup v2 and v1 trees laid out under a
 * temporary root as the kernel shows them (nested limits, a container's view, "max", an unlimited v1
 * value), and the safe-read rules on the way (a FIFO or a device is never read, nothing blocks).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readCgroupMemory } from '../../extension/lab/resources/cgroup';
import { readSmallFile } from '../../extension/lab/resources/smallFile';
import { freeDisk, readMachineMemory } from '../../extension/lab/resources';
import { freshDir } from '../helpers/paths';

function tree(files: Record<string, string>): string {
  const root = freshDir('plab-cgroup-');
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const V2_MOUNT = '30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw\n';

test('cgroup v2: the smallest memory.max from our group up to the mount, and the working set', () => {
  const root = tree({
    '/proc/self/cgroup': '0::/user.slice/app.scope\n',
    '/proc/self/mountinfo': '22 1 8:1 / / rw - ext4 /dev/vda rw\n' + V2_MOUNT,
    '/sys/fs/cgroup/memory.max': 'max\n',
    '/sys/fs/cgroup/user.slice/memory.max': '8589934592\n',
    '/sys/fs/cgroup/user.slice/app.scope/memory.max': 'max\n',
    '/sys/fs/cgroup/user.slice/app.scope/memory.current': '2000000000\n',
    '/sys/fs/cgroup/user.slice/app.scope/memory.stat': 'anon 1400000000\nfile 600000000\ninactive_file 500000000\n',
  });
  assert.deepEqual(readCgroupMemory(root), {
    limit: 8589934592,
    workingSet: 1_500_000_000,
    source: '/sys/fs/cgroup/user.slice/memory.max',
  });
});

test("cgroup v1 in a container: the mount's root is our group; an unlimited value is no limit", () => {
  const mountinfo = '35 31 0:32 /docker/abc /sys/fs/cgroup/memory rw,nosuid - cgroup cgroup rw,memory\n';
  const limited = tree({
    '/proc/self/cgroup': '5:cpu,cpuacct:/docker/abc\n4:memory:/docker/abc\n',
    '/proc/self/mountinfo': mountinfo,
    '/sys/fs/cgroup/memory/memory.limit_in_bytes': '4294967296\n',
    '/sys/fs/cgroup/memory/memory.usage_in_bytes': '1000000000\n',
    '/sys/fs/cgroup/memory/memory.stat': 'cache 1\ntotal_inactive_file 200000000\n',
  });
  assert.deepEqual(readCgroupMemory(limited), {
    limit: 4294967296,
    workingSet: 800_000_000,
    source: '/sys/fs/cgroup/memory/memory.limit_in_bytes',
  });
  const unlimited = tree({
    '/proc/self/cgroup': '4:memory:/docker/abc\n',
    '/proc/self/mountinfo': mountinfo,
    '/sys/fs/cgroup/memory/memory.limit_in_bytes': '9223372036854771712\n',
  });
  assert.equal(readCgroupMemory(unlimited), null);
  assert.equal(readCgroupMemory(freshDir()), null, 'no /proc at all: no limit known');
});

test('a FIFO or a device where a limit file should be is not read and blocks nothing', () => {
  const root = tree({ '/proc/self/cgroup': '0::/\n', '/proc/self/mountinfo': V2_MOUNT });
  mkdirSync(join(root, 'sys/fs/cgroup'), { recursive: true });
  execFileSync('mkfifo', [join(root, 'sys/fs/cgroup/memory.max')]);
  assert.equal(readCgroupMemory(root), null);
  assert.equal(readSmallFile(join(root, 'sys/fs/cgroup/memory.max')), undefined);
  assert.equal(readSmallFile('/dev/zero'), undefined);
  assert.equal(readSmallFile(root), undefined, 'a directory');
  assert.equal(readSmallFile(join(root, 'missing')), undefined);
  // A regular file is read, at most `cap` bytes of it.
  writeFileSync(join(root, 'big'), 'x'.repeat(100_000));
  assert.equal(readSmallFile(join(root, 'big'), 10), 'xxxxxxxxxx');
});

test('this machine: memory is read and sane; free disk is asked of the nearest existing folder', () => {
  const m = readMachineMemory();
  assert.ok(m.total > 0 && m.available > 0 && m.available <= m.total, JSON.stringify(m));
  const free = freeDisk(join(freshDir(), 'not', 'yet', 'there'));
  assert.ok(free !== null && free > 0);
});
