/**
 * safetensors files: read a header, read one tensor as float32, and write a file tensor by tensor
 * (so a 500 MB model never sits in memory twice). Format: 8-byte little-endian header length,
 * a JSON header `{name: {dtype, shape, data_offsets: [begin, end]}, __metadata__}`, then the bytes.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { SIZE_LIMITS, foreignName, openRegularFileSync, readExactlySync, withRegularFile } from '../io';

export type SafetensorsDtype = 'F32' | 'F16' | 'BF16' | 'F64' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

export interface TensorEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  /** Absolute byte offset of the data in the file. */
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  tensors: Map<string, TensorEntry>;
  metadata: Record<string, string>;
  /** Where the data section starts. */
  dataStart: number;
}

/** Thrown for a file that is not a valid safetensors file; the caller turns it into a user-facing message. */
export class SafetensorsFormatError extends Error {}

/** The format's own limit on the header (safetensors refuses larger ones too). */
const MAX_HEADER = SIZE_LIMITS.safetensorsHeader;

/** Reads and checks a file's header: regular file only, every tensor inside the data, none overlapping. */
export function readSafetensorsHeader(path: string): SafetensorsHeader {
  const file = openRegularFileSync(path, { what: 'safetensors file' });
  try {
    const lengthBytes = Buffer.alloc(8);
    if (file.size < 8) throw tooShort(path, file.size);
    readExactlySync(file, lengthBytes, 0);
    const headerBytes = Buffer.alloc(headerLengthOf(path, lengthBytes, file.size));
    readExactlySync(file, headerBytes, 8);
    return parseHeader(path, headerBytes, file.size);
  } finally {
    closeSync(file.fd);
  }
}

/** The same without blocking the caller's thread (the language server checks `weights:` while the user types). */
export async function readSafetensorsHeaderAsync(path: string): Promise<SafetensorsHeader> {
  return withRegularFile(path, { what: 'safetensors file' }, async (file) => {
    if (file.size < 8) throw tooShort(path, file.size);
    const lengthBytes = Buffer.alloc(8);
    await file.readExactly(lengthBytes, 0);
    const headerBytes = Buffer.alloc(headerLengthOf(path, lengthBytes, file.size));
    await file.readExactly(headerBytes, 8);
    return parseHeader(path, headerBytes, file.size);
  });
}

function tooShort(path: string, size: number): SafetensorsFormatError {
  return new SafetensorsFormatError(`${path} is too short to be a safetensors file (${size} bytes)`);
}

function headerLengthOf(path: string, lengthBytes: Buffer, size: number): number {
  const headerLength = Number(lengthBytes.readBigUInt64LE(0));
  if (headerLength > MAX_HEADER || 8 + headerLength > size) {
    throw new SafetensorsFormatError(
      `${path} is not a safetensors file (header length ${headerLength} does not fit a ${size}-byte file)`,
    );
  }
  return headerLength;
}

function parseHeader(path: string, headerBytes: Buffer, size: number): SafetensorsHeader {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes));
  } catch {
    throw new SafetensorsFormatError(`${path} is not a safetensors file (its header is not JSON)`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new SafetensorsFormatError(`${path} is not a safetensors file (its header is not a JSON object)`);
  const dataStart = 8 + headerBytes.length;
  const dataLength = size - dataStart;
  const tensors = new Map<string, TensorEntry>();
  let metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(json)) {
    if (name === '__metadata__') {
      metadata = checkedMetadata(path, value);
      continue;
    }
    const entry = checkedEntry(path, name, value, dataStart);
    if (entry.end - dataStart > dataLength)
      throw new SafetensorsFormatError(
        `${path}: tensor ${foreignName(name)} lies outside the file (its data ends at byte ${entry.end}, the file has ${size})`,
      );
    tensors.set(name, entry);
  }
  checkNoOverlap(path, [...tensors.values()]);
  return { tensors, metadata, dataStart };
}

/** `__metadata__` is a map of text to text (safetensors' own rule); anything else means a damaged or forged file. */
function checkedMetadata(path: string, value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new SafetensorsFormatError(
      `${path}: \`__metadata__\` must be a map of text to text; the file is damaged or not a safetensors file`,
    );
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string')
      throw new SafetensorsFormatError(
        `${path}: \`__metadata__\` must be a map of text to text (${foreignName(k)} is not text); the file is damaged or not a safetensors file`,
      );
  }
  // fromEntries defines own properties: a key `__proto__` stays a key.
  const metadata = Object.fromEntries(Object.entries(value)) as Record<string, string>;
  return metadata;
}

/** Two tensors sharing bytes would alias each other's weights: a forged or damaged file. */
function checkNoOverlap(path: string, entries: TensorEntry[]): void {
  const sorted = entries.filter((e) => e.end > e.begin).sort((a, b) => a.begin - b.begin);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].begin < sorted[i - 1].end)
      throw new SafetensorsFormatError(
        `${path}: tensors ${foreignName(sorted[i - 1].name)} and ${foreignName(sorted[i].name)} overlap in the file; the file is damaged or not a safetensors file`,
      );
  }
}

const DTYPE_BYTES: Record<SafetensorsDtype, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

const isCount = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0;
const isDtype = (x: unknown): x is SafetensorsDtype => typeof x === 'string' && Object.hasOwn(DTYPE_BYTES, x);

/** One header entry, checked: a known dtype, a shape of counts, offsets whose span is exactly the tensor's bytes. */
function checkedEntry(path: string, name: string, value: unknown, dataStart: number): TensorEntry {
  const v = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
  const bad = (what: string) =>
    new SafetensorsFormatError(
      `${path}: tensor ${foreignName(name)} has ${what}; the file is damaged or not a safetensors file`,
    );
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad('no description');
  if (!isDtype(v.dtype))
    throw bad(typeof v.dtype === 'string' ? `an unknown dtype ${foreignName(v.dtype)}` : 'no dtype');
  if (!Array.isArray(v.shape) || !v.shape.every(isCount)) throw bad('no valid shape');
  const offsets = v.data_offsets;
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount) || offsets[0] > offsets[1])
    throw bad('no valid data_offsets');
  const dtype = v.dtype;
  const shape = v.shape as number[];
  const expected = shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[dtype];
  if (!Number.isSafeInteger(expected)) throw bad(`a shape too large to be real`);
  if (offsets[1] - offsets[0] !== expected)
    throw bad(`${offsets[1] - offsets[0]} bytes of data where ${dtype} [${shape}] needs ${expected}`);
  return { name, dtype, shape, begin: dataStart + offsets[0], end: dataStart + offsets[1] };
}

/** Reads one tensor and converts it to float32 (F32 is copied bit for bit; F16/BF16/F64 are widened or rounded). */
export function readTensorAsFloat32(path: string, entry: TensorEntry): Float32Array {
  const bytes = Buffer.alloc(entry.end - entry.begin);
  const file = openRegularFileSync(path, { what: 'safetensors file' });
  try {
    readExactlySync(file, bytes, entry.begin);
  } finally {
    closeSync(file.fd);
  }
  const count = entry.shape.reduce((a, b) => a * b, 1);
  switch (entry.dtype) {
    case 'F32':
      return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + count * 4));
    case 'F64': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = bytes.readDoubleLE(i * 8);
      return out;
    }
    case 'F16': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = halfToFloat(bytes.readUInt16LE(i * 2));
      return out;
    }
    case 'BF16': {
      const out = new Float32Array(count);
      const u32 = new Uint32Array(out.buffer);
      for (let i = 0; i < count; i++) u32[i] = bytes.readUInt16LE(i * 2) << 16;
      return out;
    }
    default:
      throw new SafetensorsFormatError(
        `tensor ${entry.name} has dtype ${entry.dtype}; only floating-point weights can be loaded`,
      );
  }
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

export interface PlannedTensor {
  name: string;
  shape: number[];
}

/** Byte layout of a float32 safetensors file, computed before any data is written. */
export interface SafetensorsLayout {
  headerBytes: Buffer;
  dataStart: number;
  /** Absolute offset of each tensor's data, in plan order. */
  offsets: Map<string, { begin: number; length: number }>;
}

/**
 * Lays out float32 tensors in the given order. The header is padded with spaces so the data starts
 * on a 64-byte boundary (allowed by the format; Hugging Face pads the same way).
 */
export function planSafetensors(tensors: PlannedTensor[], metadata: Record<string, string>): SafetensorsLayout {
  const header: Record<string, unknown> = { __metadata__: metadata };
  const relative = new Map<string, { begin: number; length: number }>();
  let cursor = 0;
  for (const t of tensors) {
    const length = t.shape.reduce((a, b) => a * b, 1) * 4;
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [cursor, cursor + length] };
    relative.set(t.name, { begin: cursor, length });
    cursor += length;
  }
  let json = JSON.stringify(header);
  const pad = (64 - ((8 + Buffer.byteLength(json)) % 64)) % 64;
  json += ' '.repeat(pad);
  const body = Buffer.from(json, 'utf8');
  const headerBytes = Buffer.alloc(8 + body.length);
  headerBytes.writeBigUInt64LE(BigInt(body.length), 0);
  body.copy(headerBytes, 8);
  const dataStart = headerBytes.length;
  const offsets = new Map<string, { begin: number; length: number }>();
  for (const [name, r] of relative) offsets.set(name, { begin: dataStart + r.begin, length: r.length });
  return { headerBytes, dataStart, offsets };
}

/**
 * Writes a planned file: `produce` is called once per tensor, in plan order, and its data written at once,
 * so only one tensor is in memory at a time.
 */
export function writeSafetensors<T extends PlannedTensor>(
  path: string,
  tensors: T[],
  layout: SafetensorsLayout,
  produce: (t: T) => Float32Array,
): void {
  const fd = openSync(path, 'w');
  try {
    writeAll(fd, layout.headerBytes);
    for (const t of tensors) {
      const data = produce(t);
      const expected = layout.offsets.get(t.name)!.length / 4;
      if (data.length !== expected)
        throw new Error(`internal: tensor ${t.name} has ${data.length} values, planned ${expected}`);
      writeAll(fd, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    }
  } finally {
    closeSync(fd);
  }
}

/** Writes every byte (writeSync may write fewer than asked), at `position` or at the file's current offset. */
export function writeAll(fd: number, bytes: Uint8Array, position?: number): void {
  let done = 0;
  while (done < bytes.length)
    done += writeSync(fd, bytes, done, bytes.length - done, position === undefined ? null : position + done);
}
