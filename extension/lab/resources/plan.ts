/**
 * The resource plan: before a model is built, opened or run, its memory and disk needs are estimated
 * (modelSize.ts, activations.ts) and held against the machine and the caps (limits.ts). What cannot fit is
 * refused with the numbers and the keys that drive them; what fits but is large is split into passes.
 * Nothing here allocates more than a shallow copy of the model's graph, and nothing is written.
 */
import { constants as bufferConstants } from 'node:buffer';
import { formatBytes, formatCount } from '../../protocol/sizes';
import type { ArchitectureDims } from '../models/architecture';
import { dimsOf } from '../models/registry';
import type { HubPlan } from '../hub/types';
import type { ModelSpec } from '../types';
import { passBytes, perInputBytes, keptOutputBytes, PASS_OVERHEAD_BYTES, type BatchShape } from './activations';
import { describeDrivers, sizeDrivers } from './drivers';
import type { ResourceLimits } from './limits';
import { freeDisk, type MachineMemory } from './machine';
import { readSafetensorsHeader } from '../models/safetensors';
import { checkpointFiles } from '../models/weightSource';
import {
  checkpointBytes,
  DTYPE_BYTES,
  type StoredDtype,
  countGraphNodes,
  countParameters,
  estimateModel,
  GRAPH_NODE_BYTES,
  MAX_GRAPH_NODES,
  type ModelSize,
} from './modelSize';

/**
 * A process running the lab holds this much before any model: Node, onnxruntime, transformers.js and
 * the tokenizers. Measured: a CLI comparison of two tiny models peaks at 175–200 MB.
 */
export const PROCESS_BASELINE_BYTES = 200e6;
/**
 * One forward pass gets at most this much, however high the limit: beyond it a bigger batch saves no
 * time (the work grows with the inputs anyway) and only raises the peak. With it a 500-token × 20-variant
 * bert-base case runs in 3–4 passes and peaks under 1.5 GB instead of 5.6 GB in one.
 */
export const PASS_BUDGET_BYTES = 768e6;
/** And at most this many inputs, so a file with thousands of variants reports progress as it goes. */
export const MAX_INPUTS_PER_PASS = 64;
/** The largest array Node can allocate (buffer.constants.MAX_LENGTH bytes): a tensor must fit in one. */
export const MAX_ARRAY_BYTES = bufferConstants.MAX_LENGTH;

export type ResourceProblem =
  'model-too-large' | 'model-too-deep' | 'tensor-too-large' | 'cache-too-small' | 'disk-full' | 'input-too-large';

/** A plan that cannot be met; front ends attach the place in the prompt file (the model entry, the case). */
export class ResourceError extends Error {
  constructor(
    readonly code: ResourceProblem,
    message: string,
  ) {
    super(message);
    this.name = 'ResourceError';
  }
}

export interface PlanContext {
  limits: ResourceLimits;
  machine: MachineMemory;
  /** What this process holds now (its RSS): memory the OS reports as used but the plan may count on. */
  heldNow?: number;
}

/** The tightest bound on the memory of this process, and how to say it. */
export interface Ceiling {
  bytes: number;
  text: string;
}

export function memoryCeiling(ctx: PlanContext): Ceiling {
  const { limits, machine } = ctx;
  const held = ctx.heldNow ?? process.memoryUsage().rss;
  const candidates: Ceiling[] = [
    { bytes: limits.memory.bytes, text: `limit ${formatBytes(limits.memory.bytes)} (${limits.memory.source})` },
    { bytes: machine.total, text: `this machine has ${formatBytes(machine.total)} of memory` },
    {
      bytes: machine.available + held,
      text: `only ${formatBytes(machine.available + held)} of memory is available now (of ${formatBytes(machine.total)})`,
    },
  ];
  if (machine.cgroup)
    candidates.push({
      bytes: machine.cgroup.limit,
      text: `this process's control group may use ${formatBytes(machine.cgroup.limit)} (${machine.cgroup.source})`,
    });
  return candidates.reduce((a, b) => (b.bytes < a.bytes ? b : a));
}

export interface ModelPlan {
  spec: ModelSpec;
  /** The dtype a `weights:` checkpoint stores (most of) its weights in; null for random weights. */
  checkpointDtype: StoredDtype | null;
  dims: ArchitectureDims;
  size: ModelSize;
  /** This process's memory with the model open, before any pass. */
  openBytes: number;
  ceiling: Ceiling;
}

/** Checks that a model can be built and opened; throws a ResourceError with the numbers when not. */
export function planModel(spec: ModelSpec, ctx: PlanContext): ModelPlan {
  const dims = dimsOf(spec.config);
  const checkpointDtype = storedDtypeOf(spec, dims);
  const size = estimateModel(dims, {
    fromCheckpoint: spec.weights !== undefined,
    checkpointDtype: checkpointDtype ?? undefined,
  });
  const ceiling = memoryCeiling(ctx);
  const openBytes = PROCESS_BASELINE_BYTES + size.residentBytes;
  const graphBytes = size.graphNodes * GRAPH_NODE_BYTES;
  const need = Math.max(PROCESS_BASELINE_BYTES + size.buildBytes, openBytes + PASS_OVERHEAD_BYTES);
  const tooLarge = () => {
    const drivers = describeDrivers(spec, sizeDrivers(spec, countParameters));
    return new ResourceError(
      'model-too-large',
      `${spec.name}: ${drivers} → ${formatCount(size.parameters)} parameters = ${formatBytes(size.weightBytes)} float32${stored(checkpointDtype, size)}, ${formatBytes(need)} with the runtime to build and open; ${ceiling.text}`,
    );
  };
  // The weights alone first: that is the number people know their models by.
  if (need - graphBytes > ceiling.bytes) throw tooLarge();
  if (size.graphNodes > MAX_GRAPH_NODES) {
    const drivers = describeDrivers(spec, sizeDrivers(spec, countGraphNodes));
    const maxLayers = Math.floor(size.layers - (size.graphNodes - MAX_GRAPH_NODES) / size.graphNodesPerLayer);
    throw new ResourceError(
      'model-too-deep',
      `${spec.name}: ${drivers} → ${size.layers} layers = ${formatCount(size.graphNodes)} graph nodes; onnxruntime needs minutes to open a graph of more than ${formatCount(MAX_GRAPH_NODES)} nodes (measured: 17.2 k nodes took 136 s), so the lab builds at most about ${maxLayers} layers of this model`,
    );
  }
  const largestBytes = size.largestTensor.elements * 4;
  if (largestBytes > MAX_ARRAY_BYTES) {
    const drivers = describeDrivers(
      spec,
      sizeDrivers(spec, (d) => estimateModel(d).largestTensor.elements),
    );
    throw new ResourceError(
      'tensor-too-large',
      `${spec.name}: ${drivers} → \`${size.largestTensor.name}\` holds ${formatCount(size.largestTensor.elements)} values = ${formatBytes(largestBytes)} float32; one array holds at most ${formatBytes(MAX_ARRAY_BYTES)}`,
    );
  }
  if (need > ceiling.bytes) throw tooLarge();
  return { spec, checkpointDtype, dims, size, openBytes, ceiling };
}

/** " (the checkpoint stores BF16: 2.2 GB; computed in float32)", or nothing for float32 and random weights. */
function stored(dtype: StoredDtype | null, size: ModelSize): string {
  if (dtype === null || dtype === 'F32') return '';
  return ` (the checkpoint stores ${dtype}: ${formatBytes(checkpointBytes(size, dtype))}; the lab computes in float32)`;
}

/**
 * The dtype most of a checkpoint's weights are stored in, from its safetensors headers (a few kB each): what
 * it takes to read it, and what to tell a user whose 2.2 GB BF16 download needs 4.4 GB here. A `from:` model
 * planned from the Hub's listing may have no headers yet: its dtype follows from the listing (bytes per parameter).
 */
function storedDtypeOf(spec: ModelSpec, dims: ArchitectureDims): StoredDtype | null {
  if (spec.weights === undefined) return null;
  if (spec.hub?.plan.source === 'hub') return listedDtype(spec.hub.plan, dims);
  const elements = new Map<string, number>();
  for (const file of checkpointFiles(spec.weights))
    for (const t of readSafetensorsHeader(file).tensors.values())
      elements.set(t.dtype, (elements.get(t.dtype) ?? 0) + t.shape.reduce((a, b) => a * b, 1));
  const [dtype] = [...elements].sort((a, b) => b[1] - a[1])[0] ?? ['F32'];
  return Object.hasOwn(DTYPE_BYTES, dtype) ? (dtype as StoredDtype) : 'F32';
}

/** 2 bytes a parameter: F16 or BF16 (the config's `torch_dtype` says which; they cost the same to read). */
function listedDtype(plan: HubPlan, dims: ArchitectureDims): StoredDtype {
  const perParameter = plan.weightBytes / Math.max(1, countParameters(dims));
  if (perParameter < 3) return plan.config['torch_dtype'] === 'float16' ? 'F16' : 'BF16';
  return perParameter < 6 ? 'F32' : 'F64';
}

export interface DiskState {
  /** The model is in the cache already: nothing to write. */
  cached: boolean;
  /** Bytes of cache entries no process uses (the cache may remove them to make room). */
  evictable: number;
  cacheDir: string;
}

/** Checks that a model's cache entry can be written: under the cache limit and on the free disk. */
export function planDisk(plan: ModelPlan, ctx: PlanContext, disk: DiskState): void {
  if (disk.cached) return;
  const need = plan.size.diskBytes;
  const { spec } = plan;
  const what = `${spec.name}: ${describeDrivers(spec, sizeDrivers(spec, countParameters))} → ${formatCount(plan.size.parameters)} parameters = ${formatBytes(need)} in the model cache`;
  const limit = ctx.limits.cache;
  if (need > limit.bytes)
    throw new ResourceError('cache-too-small', `${what}; cache limit ${formatBytes(limit.bytes)} (${limit.source})`);
  const free = freeDisk(disk.cacheDir);
  if (free !== null && need > free + disk.evictable) {
    const reclaim =
      disk.evictable > 0 ? ` (and ${formatBytes(disk.evictable)} of unused models the cache can remove)` : '';
    throw new ResourceError(
      'disk-full',
      `${what}; the disk holding ${disk.cacheDir} has ${formatBytes(free)} free${reclaim}`,
    );
  }
}

export interface PassPlan {
  inputsPerPass: number;
  passes: number;
  /** Estimated memory of one full pass. */
  passBytes: number;
}

/**
 * Splits `inputs` inputs padded to one length into passes that fit beside the open model and the
 * `kept` inputs whose outputs stay for the whole case (base and control). Throws when one input alone
 * does not fit.
 */
export function planPasses(
  plan: ModelPlan,
  shape: Omit<BatchShape, 'inputs'> & { inputs: number; kept: number },
): PassPlan {
  const { spec, dims, size } = plan;
  const per = perInputBytes(dims, shape, size.hasLmHead);
  const room =
    plan.ceiling.bytes -
    plan.openBytes -
    shape.kept * keptOutputBytes(dims, shape.length, size.hasLmHead) -
    PASS_OVERHEAD_BYTES;
  if (per > room) {
    const drivers = sizeDrivers(spec, (d) => perInputBytes(d, shape, size.hasLmHead));
    const because = [
      ...(drivers.length > 0 ? [describeDrivers(spec, drivers)] : []),
      ...(shape.train ? ["train mode's dropout masks"] : []),
      ...(shape.attentions ? ['attention maps'] : []),
    ];
    throw new ResourceError(
      'input-too-large',
      `${spec.name}: one ${shape.length}-token input needs ${formatBytes(per)} for a forward pass${because.length > 0 ? ` (${because.join(', ')})` : ''}, beside the ${formatBytes(plan.openBytes)} of the open model; ${plan.ceiling.text}`,
    );
  }
  const budget = Math.min(PASS_BUDGET_BYTES - PASS_OVERHEAD_BYTES, room);
  const inputsPerPass = Math.max(1, Math.min(MAX_INPUTS_PER_PASS, Math.floor(budget / per), shape.inputs));
  return {
    inputsPerPass,
    passes: Math.ceil(shape.inputs / inputsPerPass),
    passBytes: passBytes(dims, { ...shape, inputs: inputsPerPass }, size.hasLmHead),
  };
}
