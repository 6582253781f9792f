/**
 * The resource caps of a command: `--memory-limit SIZE` (or $PERTURBATION_LAB_MEMORY_LIMIT) and
 * `--cache-limit SIZE` (or $PERTURBATION_LAB_CACHE_LIMIT), sizes such as `18GB`, `500MB` or bytes.
 * Unset: 75 % of the machine's memory (or of the cgroup limit) and 10 GB of model cache.
 */
import {
  BYTE_SIZE_FORMS,
  parseByteSize,
  readMachineMemory,
  resolveLimits,
  type Limit,
  type ResourceLimits,
} from '../lab/resources';
import { takeOption, UsageError, type ParsedArgs } from './args';

export const MEMORY_LIMIT_ENV = 'PERTURBATION_LAB_MEMORY_LIMIT';
export const CACHE_LIMIT_ENV = 'PERTURBATION_LAB_CACHE_LIMIT';

export function takeLimits(args: ParsedArgs): ResourceLimits {
  return resolveLimits(
    {
      memoryLimit: limitFrom('--memory-limit', takeOption(args, 'memory-limit'), MEMORY_LIMIT_ENV),
      cacheLimit: limitFrom('--cache-limit', takeOption(args, 'cache-limit'), CACHE_LIMIT_ENV),
      memoryKnob: `--memory-limit or $${MEMORY_LIMIT_ENV}`,
      cacheKnob: `--cache-limit or $${CACHE_LIMIT_ENV}`,
    },
    readMachineMemory(),
  );
}

function limitFrom(flag: string, option: string | undefined, env: string): Limit | null {
  const [value, where] =
    option !== undefined ? [option, flag] : process.env[env] ? [process.env[env]!, `$${env}`] : [undefined, ''];
  if (value === undefined) return null;
  const bytes = parseByteSize(value);
  if (bytes === undefined || bytes <= 0)
    throw new UsageError(`${where} takes ${BYTE_SIZE_FORMS}, not ${JSON.stringify(value)}`);
  return { bytes, source: `set by ${where} ${value.trim()}` };
}
