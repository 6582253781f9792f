/**
 * What the model itself explains, whatever the edit: a training mode without any dropout to draw (the Llama
 * family: the seed's trap does not exist for it), and an encoder-decoder's decoder input that does not start
 * with the token `generate` feeds first.
 */
import type { Finding, MeasuredVerdict } from '../../protocol/report';
import { quoteToken } from './format';
import type { DiagnoseInput } from './types';

export function modelFindings(input: DiagnoseInput, verdict: MeasuredVerdict): Finding[] {
  return [...trainModeWithoutDropout(input, verdict), ...decoderStartFindings(input)];
}

function trainModeWithoutDropout(input: DiagnoseInput, verdict: MeasuredVerdict): Finding[] {
  const { model } = input;
  if (model.mode !== 'train' || model.dropoutRates.some((r) => r.rate > 0) || verdict === 'nondeterministic') return [];
  const keys = model.dropoutRates.map((r) => `\`${r.key}: 0\``);
  const rates =
    keys.length === 1 ? `its only dropout rate, ${keys[0]}, is` : `every dropout rate (${keys.join(', ')}) is`;
  return [
    {
      code: 'train-mode-without-dropout',
      severity: 'info',
      message:
        `This model is in training mode, but ${rates} 0, so training mode changes nothing here: the same input run twice ` +
        `gives identical states (control max |Δ| ${input.control.identical ? '0' : 'at rounding'}). The seed experiment's ` +
        `trap — dropout in train mode making a model look as if it read ahead — does not exist for ${model.label} as configured.`,
    },
  ];
}

function decoderStartFindings(input: DiagnoseInput): Finding[] {
  const start = input.special.decoderStart;
  const first = input.decoderTokens?.[0];
  if (start === null || first === undefined || first.id === start) return [];
  const startText = input.special.tokenText(start);
  return [
    {
      code: 'decoder-start-token',
      severity: 'warning',
      message:
        `${input.model.label}'s \`generate\` starts every decoder input with \`${startText}\` (id ${start}, its ` +
        `\`decoder_start_token_id\`); this decoder input starts with ${quoteToken(first)} instead, so it is not what the ` +
        `model sees when it generates. Write \`${startText}\` first${
          // The article's `<pad> Ich will ein` is MarianMT's start token: an example only where it is the same.
          startText === '<pad>' ? ', as the encoder-decoder article does with `<pad> Ich will ein`' : ''
        }.`,
    },
  ];
}
