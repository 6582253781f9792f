import { loadModelTokenizer } from '../lab/tokenizers';
import { ModelStore } from '../lab/models/modelStore';
import { dimsOf } from '../lab/config';
import { dropoutSeedFor } from '../lab/experiment/dropoutSeeds';
import { summarizeModel } from '../lab/experiment/summary';
import { parseArgs, takeOption, UsageError } from './args';
import { EXIT } from './exitCodes';
import { STATES_HELP } from './help';
import { modelFromArgs } from './modelOptions';
import { checkOutputFile, writeOutputFile } from './outputFile';
import { modelProgress } from './progress';
import { terminalJson } from './terminalText';
import { resolve } from 'node:path';
import { takeLimits } from './limits';
import { formatCount, planPasses, ResourceError, type ModelPlan } from '../lab/resources';

export async function statesCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['help', 'yes']);
  if (args.flags.has('help')) {
    process.stdout.write(STATES_HELP);
    return EXIT.ok;
  }
  const text = takeOption(args, 'text');
  const idsOption = takeOption(args, 'ids');
  const out = takeOption(args, 'out');
  if ((text === undefined) === (idsOption === undefined))
    throw new UsageError('give the input as --text "..." or as --ids 1,2,3 (one of them)');
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
  if (out) checkOutputFile(resolve(out));
  const limits = takeLimits(args);
  const { spec, cacheDir, download } = await modelFromArgs(args);
  const store = new ModelStore(cacheDir, { limits });
  await download(store); // a --from model: planned first, then its weights fetched into the Hugging Face cache
  const plan = await store.plan(spec); // refuses what cannot fit before a tokenizer or a model is loaded
  const summary = summarizeModel(spec);
  const tokenizer = await loadModelTokenizer(spec, cacheDir);
  let ids: number[];
  if (idsOption !== undefined) {
    const pieces = idsOption.split(',').map((x) => x.trim());
    const bad = pieces.find((x) => !/^\d+$/.test(x));
    if (bad !== undefined)
      throw new UsageError(`--ids: "${bad}" is not a token id (give whole numbers separated by commas)`);
    ids = pieces.map(Number);
  } else ids = tokenizer.encode(text!, spec.addSpecialTokens).ids;
  if (ids.length === 0) throw new UsageError('the input has no tokens');
  const { vocabSize, maxPositions } = dimsOf(spec.config);
  const outside = ids.find((id) => id >= vocabSize);
  if (outside !== undefined)
    throw new UsageError(`token id ${outside} is outside this model's vocabulary (vocab_size ${vocabSize})`);
  if (ids.length > maxPositions)
    throw new UsageError(`the input is ${ids.length} tokens long; this model has ${maxPositions} positions`);
  // One input, every output: attention maps and the logits of every position.
  planPasses(plan, {
    inputs: 1,
    kept: 0,
    length: ids.length,
    train: spec.mode === 'train',
    attentions: true,
    logitRowsPerInput: ids.length,
  });
  checkJsonSize(plan, ids.length);

  try {
    const session = await store.get(spec, modelProgress(spec.name));
    const [run] = await session.forward(
      [{ ids, dropoutSeed: dropoutSeedFor(spec, 0, 0) }],
      { causal: dimsOf(spec.config).causal, rates: summary.dropoutRates },
      { attentions: true, logits: 'all' },
    );
    const T = ids.length;
    const H = summary.hiddenSize;
    const heads = summary.numHeads;
    const rows = (data: Float32Array, width: number, count: number) =>
      Array.from({ length: count }, (_, i) => Array.from(data.subarray(i * width, (i + 1) * width)));
    const json = {
      model: summary,
      input_ids: ids,
      tokens: ids.map((id) => (id < tokenizer.vocabSize ? tokenizer.tokenText(id) : `<id ${id}>`)),
      hidden_states: run.hiddenStates.map((h) => rows(h, H, T)),
      attentions: run.attentions.map((a) =>
        Array.from({ length: heads }, (_, h) => rows(a.subarray(h * T * T, (h + 1) * T * T), T, T)),
      ),
      ...(run.logits ? { logits: rows(run.logits, run.logits.length / T, T) } : {}),
    };
    const textOut = JSON.stringify(json);
    if (out) writeOutputFile(resolve(out), textOut + '\n');
    else process.stdout.write(terminalJson(textOut) + '\n');
    return EXIT.ok;
  } finally {
    await store.dispose();
  }
}

/**
 * The JSON is one string, and V8's strings end at 2^29 − 24 characters (about 536 M): a float32 written
 * by JSON.stringify takes up to 20. Refuse what would not fit rather than fail after the run.
 */
function checkJsonSize(plan: ModelPlan, T: number): void {
  const d = plan.dims;
  const numbers =
    (d.numLayers + 1) * T * d.hiddenSize +
    d.numLayers * d.numHeads * T * T +
    (plan.size.hasLmHead ? T * d.vocabSize : 0);
  const limit = Math.floor((2 ** 29 - 24) / 20);
  if (numbers > limit)
    throw new ResourceError(
      'input-too-large',
      `${plan.spec.name}: the states of a ${T}-token input are ${formatCount(numbers)} numbers, more than one JSON text holds (about ${formatCount(limit)}); give a shorter input`,
    );
}
