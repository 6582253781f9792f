/**
 * The encoder-decoders `bart` and `marian`: one folder, two registry records. Encoder stack, decoder stack
 * with causal self-attention and cross-attention, LM head + `final_logits_bias`; their tokenizers come from
 * the model's folder (`weights:` or `tokenizer:`).
 */
import type { ArchitectureModule } from '../architecture';
import { keyTable } from '../../config/keyInfo';
import { SEQ2SEQ_DEFAULTS, SEQ2SEQ_KEYS, SEQ2SEQ_LABELS, seq2seqCrossKeyProblems, type Seq2SeqType } from './config';
import { seq2seqDims, seq2seqShape, type Seq2SeqDims } from './dims';
import { seq2seqGraph } from './graph';
import { seq2seqCanonicalName, seq2seqParameters } from './parameters';
import { SEQ2SEQ_PRESETS } from './presets';
import { Seq2SeqSession } from './session';

export type { Seq2SeqDims } from './dims';
export type { Seq2SeqType } from './config';
export { Seq2SeqSession, type Seq2SeqInput, type Seq2SeqOutput, type Seq2SeqSettings } from './session';

const EXPORT_CLASS: Record<Seq2SeqType, string> = { bart: 'BartForConditionalGeneration', marian: 'MarianMTModel' };

function seq2seqModule(type: Seq2SeqType): ArchitectureModule<Seq2SeqDims> {
  return {
    architecture: type,
    label: SEQ2SEQ_LABELS[type],
    keys: keyTable(SEQ2SEQ_KEYS[type]),
    refusedKeys: {},
    keyAliases: {},
    defaults: SEQ2SEQ_DEFAULTS[type],
    presets: Object.fromEntries(Object.entries(SEQ2SEQ_PRESETS).filter(([, p]) => p.model_type === type)),
    crossKeyProblems: seq2seqCrossKeyProblems,
    dims: seq2seqDims,
    shape: seq2seqShape,
    layerCounts: (d) => [d.encoderLayers, d.decoderLayers],
    withLayers: (d, [encoderLayers, decoderLayers]) => ({ ...d, encoderLayers, decoderLayers }),
    parameters: seq2seqParameters,
    canonicalName: seq2seqCanonicalName,
    graph: seq2seqGraph,
    attention: () => 'encoder-decoder',
    causalSwitch: null,
    dropoutKeys: ['dropout', 'attention_dropout', 'activation_dropout'],
    decoderStart: (config) => (config.decoder_start_token_id as number | null | undefined) ?? null,
    lmHead: true,
    exportClass: EXPORT_CLASS[type],
    tokenizer: null,
    runner: { kind: 'encoder-decoder', open: (onnxPath, d, options) => Seq2SeqSession.open(onnxPath, d, options) },
  };
}

export const bartModule = seq2seqModule('bart');
export const marianModule = seq2seqModule('marian');
