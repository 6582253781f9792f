/**
 * The fixture models of `../shared/fixtures/hf-reference/`, served as Hub repos and resolved into the cache,
 * load through the engine's `weights:` path and give exactly the numbers the fixture folders give — and Hugging
 * Face's, within 1e-5. A sharded repo (`model.safetensors.index.json` + two shards) gives the same numbers too.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveModel } from '../../extension/lab/hub';
import { ensureModel } from '../../extension/lab/models/modelCache';
import { readSafetensorsHeader } from '../../extension/lab/models/safetensors';
import { ModelSession, type ForwardOutput } from '../../extension/lab/models/session';
import type { HfConfig, ModelSpec } from '../../extension/lab/types';
import { loadReference, maxAbsDiff, referenceFolder, referenceSpec } from '../helpers/hfReference';
import { referenceRepo, settingsFor } from '../helpers/hubKit';
import { folderFiles, HubServer, repoOf } from '../helpers/hubServer';
import { freshDir } from '../helpers/paths';

const buildDir = freshDir();

/** gpt2's weights split into two shards with an index, as `save_pretrained(max_shard_size=…)` writes them. */
function shardedGpt2(): Map<string, Buffer> {
  const path = join(referenceFolder('gpt2'), 'model.safetensors');
  const bytes = readFileSync(path);
  const header = readSafetensorsHeader(path);
  const names = [...header.tensors.keys()].sort();
  const halves = [names.slice(0, names.length >> 1), names.slice(names.length >> 1)];
  const files = folderFiles(referenceFolder('gpt2'));
  files.delete('model.safetensors');
  const weightMap: Record<string, string> = {};
  halves.forEach((part, i) => {
    const shard = `model-0000${i + 1}-of-00002.safetensors`;
    const json: Record<string, unknown> = { __metadata__: { format: 'pt' } };
    const chunks: Buffer[] = [];
    let offset = 0;
    for (const name of part) {
      const t = header.tensors.get(name)!;
      json[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.end - t.begin] };
      chunks.push(bytes.subarray(t.begin, t.end));
      offset += t.end - t.begin;
      weightMap[name] = shard;
    }
    const head = Buffer.from(JSON.stringify(json));
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(head.length));
    files.set(shard, Buffer.concat([length, head, ...chunks]));
  });
  files.set(
    'model.safetensors.index.json',
    Buffer.from(JSON.stringify({ metadata: { total_size: bytes.length }, weight_map: weightMap })),
  );
  return files;
}

let server: HubServer;
before(async () => {
  server = await HubServer.start([
    referenceRepo('gpt2'),
    referenceRepo('bert'),
    referenceRepo('bert-causal'),
    repoOf('org/gpt2-sharded', shardedGpt2()),
  ]);
});
after(() => server.close());

async function runAll(spec: ModelSpec, model: string): Promise<Map<string, ForwardOutput>> {
  const built = await ensureModel(spec, buildDir);
  const session = await ModelSession.open(built.onnxPath, built.dims);
  const out = new Map<string, ForwardOutput>();
  try {
    for (const [name, run] of Object.entries(loadReference(model).runs)) {
      const [o] = await session.forward(
        [{ ids: run.input_ids[0], attentionMask: run.attention_mask?.[0] }],
        { causal: spec.config.is_decoder === true, rates: { hidden: 0, attention: 0, embedding: 0 } },
        { attentions: true, logits: 'all' },
      );
      out.set(name, o);
    }
  } finally {
    await session.release();
  }
  return out;
}

function fromSnapshot(model: string, dir: string, config: Record<string, unknown>): ModelSpec {
  return { ...referenceSpec(model), weights: dir, config: config as HfConfig, configSource: join(dir, 'config.json') };
}

const cases: [repoId: string, model: string][] = [
  ['hf-reference/gpt2', 'gpt2'],
  ['hf-reference/bert', 'bert'],
  ['hf-reference/bert-causal', 'bert-causal'],
  ['org/gpt2-sharded', 'gpt2'],
];

for (const [repoId, model] of cases) {
  test(
    `${repoId} from the Hub gives the fixture folder's numbers exactly, and Hugging Face's`,
    { timeout: 60_000 },
    async () => {
      const snap = await resolveModel({ repoId }, settingsFor(server));
      if (repoId.endsWith('sharded'))
        assert.deepEqual(snap.files.filter((f) => f.endsWith('.safetensors')).sort(), [
          'model-00001-of-00002.safetensors',
          'model-00002-of-00002.safetensors',
        ]);
      const viaHub = await runAll(fromSnapshot(model, snap.dir, snap.config), model);
      const viaFolder = await runAll(referenceSpec(model), model);
      const reference = loadReference(model);
      for (const [run, hub] of viaHub) {
        const folder = viaFolder.get(run)!;
        assert.equal(hub.hiddenStates.length, folder.hiddenStates.length);
        hub.hiddenStates.forEach((h, layer) => {
          assert.equal(maxAbsDiff(h, folder.hiddenStates[layer]), 0, `${run}: hidden_states.${layer} identical`);
          assert.ok(
            maxAbsDiff(h, reference.runs[run].hidden_states.data[layer]) <= 1e-5,
            `${run}: hidden_states.${layer} as Hugging Face`,
          );
        });
        hub.attentions.forEach((a, layer) => assert.equal(maxAbsDiff(a, folder.attentions[layer]), 0));
        if (hub.logits) assert.equal(maxAbsDiff(hub.logits, folder.logits!), 0);
      }
    },
  );
}
