/**
 * The memory limit of the control group this process runs in (containers, systemd slices, CI runners):
 * cgroup v2 `memory.max` or v1 `memory.limit_in_bytes`, the smallest along the path from our group up to
 * the hierarchy's mount point (a parent's limit binds its children), and how much of it is in use
 * (the working set: usage minus inactive file cache, as `docker stats` and the kubelet count it).
 * `os.totalmem()` reports the host's memory, which a container cannot have.
 *
 * Paths come from /proc/self/cgroup (which group) and /proc/self/mountinfo (where the hierarchy is
 * mounted and which group its root is); every file is read by the safe-read rules (readSmallFile).
 * `root` prefixes every absolute path, so tests can lay out a fake /proc and /sys.
 */
import { join, posix } from 'node:path';
import { readSmallFile } from './smallFile';

export interface CgroupMemory {
  /** The smallest memory limit on the way up, in bytes. */
  limit: number;
  /** Memory the group uses now that it cannot simply drop (usage − inactive file cache); null if unknown. */
  workingSet: number | null;
  /** The file the binding limit was read from (for messages). */
  source: string;
}

/** Limits at or above this mean "no limit" (v1 writes 2^63 rounded down to a page; v2 writes "max"). */
const UNLIMITED = 2 ** 60;

interface Hierarchy {
  version: 1 | 2;
  /** Where the hierarchy is mounted, e.g. /sys/fs/cgroup or /sys/fs/cgroup/memory. */
  mountPoint: string;
  /** The folder of our group under it. */
  groupDir: string;
}

export function readCgroupMemory(root = '/'): CgroupMemory | null {
  const at = (p: string) => join(root, p);
  const membership = readSmallFile(at('/proc/self/cgroup'));
  const mounts = readSmallFile(at('/proc/self/mountinfo'), 1024 * 1024);
  if (membership === undefined || mounts === undefined) return null;
  const found: CgroupMemory[] = [];
  for (const h of hierarchies(membership, mounts)) {
    const limitFile = h.version === 2 ? 'memory.max' : 'memory.limit_in_bytes';
    let best: { limit: number; dir: string } | null = null;
    // From our group up to the mount point: a parent's limit applies to everything below it.
    for (let dir = h.groupDir; ; dir = posix.dirname(dir)) {
      const limit = parseLimit(readSmallFile(at(posix.join(dir, limitFile)), 64));
      if (limit !== null && (best === null || limit < best.limit)) best = { limit, dir };
      if (dir === h.mountPoint || !dir.startsWith(h.mountPoint + '/')) break;
    }
    if (!best) continue;
    found.push({
      limit: best.limit,
      workingSet: workingSet(h, (p) => readSmallFile(at(posix.join(h.groupDir, p)))),
      source: posix.join(best.dir, limitFile),
    });
  }
  if (found.length === 0) return null;
  return found.reduce((a, b) => (b.limit < a.limit ? b : a));
}

function parseLimit(text: string | undefined): number | null {
  if (text === undefined) return null;
  const t = text.trim();
  if (!/^\d+$/.test(t)) return null; // "max", empty, or garbage
  const n = Number(t);
  return n > 0 && n < UNLIMITED ? n : null;
}

function workingSet(h: Hierarchy, read: (file: string) => string | undefined): number | null {
  const usage = parseLimit(read(h.version === 2 ? 'memory.current' : 'memory.usage_in_bytes'));
  if (usage === null) return null;
  const stat = read('memory.stat') ?? '';
  const key = h.version === 2 ? 'inactive_file' : 'total_inactive_file';
  const inactive = Number(new RegExp(`^${key} (\\d+)$`, 'm').exec(stat)?.[1] ?? 0);
  return Math.max(0, usage - inactive);
}

/** The memory hierarchies this process belongs to: v2's unified one and/or v1's `memory` controller. */
function hierarchies(membership: string, mountinfo: string): Hierarchy[] {
  const result: Hierarchy[] = [];
  for (const line of membership.split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line.trim());
    if (!m) continue;
    const [, id, controllers, path] = m;
    const version = id === '0' && controllers === '' ? 2 : controllers.split(',').includes('memory') ? 1 : null;
    if (version === null) continue;
    const mount = findMount(mountinfo, version);
    if (!mount) continue;
    // The mount shows the hierarchy from `mount.root` down; our path is relative to that.
    const relative = relativeTo(mount.root, path);
    // A group outside what is mounted (another namespace's view) cannot be read: fall back to the mount's root.
    const groupDir = relative === null ? mount.point : posix.join(mount.point, relative);
    result.push({ version, mountPoint: mount.point, groupDir });
  }
  return result;
}

/** `path` below `base` without the leading slash ('' when equal), or null when it is not below it. */
function relativeTo(base: string, path: string): string | null {
  if (base === '/') return path.startsWith('/') ? path.slice(1) : null;
  if (path === base) return '';
  return path.startsWith(base + '/') ? path.slice(base.length + 1) : null;
}

function findMount(mountinfo: string, version: 1 | 2): { point: string; root: string } | null {
  for (const line of mountinfo.split('\n')) {
    // id parent major:minor root mountpoint options [optional fields...] - fstype source superoptions
    const dash = line.indexOf(' - ');
    if (dash < 0) continue;
    const before = line.slice(0, dash).split(' ');
    const after = line.slice(dash + 3).split(' ');
    const [fstype, , superOptions = ''] = after;
    const fits =
      version === 2 ? fstype === 'cgroup2' : fstype === 'cgroup' && superOptions.split(',').includes('memory');
    if (fits && before.length >= 5) return { root: unescapeMount(before[3]), point: unescapeMount(before[4]) };
  }
  return null;
}

/** mountinfo writes spaces, tabs, newlines and backslashes in paths as octal escapes. */
function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}
