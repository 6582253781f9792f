/**
 * The caps a plan is held against: a memory limit and a model-cache size limit, each with where it came
 * from, so a refusal can say how to change it. Front ends pass what the user set (a CLI flag, an
 * environment variable, a VS Code setting) and how they would name it; the defaults are set here.
 */
import { formatBytes } from '../../protocol/sizes';
import type { MachineMemory } from './machine';

/** The default memory limit: this share of the machine's memory (or of the cgroup limit, when smaller). */
export const DEFAULT_MEMORY_FRACTION = 0.75;
/** The default size limit of the model cache. A full-size model takes 0.4–0.7 GB. */
export const DEFAULT_CACHE_LIMIT = 10e9;

export interface Limit {
  bytes: number;
  /** Where the number comes from and how to change it, e.g. "--memory-limit 18GB". */
  source: string;
}

export interface ResourceLimits {
  memory: Limit;
  cache: Limit;
}

/** What a user set (with where, e.g. "set by --memory-limit 18GB"), and how the front end names the knobs. */
export interface LimitSettings {
  memoryLimit?: Limit | null;
  cacheLimit?: Limit | null;
  /** For the "… sets another" hint of a default, e.g. "--memory-limit" or "the setting `perturbationLab.memoryLimit`". */
  memoryKnob: string;
  cacheKnob: string;
}

export function resolveLimits(settings: LimitSettings, machine: MachineMemory): ResourceLimits {
  return {
    memory: settings.memoryLimit ?? defaultMemoryLimit(machine, settings.memoryKnob),
    cache: settings.cacheLimit ?? {
      bytes: DEFAULT_CACHE_LIMIT,
      source: `the default; ${settings.cacheKnob} sets another`,
    },
  };
}

function defaultMemoryLimit(machine: MachineMemory, knob: string): Limit {
  const percent = `${Math.round(DEFAULT_MEMORY_FRACTION * 100)} %`;
  if (machine.cgroup && machine.cgroup.limit < machine.total) {
    return {
      bytes: Math.floor(machine.cgroup.limit * DEFAULT_MEMORY_FRACTION),
      source: `${percent} of the ${formatBytes(machine.cgroup.limit)} this process's control group may use (${machine.cgroup.source}); ${knob} sets another`,
    };
  }
  return {
    bytes: Math.floor(machine.total * DEFAULT_MEMORY_FRACTION),
    source: `${percent} of this machine's ${formatBytes(machine.total)}; ${knob} sets another`,
  };
}
