/**
 * What this machine offers, read fresh before each plan: memory (total, available now, a cgroup limit),
 * cores, and the free disk of a folder. Nothing here allocates or writes.
 */
import { statfsSync } from 'node:fs';
import { availableParallelism, freemem, totalmem } from 'node:os';
import { dirname, resolve } from 'node:path';
import { readCgroupMemory, type CgroupMemory } from './cgroup';

export interface MachineMemory {
  /** Physical memory (os.totalmem()). */
  total: number;
  /** Memory a new allocation can get now: the OS's available memory, and the cgroup's headroom if tighter. */
  available: number;
  cgroup: CgroupMemory | null;
}

export function readMachineMemory(cgroupRoot?: string): MachineMemory {
  const cgroup = readCgroupMemory(cgroupRoot);
  const total = totalmem();
  // On Linux, libuv's free memory is /proc/meminfo's MemAvailable (free + reclaimable cache).
  let available = freemem();
  if (cgroup && cgroup.workingSet !== null)
    available = Math.min(available, Math.max(0, cgroup.limit - cgroup.workingSet));
  return { total, available, cgroup };
}

export function cores(): number {
  return availableParallelism();
}

/**
 * Bytes an unprivileged process can still write in the file system that holds `path` (which need
 * not exist yet: the nearest existing folder above it is asked). Null when it cannot be told.
 */
export function freeDisk(path: string): number | null {
  for (let dir = resolve(path); ; dir = dirname(dir)) {
    try {
      const s = statfsSync(dir);
      return Number(s.bavail) * Number(s.bsize);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || dirname(dir) === dir) return null;
    }
  }
}

/**
 * onnxruntime's intra-op threads for a request: at most one per core (more only adds stacks and
 * contention: `--threads 100000` grew to 5 GB without opening the model); 0 or nothing lets onnxruntime
 * choose, which is one per core.
 */
export function clampThreads(requested: number | undefined, available = cores()): number | undefined {
  if (requested === undefined || requested <= 0) return undefined;
  return Math.min(requested, available);
}
