/**
 * The panel tests replay recorded messages; these must be what the engine produces now. Each small
 * recording (tiny models: NaN weights and all-zero weights, markup in every string, a 512-token prompt,
 * a file with an error) is run again for real and compared with its file; with PLAB_REGENERATE=1 the
 * files are rewritten instead. The full-size ones (the seed, appending a token, a mid-sentence edit) are
 * checked by seedExperiment.test.ts, which builds those models anyway.
 */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ModelStore } from '../../extension/lab/models/modelStore';
import { freshDir } from '../helpers/paths';
import { runDifference } from './recordedCheck';
import { readRecording, record, RECORDINGS, regenerating, writeRecording, type RecordingName } from './recorder';

describe('recorded panel messages (tiny models)', { timeout: 300_000 }, () => {
  const root = freshDir();
  const store = new ModelStore(join(root, 'cache'));
  after(() => store.dispose());

  const small = (Object.keys(RECORDINGS) as RecordingName[]).filter((name) => !RECORDINGS[name].fullSize);
  for (const name of small) {
    it(`${name}: the recorded messages are what a real run sends now`, async () => {
      const { messages } = await record(name, join(root, name), store);
      if (regenerating()) return writeRecording(name, messages);
      const difference = runDifference(messages, readRecording(name));
      assert.equal(
        difference,
        null,
        `test/webview/recorded/${name}.json is stale (${difference}); regenerate it: PLAB_REGENERATE=1 node --test out/test/webview/recorded.test.js`,
      );
    });
  }
});
