/**
 * What the editor says about `encoder:` lines that only the models of the file can tell (the parser judges each
 * line alone: an empty one, an encoder variant in a case without a source). With an encoder-decoder in the file,
 * a case without a source is the error a run would stop on (the same diagnostic, `missingSource`). With every
 * entry resolved and none an encoder-decoder, an `encoder:` line is read by no model and an encoder variant
 * applies to none: a note says so, since the run would show only "not applicable" for it.
 */
import { ARCHITECTURE_LABEL } from '../lab/config';
import { hasEncoder, missingSource } from '../lab/experiment/inputReading';
import { ARCHITECTURES } from '../lab/models/registry';
import type { LabDiagnostic, ModelSpec, PromptCase } from '../lab/types';

/** The labels of the families that read a source ("BART, MarianMT"), from the registry. */
const ENCODER_DECODER_LABELS = [
  ...new Set(ARCHITECTURES.filter((a) => hasEncoder({ architecture: a })).map((a) => ARCHITECTURE_LABEL[a])),
].join(', ');

/**
 * `models`: the entries resolved so far; `entries`: how many the file has (a model whose entry is unresolved —
 * an error, a file not read yet — could be an encoder-decoder, so nothing is said about "no model" then).
 */
export function encoderNotes(
  file: string,
  models: readonly ModelSpec[],
  entries: number,
  cases: readonly PromptCase[],
): LabDiagnostic[] {
  const readers = models.filter(hasEncoder);
  if (readers.length > 0) return cases.filter((c) => !c.encoder).map((c) => missingSource(file, readers[0], c));
  if (models.length === 0 || models.length < entries) return [];
  const names = models.map((m) => `${m.name} (${ARCHITECTURE_LABEL[m.architecture]})`);
  const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  const one = models.length === 1;
  const notes: LabDiagnostic[] = [];
  for (const c of cases) {
    if (c.encoder)
      notes.push({
        severity: 'info',
        code: 'encoder-line-unused',
        message: `no model in this file has an encoder: ${list} ${one ? 'ignores' : 'ignore'} this line and ${one ? 'reads' : 'read'} only the base line below. A source is read by encoder-decoders (${ENCODER_DECODER_LABELS}).`,
        file,
        range: c.encoder.range,
      });
    for (const v of c.variants)
      if (v.edits === 'encoder')
        notes.push({
          severity: 'info',
          code: 'encoder-variant-not-applicable',
          message: `this source variant applies to no model in this file: ${list} ${one ? 'has' : 'have'} no encoder, so a run shows it as not applicable.`,
          file,
          range: v.range,
        });
  }
  return notes;
}
