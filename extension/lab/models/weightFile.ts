/**
 * Writes a planned safetensors file tensor by tensor on this thread, letting events through between two
 * tensors, so a cancel is heard while a checkpoint is imported (or random weights are generated without
 * worker threads). One tensor is in memory at a time.
 */
import { closeSync, openSync } from 'node:fs';
import { throwIfCancelled, yieldToEvents } from '../cancel';
import { writeAll, type PlannedTensor, type SafetensorsLayout } from './safetensors';

export async function writeWeightsYielding<T extends PlannedTensor>(
  path: string,
  tensors: T[],
  layout: SafetensorsLayout,
  produce: (t: T) => Float32Array,
  signal?: AbortSignal,
): Promise<void> {
  const fd = openSync(path, 'w');
  try {
    writeAll(fd, layout.headerBytes);
    for (const t of tensors) {
      throwIfCancelled(signal);
      const data = produce(t);
      const spot = layout.offsets.get(t.name)!;
      if (data.byteLength !== spot.length)
        throw new Error(`internal: tensor ${t.name} has ${data.length} values, planned ${spot.length / 4}`);
      writeAll(fd, new Uint8Array(data.buffer, data.byteOffset, data.byteLength), spot.begin);
      await yieldToEvents();
    }
  } finally {
    closeSync(fd);
  }
}
