/**
 * What a model asked to patch (`patch:`, `--patch`) must satisfy before anything runs, checked once every case
 * is tokenized, with each problem at its place in the `.prompt` file:
 * - `cross_heads` only on a model with cross-attention (an encoder-decoder);
 * - deterministic runs: in train mode with dropout every patched run draws its own masks, so an effect would
 *   mix the patch with fresh noise. Patching is refused there, with `mode: eval` as the fix — the answer a
 *   user of TransformerLens or forward hooks expects (they patch in eval mode). Train mode without any dropout
 *   (the Llama family's released configs) is deterministic and allowed;
 * - a variant aligned with its base position by position (the same number of tokens): patching replaces
 *   position p of the base by position p of the variant, which means nothing when a token was inserted;
 * - a target position inside the case.
 */
import type { LabDiagnostic } from '../../protocol/diagnostics';
import type { Architecture, Experiment, HfConfig, ModelSpec } from '../types';
import type { Mode, PatchKind } from '../../protocol/report';
import type { EncodedText } from '../tokenizers';
import { dropoutRates, moduleOf } from '../models/registry';
import type { TokenizedCase } from '../experiment/caseInputs';

/**
 * Why a model cannot be patched in its mode (train mode with some dropout rate above 0), or null. The editor says
 * it at the entry (`finishEntry`), the engine again for `--patch` (`patchingProblems`).
 */
export function patchingInTrainMode(config: HfConfig, mode: Mode, kind: PatchKind): string | null {
  const dropping = Object.entries(dropoutRates(config, mode)).filter(([, rate]) => rate > 0);
  if (mode !== 'train' || dropping.length === 0) return null;
  return `\`patch: ${kind}\` needs deterministic runs, but this model is in train mode with dropout (${dropping.map(([k, r]) => `${k} ${r}`).join(', ')}): every patched run would draw its own dropout masks, so an effect would be the patch plus fresh noise. Set \`mode: eval\` to patch it (dropout off, as Hugging Face's \`.eval()\`)`;
}

/** Why a model cannot be patched this way (`cross_heads` on a model without cross-attention), or null. */
export function patchKindProblem(architecture: Architecture, kind: PatchKind): string | null {
  if (kind !== 'cross_heads' || moduleOf(architecture).runner.kind === 'encoder-decoder') return null;
  return `${moduleOf(architecture).label} has no cross-attention (encoder-decoders such as BART and Marian have it)`;
}

/** A model asked in its own entry for a patching it cannot have: an error there. */
export const patchKindRefused = (reason: string) =>
  `\`patch: cross_heads\` patches cross-attention heads, but ${reason}: use \`patch: heads\` for its attention heads`;

/** The code of the warning `patchKindSkipped` gives (the editor's and the CLI's). */
export const PATCH_SKIPPED = 'patching-not-applicable';

/**
 * A model left out of a patching asked for every model (the top of the file, `--patch`): a warning at its entry, the
 * others are patched.
 */
export const patchKindSkipped = (name: string, reason: string, from: string) =>
  `${name} is not patched: ${reason}, so \`cross_heads\` ${from} leaves it out`;

/** The 0-based position `patch_target` names in an input of `length` tokens, or null when outside it. */
export function resolveTarget(target: number, length: number): number | null {
  const t = target < 0 ? length + target : target;
  return t >= 0 && t < length ? t : null;
}

export function patchingProblems(
  experiment: Experiment,
  spec: ModelSpec,
  cases: Omit<TokenizedCase, 'passes'>[],
): LabDiagnostic[] {
  const patch = spec.patch;
  if (!patch) return [];
  const at = (range: LabDiagnostic['range'], code: string, message: string): LabDiagnostic => ({
    severity: 'error',
    message: `${spec.name}: ${message}`,
    file: experiment.file,
    range,
    code,
  });
  const unfit = patchKindProblem(spec.architecture, patch.kind);
  if (unfit) return [at(spec.range, 'patching-not-supported', patchKindRefused(unfit))];
  const random = patchingInTrainMode(spec.config, spec.mode, patch.kind);
  if (random) return [at(spec.range, 'patching-needs-eval', random)];
  const problems: LabDiagnostic[] = [];
  for (const c of cases) {
    const promptCase = experiment.cases[c.caseIndex];
    if (resolveTarget(patch.target, c.base.ids.length) === null)
      problems.push(
        at(
          c.baseRange,
          'patch-target-outside',
          `\`patch_target: ${patch.target}\` is outside this case's ${c.base.ids.length} tokens (0 to ${c.base.ids.length - 1}, or -1 to -${c.base.ids.length} from the end)`,
        ),
      );
    for (const v of c.variants) {
      // An encoder-decoder's source variant is patched into the source (`encoder:`), a decoder variant into the base.
      const edited = v.edits === 'encoder' && c.source ? c.source.encoded : c.base;
      const why = misalignment(edited, v.encoded);
      if (why) problems.push(at(promptCase.variants[v.variantIndex].range, 'patch-misaligned', why));
    }
  }
  return problems;
}

/** Why a variant cannot be patched into its base position by position, or null when it can. */
function misalignment(base: EncodedText, variant: EncodedText): string | null {
  if (base.ids.length === variant.ids.length) return null;
  const first = base.ids.findIndex((id, i) => id !== variant.ids[i]);
  const from = first === -1 ? base.ids.length : first;
  const show = (e: EncodedText) =>
    e.tokens
      .slice(from, from + 4)
      .map((t) => JSON.stringify(t.text))
      .join(' ') + (e.tokens.length > from + 4 ? ' …' : '');
  return `patching needs the variant to align with its base position by position, but it has ${variant.ids.length} tokens and the base ${base.ids.length}; they differ from position ${from}: base ${show(base) || '(nothing)'}, variant ${show(variant) || '(nothing)'}. Make the change keep the token count (replace a word by one of as many tokens)`;
}
