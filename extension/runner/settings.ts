/** What the runner makes of the host's settings: threads clamped to the cores, the memory and cache caps. */
import type { RunnerSettings } from '../protocol/runner';
import type { StoreOptions } from '../lab/models/modelStore';
import { clampThreads, formatBytes, readMachineMemory, resolveLimits } from '../lab/resources';

export function storeOptions(settings: RunnerSettings): StoreOptions {
  const setBy = (bytes: number, key: string) => ({
    bytes,
    source: `set by \`perturbationLab.${key}\`: ${formatBytes(bytes)}`,
  });
  return {
    intraOpThreads: clampThreads(settings.threads),
    // Comparisons read hidden states and logits only: sessions open without the attention outputs.
    attentions: false,
    limits: resolveLimits(
      {
        memoryLimit: settings.memoryLimit == null ? null : setBy(settings.memoryLimit, 'memoryLimit'),
        cacheLimit: settings.cacheSizeLimit == null ? null : setBy(settings.cacheSizeLimit, 'cacheSizeLimit'),
        memoryKnob: 'the setting `perturbationLab.memoryLimit`',
        cacheKnob: 'the setting `perturbationLab.cacheSizeLimit`',
      },
      readMachineMemory(),
    ),
  };
}
