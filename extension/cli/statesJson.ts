/** Running one input through a model and writing its outputs as nested lists under Hugging Face's names. */
import type { ModelSummary } from '../protocol/report';
import type { LabSession } from '../lab/models/session';
import type { LabTokenizer } from '../lab/tokenizers';
import type { SideInput } from './statesInput';
import { ratesOf } from '../lab/experiment/summary';

export interface StatesInputs {
  /** The input of a single-stack model, or an encoder-decoder's decoder input. */
  main: SideInput;
  /** An encoder-decoder's source. */
  encoder?: SideInput;
}

/** [count][width] rows of a flat row-major array. */
const rows = (data: Float32Array, width: number, count: number) =>
  Array.from({ length: count }, (_, i) => Array.from(data.subarray(i * width, (i + 1) * width)));

/** [heads][queries][keys] of one layer's flat attention map. */
const heads = (data: Float32Array, queries: number, keys: number) =>
  Array.from({ length: data.length / (queries * keys) }, (_, h) =>
    rows(data.subarray(h * queries * keys, (h + 1) * queries * keys), keys, queries),
  );

export async function runStates(
  session: LabSession,
  summary: ModelSummary,
  inputs: StatesInputs,
  dropoutSeed: number | null,
  tokenizer: LabTokenizer | null,
): Promise<Record<string, unknown>> {
  const tokens = (ids: number[]) =>
    ids.map((id) => (tokenizer && id < tokenizer.vocabSize ? tokenizer.tokenText(id) : `<id ${id}>`));
  const { main } = inputs;
  const T = main.ids.length;
  const rates = ratesOf(summary);
  const width = (stack: string) => summary.stacks.find((s) => s.name === stack)?.hiddenSize ?? summary.hiddenSize;
  switch (session.kind) {
    case 'single-stack': {
      const [run] = await session.forward(
        [{ ids: main.ids, attentionMask: main.mask, dropoutSeed }],
        { causal: summary.attention === 'causal', rates },
        { attentions: true, logits: 'all' },
      );
      return {
        model: summary,
        input_ids: main.ids,
        tokens: tokens(main.ids),
        ...(main.mask ? { attention_mask: main.mask } : {}),
        hidden_states: run.hiddenStates.map((h) => rows(h, width('model'), T)),
        attentions: run.attentions.map((a) => heads(a, T, T)),
        ...(run.logits ? { logits: rows(run.logits, run.logits.length / T, T) } : {}),
      };
    }
    case 'encoder-decoder': {
      const source = inputs.encoder!;
      const S = source.ids.length;
      const [run] = await session.forward(
        [
          {
            encoderIds: source.ids,
            encoderMask: source.mask,
            decoderIds: main.ids,
            decoderMask: main.mask,
            dropoutSeed,
          },
        ],
        { rates },
        { attentions: true, logits: 'all' },
      );
      return {
        model: summary,
        input_ids: source.ids,
        tokens: tokens(source.ids),
        ...(source.mask ? { attention_mask: source.mask } : {}),
        decoder_input_ids: main.ids,
        decoder_tokens: tokens(main.ids),
        ...(main.mask ? { decoder_attention_mask: main.mask } : {}),
        encoder_hidden_states: run.encoderHiddenStates.map((h) => rows(h, width('encoder'), S)),
        encoder_attentions: run.encoderAttentions.map((a) => heads(a, S, S)),
        decoder_hidden_states: run.decoderHiddenStates.map((h) => rows(h, width('decoder'), T)),
        decoder_attentions: run.decoderAttentions.map((a) => heads(a, T, T)),
        cross_attentions: run.crossAttentions.map((a) => heads(a, T, S)),
        ...(run.logits ? { logits: rows(run.logits, run.logits.length / T, T) } : {}),
      };
    }
  }
}
