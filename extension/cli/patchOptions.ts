/**
 * `compare --patch residual|heads|cross_heads` and `--patch-target N`: activation patching for every model of the file,
 * as `patch:` / `patch_target:` written at the top of its front matter would ask (the command line wins).
 * `--patch-target` alone changes the target of the models whose entries already ask to patch.
 */
import { PATCH_KINDS, type PatchKind } from '../protocol/report';
import type { Experiment } from '../lab/types';
import { UsageError } from './args';

export interface PatchOptions {
  kind?: PatchKind;
  target?: number;
}

export function parsePatchOptions(patch: string | undefined, target: string | undefined): PatchOptions {
  const kind = PATCH_KINDS.find((k) => k === patch);
  if (patch !== undefined && !kind)
    throw new UsageError(
      `--patch takes ${PATCH_KINDS.slice(0, -1).join(', ')} or ${PATCH_KINDS.at(-1)}, not "${patch}"`,
    );
  if (target !== undefined && !/^-?\d+$/.test(target.trim()))
    throw new UsageError(`--patch-target takes a token index (0 is the first token, -1 the last), not "${target}"`);
  return {
    ...(kind ? { kind } : {}),
    ...(target !== undefined ? { target: Number(target.trim()) } : {}),
  };
}

export function applyPatchOptions(experiment: Experiment, options: PatchOptions): void {
  for (const spec of experiment.models) {
    const kind = options.kind ?? spec.patch?.kind;
    if (kind === undefined) continue;
    spec.patch = { kind, target: options.target ?? spec.patch?.target ?? -1 };
  }
}
