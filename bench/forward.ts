// One 6-token forward pass of each full-size model, warm session, median of 20 (run by bench/run.mjs).
import { ensureModel } from '../extension/lab/models/modelCache';
import { ModelSession } from '../extension/lab/models/session';
import { PRESETS } from '../extension/lab/config';
import type { HfConfig } from '../extension/lab/types';
import { benchSpec } from './benchSpec';

const cacheDir = process.argv[2];

async function main(): Promise<void> {
  for (const preset of ['gpt2', 'bert-base-uncased'] as const) {
    const config = PRESETS[preset] as HfConfig;
    const spec = benchSpec(config, { name: preset, configSource: preset });
    const built = await ensureModel(spec, cacheDir);
    const session = await ModelSession.open(built.onnxPath, built.dims);
    const settings = { causal: true, rates: {} };
    const everything = { attentions: true, logits: 'all' as const };
    const ids = [1, 2, 3, 4, 5, 6].map((x) => x + 1000);
    await session.forward([{ ids }], settings, everything);
    const times: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t = process.hrtime.bigint();
      await session.forward([{ ids }], settings, everything);
      times.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    times.sort((a, b) => a - b);
    console.log(
      JSON.stringify([
        `one 6-token forward pass, ${preset}, warm session (median of 20)`,
        `${times[10].toFixed(1)} ms`,
        '',
        'all hidden states and attentions returned',
      ]),
    );
    await session.release();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
