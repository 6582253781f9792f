/** Hand-made safetensors files for tests: any header (valid or forged) over any data bytes. */
import { writeFileSync } from 'node:fs';

export function writeRawSafetensors(path: string, header: unknown, data: Buffer): void {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  writeFileSync(path, Buffer.concat([length, json, data]));
}
