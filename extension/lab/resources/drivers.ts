/**
 * Which config keys make a model as big as it is, for messages such as "`hidden_size: 65536` → 23.9 B
 * parameters". Found by measuring, not by a table of key names per family: each numeric key that differs
 * from its class default is set back to the default, and the keys whose change shrinks the measure most
 * are named. So a new family's keys are named without anyone listing them.
 */
import type { ArchitectureDims } from '../models/architecture';
import { dimsOf, moduleOf } from '../models/registry';
import type { HfConfig, ModelSpec } from '../types';

export interface Driver {
  key: string;
  value: unknown;
  /** How many times larger the measure is with this key than with its default. */
  factor: number;
}

/** A key counts when setting it back to its default shrinks the measure at least this much. */
const MIN_FACTOR = 1.5;
const MAX_DRIVERS = 3;

export function sizeDrivers(spec: ModelSpec, measure: (d: ArchitectureDims) => number): Driver[] {
  const defaults = moduleOf(spec.architecture).defaults as Record<string, unknown>;
  const actual = measure(dimsOf(spec.config));
  const drivers: Driver[] = [];
  for (const [key, value] of Object.entries(spec.config)) {
    const fallback = defaults[key];
    if (typeof value !== 'number' || typeof fallback !== 'number' || value === fallback) continue;
    let smaller: number;
    try {
      smaller = measure(dimsOf({ ...spec.config, [key]: fallback } as HfConfig));
    } catch {
      continue; // the default does not fit the other keys (e.g. a hidden size the heads do not divide)
    }
    const factor = smaller > 0 ? actual / smaller : Infinity;
    if (factor >= MIN_FACTOR) drivers.push({ key, value, factor });
  }
  return drivers.sort((a, b) => b.factor - a.factor).slice(0, MAX_DRIVERS);
}

/** "`hidden_size: 65536`, `n_layer: 48`", or the model's config source when no key stands out. */
export function describeDrivers(spec: ModelSpec, drivers: Driver[]): string {
  if (drivers.length === 0) return `\`config: ${spec.configSource}\``;
  return drivers.map((d) => `\`${d.key}: ${String(d.value)}\``).join(', ');
}
