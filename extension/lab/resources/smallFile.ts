/**
 * Reads a small system file (a cgroup limit, /proc/self/cgroup) by the safe-read rules: opened
 * non-blocking so a FIFO cannot hang the open, checked with fstat to be a regular file (no FIFO, device,
 * socket or directory), and never more than `cap` bytes. Anything else reads as undefined: these files
 * are hints about the machine, and a missing or odd one means "no limit known", never an error.
 * (cgroupfs and procfs files are regular files whose stat size is 0, so the cap, not the size, bounds it.)
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

export function readSmallFile(path: string, cap = 64 * 1024): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch {
    return undefined;
  }
  try {
    if (!fstatSync(fd).isFile()) return undefined;
    const buffer = Buffer.alloc(cap);
    let length = 0;
    while (length < cap) {
      const n = readSync(fd, buffer, length, cap - length, null);
      if (n === 0) break;
      length += n;
    }
    return buffer.toString('utf8', 0, length);
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}
