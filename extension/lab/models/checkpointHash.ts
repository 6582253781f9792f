/**
 * What a checkpoint *is*, for the model cache: the sha256 of each of its safetensors files. Size and mtime
 * are not identity (a checkpoint rewritten with the same size and its mtime restored must not reuse the old
 * build), so the content decides. Hashing half a gigabyte takes about a second, so a hash is remembered —
 * in memory and in `<cacheDir>/checkpoint-hashes/` — together with the file's stat identity (device, inode,
 * size, mtime and ctime, in nanoseconds); it is reused only while all of those are unchanged. ctime cannot
 * be set back by `touch`, so an edit in place is always noticed and the file hashed again.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, type BigIntStats } from 'node:fs';
import { basename, join } from 'node:path';
import { CheckpointError, checkpointFiles } from './weightSource';
import { NotARegularFileError, sha256OfFile } from './fileHash';

/** One file of a checkpoint as the cache key and `meta.json` record it. */
export interface CheckpointFileContent {
  name: string;
  size: number;
  sha256: string;
}

export interface CheckpointContent {
  files: CheckpointFileContent[];
  /** The stat identity of each file when it was hashed: compared again after the import reads them. */
  identities: string[];
}

/** The stat fields that change whenever the file's content may have changed. */
function identityOf(path: string, s: BigIntStats): string {
  return JSON.stringify([path, String(s.dev), String(s.ino), String(s.size), String(s.mtimeNs), String(s.ctimeNs)]);
}

export function fileIdentity(path: string): string {
  return identityOf(path, statSync(path, { bigint: true }));
}

interface HashRecord {
  identity: string;
  size: number;
  sha256: string;
}

const remembered = new Map<string, HashRecord>();

function recordPath(cacheDir: string, file: string): string {
  return join(cacheDir, 'checkpoint-hashes', `${createHash('sha256').update(file).digest('hex').slice(0, 32)}.json`);
}

function readRecord(path: string): HashRecord | null {
  try {
    const r = JSON.parse(readFileSync(path, 'utf8')) as Partial<HashRecord>;
    return typeof r.identity === 'string' &&
      Number.isSafeInteger(r.size) &&
      typeof r.sha256 === 'string' &&
      /^[0-9a-f]{64}$/.test(r.sha256)
      ? { identity: r.identity, size: r.size!, sha256: r.sha256 }
      : null;
  } catch {
    return null; // none yet, or damaged: hash again
  }
}

function writeRecord(path: string, record: HashRecord): void {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(temp, JSON.stringify(record));
    renameSync(temp, path);
  } catch {
    rmSync(temp, { force: true }); // a read-only cache only costs a hash next time
  }
}

async function hashOf(file: string, cacheDir: string, signal?: AbortSignal): Promise<HashRecord> {
  const stat = statSync(file, { bigint: true });
  if (!stat.isFile()) throw new CheckpointError(`${file} is not a regular file`);
  const identity = identityOf(file, stat);
  const known = remembered.get(file);
  if (known?.identity === identity) return known;
  const stored = readRecord(recordPath(cacheDir, file));
  if (stored?.identity === identity) {
    remembered.set(file, stored);
    return stored;
  }
  let digest;
  try {
    digest = await sha256OfFile(file, signal);
  } catch (e) {
    if (e instanceof NotARegularFileError) throw new CheckpointError(e.message);
    throw e;
  }
  if (fileIdentity(file) !== identity)
    throw new CheckpointError(`${file} changed while it was being read; run again once it is written`);
  const record = { identity, size: digest.size, sha256: digest.sha256 };
  remembered.set(file, record);
  writeRecord(recordPath(cacheDir, file), record);
  return record;
}

/** The content of a checkpoint (file or folder), hashing only files that changed since they were last hashed. */
export async function checkpointContent(
  path: string,
  cacheDir: string,
  signal?: AbortSignal,
): Promise<CheckpointContent> {
  const files: CheckpointFileContent[] = [];
  const identities: string[] = [];
  for (const file of checkpointFiles(path)) {
    const record = await hashOf(file, cacheDir, signal);
    files.push({ name: basename(file), size: record.size, sha256: record.sha256 });
    identities.push(record.identity);
  }
  return { files, identities };
}

/** Throws if any file of the checkpoint changed since `content` was taken (it changed while it was imported). */
export function checkUnchanged(path: string, content: CheckpointContent): void {
  const now = checkpointFiles(path).map(fileIdentity);
  if (now.length !== content.identities.length || now.some((id, i) => id !== content.identities[i]))
    throw new CheckpointError(`${path} changed while it was being read; run again once it is written`);
}
