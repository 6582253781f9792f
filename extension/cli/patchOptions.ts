/**
 * `compare --patch residual|heads|cross_heads` and `--patch-target N`: activation patching for every model of the file,
 * as `patch:` / `patch_target:` written at the top of its front matter would ask (the command line wins).
 * `--patch-target` alone changes the target of the models whose entries already ask to patch.
 */
import { PATCH_KINDS, type PatchKind } from '../protocol/report';
import type { Experiment, ModelSpec } from '../lab/types';
import type { LabDiagnostic } from '../protocol/diagnostics';
import { PATCH_SKIPPED, patchKindProblem, patchKindSkipped } from '../lab/patching/prepare';
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

/**
 * Sets every model's patching. `cross_heads` leaves a model without cross-attention unpatched, with a warning at its
 * entry, when another model of the file has cross-attention; when none has, each is refused at its entry by the
 * engine (`patchingProblems`), so the run says why instead of patching nothing.
 */
export function applyPatchOptions(experiment: Experiment, options: PatchOptions): LabDiagnostic[] {
  const { kind: asked } = options;
  const skips = (spec: ModelSpec) => (asked === undefined ? null : patchKindProblem(spec.architecture, asked));
  const someFit = experiment.models.some((spec) => !skips(spec));
  const warnings: LabDiagnostic[] = [];
  for (const spec of experiment.models) {
    const kind = asked ?? spec.patch?.kind;
    if (kind === undefined) continue;
    const reason = skips(spec);
    if (reason && someFit) {
      warnings.push({
        severity: 'warning',
        message: patchKindSkipped(spec.name, reason, 'from --patch'),
        file: experiment.file,
        range: spec.range,
        code: PATCH_SKIPPED,
      });
      delete spec.patch;
      continue;
    }
    spec.patch = { kind, target: options.target ?? spec.patch?.target ?? -1 };
  }
  return warnings;
}
