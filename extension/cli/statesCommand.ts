/**
 * `states`: one model, one input, every output as JSON under Hugging Face's names — `hidden_states` and
 * `attentions` for one stack; `encoder_hidden_states`, `decoder_hidden_states`, `encoder_attentions`,
 * `decoder_attentions`, `cross_attentions` for an encoder-decoder; `logits` where there is an LM head.
 * Hidden states are [layer][position][hidden], attentions [layer][head][query][key], cross-attentions
 * [layer][head][decoder position][encoder position].
 */
import { resolve } from 'node:path';
import { loadTokenizer, NoTokenizerError, type LabTokenizer } from '../lab/tokenizers';
import { ModelStore } from '../lab/models/modelStore';
import { shapeOf } from '../lab/models/registry';
import { dropoutSeedFor } from '../lab/experiment/dropoutSeeds';
import { summarizeModel } from '../lab/experiment/summary';
import { formatCount, planPasses, ResourceError, type ModelPlan } from '../lab/resources';
import type { ModelSpec } from '../lab/types';
import { parseArgs, UsageError } from './args';
import { EXIT } from './exitCodes';
import { STATES_HELP } from './help';
import { takeLimits } from './limits';
import { modelFromArgs } from './modelOptions';
import { checkOutputFile, writeOutputFile } from './outputFile';
import { modelProgress } from './progress';
import { runStates, type StatesInputs } from './statesJson';
import { checkFits, sideInput, takeStatesInputs } from './statesInput';
import { terminalJson } from './terminalText';

export async function statesCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['help', 'yes']);
  if (args.flags.has('help')) {
    process.stdout.write(STATES_HELP);
    return EXIT.ok;
  }
  const given = takeStatesInputs(args);
  const out = args.options.get('out');
  args.options.delete('out');
  if ((given.text === undefined) === (given.ids === undefined))
    throw new UsageError('give the input as --text "..." or as --ids 1,2,3 (one of them)');
  if (given.encoderText !== undefined && given.encoderIds !== undefined)
    throw new UsageError('give the encoder input as --encoder-text "..." or as --encoder-ids 1,2,3 (one of them)');
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
  if (out) checkOutputFile(resolve(out));
  const limits = takeLimits(args);
  const { spec, cacheDir, download } = await modelFromArgs(args);
  const store = new ModelStore(cacheDir, { limits });
  await download(store); // a --from model: planned first, then its weights fetched into the Hugging Face cache
  const plan = await store.plan(spec); // refuses what cannot fit before a tokenizer or a model is loaded
  const summary = summarizeModel(spec);
  const twoStacks = summary.attention === 'encoder-decoder';
  const hasEncoderInput = given.encoderText !== undefined || given.encoderIds !== undefined;
  if (twoStacks && !hasEncoderInput)
    throw new UsageError(
      `${summary.label} is an encoder-decoder: give its source as --encoder-text "..." or --encoder-ids 1,2,3 (--text / --ids is the decoder input)`,
    );
  if (!twoStacks && (hasEncoderInput || given.encoderAttentionMask !== undefined))
    throw new UsageError(
      `${summary.label} has no encoder: --encoder-text, --encoder-ids and --encoder-attention-mask are for encoder-decoders`,
    );

  const tokenizer = await tokenizerOrNull(spec, cacheDir);
  const noTokenizer = spec.tokenizer.kind === 'none' ? spec.tokenizer.reason : '';
  const shape = shapeOf(spec.config);
  // The decoder input is tokenized as written: its start token is the user's to write (`<pad> Ich will ein`).
  const main = sideInput(
    {
      text: given.text,
      ids: given.ids,
      mask: given.attentionMask,
      textOption: 'text',
      idsOption: 'ids',
      maskOption: 'attention-mask',
    },
    tokenizer,
    noTokenizer,
    twoStacks ? false : spec.addSpecialTokens,
  );
  checkFits(main, given.ids !== undefined ? 'ids' : 'text', shape.vocabSize, shape.maxPositions);
  const inputs: StatesInputs = { main };
  if (twoStacks) {
    inputs.encoder = sideInput(
      {
        text: given.encoderText,
        ids: given.encoderIds,
        mask: given.encoderAttentionMask,
        textOption: 'encoder-text',
        idsOption: 'encoder-ids',
        maskOption: 'encoder-attention-mask',
      },
      tokenizer,
      noTokenizer,
      spec.addSpecialTokens,
    );
    checkFits(
      inputs.encoder,
      given.encoderIds !== undefined ? 'encoder-ids' : 'encoder-text',
      shape.vocabSize,
      shape.maxPositions,
    );
  }
  const longest = Math.max(main.ids.length, inputs.encoder?.ids.length ?? 0);
  // One input, every output: attention maps and the logits of every position.
  planPasses(plan, {
    inputs: 1,
    kept: 0,
    length: longest,
    train: spec.mode === 'train',
    attentions: true,
    logitRowsPerInput: main.ids.length,
  });
  checkJsonSize(plan, longest);

  try {
    const session = await store.get(spec, modelProgress(spec.name));
    const json = await runStates(session, summary, inputs, dropoutSeedFor(spec, 0, 0), tokenizer);
    const textOut = JSON.stringify(json);
    if (out) writeOutputFile(resolve(out), textOut + '\n');
    else process.stdout.write(terminalJson(textOut) + '\n');
    return EXIT.ok;
  } finally {
    await store.dispose();
  }
}

/** The model's tokenizer, or null when it has none (ids still work; text needs one). */
async function tokenizerOrNull(spec: ModelSpec, cacheDir: string): Promise<LabTokenizer | null> {
  try {
    return await loadTokenizer(spec.tokenizer, cacheDir);
  } catch (e) {
    if (e instanceof NoTokenizerError) return null;
    throw e;
  }
}

/**
 * The JSON is one string, and V8's strings end at 2^29 − 24 characters (about 536 M): a float32 written
 * by JSON.stringify takes up to 20. Refuse what would not fit rather than fail after the run.
 */
function checkJsonSize(plan: ModelPlan, T: number): void {
  const shape = shapeOf(plan.spec.config);
  const crossStacks = shape.stacks.length > 1 ? 1 : 0;
  const numbers =
    shape.stacks.reduce(
      (n, s) => n + (s.layers + 1) * T * s.hiddenSize + s.layers * s.heads * T * T * (1 + crossStacks),
      0,
    ) + (plan.size.hasLmHead ? T * shape.lmHeadVocab : 0);
  const limit = Math.floor((2 ** 29 - 24) / 20);
  if (numbers > limit)
    throw new ResourceError(
      'input-too-large',
      `${plan.spec.name}: the states of a ${T}-token input are ${formatCount(numbers)} numbers, more than one JSON text holds (about ${formatCount(limit)}); give a shorter input`,
    );
}
