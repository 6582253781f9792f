/**
 * The encoder-decoders `bart` and `marian` as one module: what the architecture registry needs to
 * validate, build, run and export them.
 */
import type { FamilyModule } from '../family';
import {
  SEQ2SEQ_DEFAULTS,
  SEQ2SEQ_KEYS,
  SEQ2SEQ_LABEL,
  SEQ2SEQ_TYPES,
  seq2seqCrossKeyProblems,
  type Seq2SeqType,
} from './config';
import { seq2seqDims, type Seq2SeqDims } from './dims';
import { seq2seqGraph } from './graph';
import { seq2seqCanonicalName, seq2seqParameters } from './parameters';
import { SEQ2SEQ_PRESETS } from './presets';

export type { Seq2SeqDims } from './dims';
export type { Seq2SeqType } from './config';
export { Seq2SeqSession, type Seq2SeqInput, type Seq2SeqOutput } from './session';

export const seq2seqFamily: FamilyModule<Seq2SeqType, Seq2SeqDims> = {
  types: SEQ2SEQ_TYPES,
  label: SEQ2SEQ_LABEL,
  keys: SEQ2SEQ_KEYS,
  defaults: SEQ2SEQ_DEFAULTS,
  crossKeyProblems: seq2seqCrossKeyProblems,
  dims: seq2seqDims,
  parameters: seq2seqParameters,
  canonicalName: seq2seqCanonicalName,
  graph: seq2seqGraph,
  causal: 'encoder-decoder',
  lmHead: true,
  exportClass: { bart: 'BartForConditionalGeneration', marian: 'MarianMTModel' },
  presets: SEQ2SEQ_PRESETS,
};
