/**
 * safetensors files: read a header, read one tensor as float32, and write a file tensor by tensor
 * (so a 500 MB model never sits in memory twice). Format: 8-byte little-endian header length,
 * a JSON header `{name: {dtype, shape, data_offsets: [begin, end]}, __metadata__}`, then the bytes.
 */
import { closeSync, openSync, readSync, writeSync, fstatSync } from 'node:fs';

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

const MAX_HEADER = 100 * 1024 * 1024;

export function readSafetensorsHeader(path: string): SafetensorsHeader {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size < 8) throw new SafetensorsFormatError(`${path} is too short to be a safetensors file (${size} bytes)`);
    const lengthBytes = Buffer.alloc(8);
    readSync(fd, lengthBytes, 0, 8, 0);
    const headerLength = Number(lengthBytes.readBigUInt64LE(0));
    if (headerLength > MAX_HEADER || 8 + headerLength > size) {
      throw new SafetensorsFormatError(
        `${path} is not a safetensors file (header length ${headerLength} does not fit a ${size}-byte file)`,
      );
    }
    const headerBytes = Buffer.alloc(headerLength);
    readSync(fd, headerBytes, 0, headerLength, 8);
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(headerBytes.toString('utf8')) as Record<string, unknown>;
    } catch {
      throw new SafetensorsFormatError(`${path} is not a safetensors file (its header is not JSON)`);
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json))
      throw new SafetensorsFormatError(`${path} is not a safetensors file (its header is not a JSON object)`);
    const dataStart = 8 + headerLength;
    const tensors = new Map<string, TensorEntry>();
    let metadata: Record<string, string> = {};
    for (const [name, value] of Object.entries(json)) {
      if (name === '__metadata__') {
        metadata = (value ?? {}) as Record<string, string>;
        continue;
      }
      const entry = checkedEntry(path, name, value, dataStart);
      if (entry.end > size) throw new SafetensorsFormatError(`${path}: tensor ${name} lies outside the file`);
      tensors.set(name, entry);
    }
    return { tensors, metadata, dataStart };
  } finally {
    closeSync(fd);
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

/** One header entry, checked: a known dtype, a shape of counts, offsets whose span is exactly the tensor's bytes. */
function checkedEntry(path: string, name: string, value: unknown, dataStart: number): TensorEntry {
  const v = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
  const bad = (what: string) =>
    new SafetensorsFormatError(`${path}: tensor ${name} has ${what}; the file is damaged or not a safetensors file`);
  if (typeof v !== 'object' || v === null) throw bad('no description');
  if (typeof v.dtype !== 'string' || !(v.dtype in DTYPE_BYTES))
    throw bad(`an unknown dtype ${JSON.stringify(v.dtype)}`);
  if (!Array.isArray(v.shape) || !v.shape.every(isCount)) throw bad('no valid shape');
  const offsets = v.data_offsets;
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount) || offsets[0] > offsets[1])
    throw bad('no valid data_offsets');
  const dtype = v.dtype as SafetensorsDtype;
  const shape = v.shape as number[];
  const expected = shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[dtype];
  if (offsets[1] - offsets[0] !== expected)
    throw bad(`${offsets[1] - offsets[0]} bytes of data where ${dtype} [${shape}] needs ${expected}`);
  return { name, dtype, shape, begin: dataStart + offsets[0], end: dataStart + offsets[1] };
}

/** Reads one tensor and converts it to float32 (F32 is copied bit for bit; F16/BF16/F64 are widened or rounded). */
export function readTensorAsFloat32(path: string, entry: TensorEntry): Float32Array {
  const bytes = Buffer.alloc(entry.end - entry.begin);
  const fd = openSync(path, 'r');
  try {
    let done = 0;
    while (done < bytes.length) done += readSync(fd, bytes, done, bytes.length - done, entry.begin + done);
  } finally {
    closeSync(fd);
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
