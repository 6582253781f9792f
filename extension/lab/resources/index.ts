/** Resource planning: estimate memory and disk before anything is allocated, hold them against the machine and the caps. */
export { readMachineMemory, freeDisk, cores, clampThreads, type MachineMemory } from './machine';
export {
  resolveLimits,
  DEFAULT_CACHE_LIMIT,
  DEFAULT_MEMORY_FRACTION,
  type Limit,
  type LimitSettings,
  type ResourceLimits,
} from './limits';
export {
  estimateModel,
  checkpointBytes,
  countParameters,
  MAX_GRAPH_NODES,
  DTYPE_BYTES,
  type ModelSize,
  type StoredDtype,
} from './modelSize';
export { perInputBytes, passBytes, keptOutputBytes, type BatchShape } from './activations';
export {
  planModel,
  planDisk,
  planPasses,
  memoryCeiling,
  ResourceError,
  PROCESS_BASELINE_BYTES,
  PASS_BUDGET_BYTES,
  MAX_INPUTS_PER_PASS,
  type ModelPlan,
  type PassPlan,
  type PlanContext,
  type ResourceProblem,
} from './plan';
export { parseByteSize, formatBytes, formatCount, BYTE_SIZE_FORMS } from '../../protocol/sizes';
