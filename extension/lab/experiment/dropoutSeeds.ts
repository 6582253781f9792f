/**
 * Which dropout masks each run of a comparison draws. Eval mode: none. Train mode, `independent`
 * (PyTorch's behaviour): every forward pass draws its own masks, so the control run differs from the
 * base. `paired`: every run of one case shares the base's masks, control included, so only the input
 * differs — the way to see a train-mode model's structure through its dropout.
 * Seeds depend only on (seed, case, run), never on what ran before.
 */
import type { ModelSpec } from '../types';
import { streamSeed } from '../models/random';

/** Run 0 is the base, run 1 its control, run 2 + k the k-th variant. */
export function dropoutSeedFor(spec: ModelSpec, caseIndex: number, runIndex: number): number | null {
  if (spec.mode === 'eval') return null;
  return streamSeed('run', spec.seed, caseIndex, spec.dropout === 'paired' ? 0 : runIndex);
}
