// One esbuild build for every Node entry (CJS; vscode and onnxruntime-node external, onnxruntime-node ships
// its native binaries in node_modules). Tests are bundled too, so they run on plain `node --test` without a
// TypeScript loader.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

function testEntries(dir) {
  const found = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...testEntries(path));
    else if (name.endsWith('.test.ts')) found.push(path);
  }
  return found;
}

// onnxruntime-common stays external with onnxruntime-node, so both (and transformers.js) share one copy.
const external = ['vscode', 'onnxruntime-node', 'onnxruntime-common'];
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  external,
  logLevel: 'warning',
};

// transformers.js (the CommonJS build its package exports to `require`) is bundled once, into
// dist/transformers.js, with `sharp` aliased to a module that throws if image code is ever called: the
// package then needs neither sharp nor @img's libvips (18 MB), nor node_modules/@huggingface at all.
// It loads onnxruntime-node itself with createRequire(__filename), which resolves from dist/ to the
// shipped node_modules. No source map: it is third-party code, and the map would double the file.
await esbuild.build({
  ...common,
  entryPoints: { transformers: createRequire(import.meta.url).resolve('@huggingface/transformers') },
  alias: { sharp: './extension/shims/sharp.ts' },
  sourcemap: false,
  outdir: 'dist',
});
// The dist/ entries require that bundle by a path relative to themselves instead of the package.
const useBundledTransformers = {
  name: 'use-bundled-transformers',
  setup(build) {
    build.onResolve({ filter: /^@huggingface\/transformers$/ }, () => ({ path: './transformers.js', external: true }));
  },
};

await esbuild.build({
  ...common,
  plugins: [useBundledTransformers],
  entryPoints: {
    cli: 'extension/cli/main.ts',
    weightWorker: 'extension/lab/models/weightWorker.ts',
    server: 'extension/server/main.ts',
    runner: 'extension/runner/main.ts',
    extension: 'extension/host/main.ts',
  },
  outdir: 'dist',
});
// The results panel's own browser bundle (webview/), loaded by the panel's HTML as an ES module.
await esbuild.build({
  entryPoints: { webview: 'webview/main.ts' },
  bundle: true,
  platform: 'browser',
  format: 'esm',
  target: 'es2022',
  sourcemap: 'linked',
  outdir: 'dist',
  logLevel: 'warning',
});
// VS Code's icon font for the panel (media/panel.css loads it from ../dist/ and maps only the glyphs it uses).
mkdirSync('dist', { recursive: true });
copyFileSync('node_modules/@vscode/codicons/dist/codicon.ttf', 'dist/codicon.ttf');
// Tests and benchmarks run from out/, where no dist/transformers.js sits beside them: they load the
// package from node_modules (the tests of dist/ bundles — runner, server, CLI, packaging — use the bundle).
const externalPackage = [...external, '@huggingface/transformers'];
await esbuild.build({
  ...common,
  external: externalPackage,
  entryPoints: {
    'bench/forward': 'bench/forward.ts',
    'bench/runner': 'bench/runner.ts',
    'bench/families': 'bench/families.ts',
    'bench/patching': 'bench/patching.ts',
    'bench/readOuts': 'bench/readOuts.ts',
    'bench/lifecycle': 'bench/lifecycle.ts',
    'bench/memoryProbe': 'bench/memoryProbe.ts',
    'bench/graphProbe': 'bench/graphProbe.ts',
    'bench/heapProbe': 'bench/heapProbe.ts',
  },
  outdir: 'out',
});
await esbuild.build({
  ...common,
  external: [...externalPackage, 'playwright-core', 'typescript'],
  entryPoints: testEntries('test').map((p) => ({ in: p, out: p.replace(/^test\//, '').replace(/\.ts$/, '') })),
  outdir: 'out/test',
});
// The e2e harness (test/e2e: launcher, runE2E, suites run inside VS Code) into out/e2e, outside out/test so
// `node --test out/test/` leaves it alone; mocha must stay one shared copy for the suites' describe/it.
const e2eEntries = readdirSync('test/e2e', { recursive: true }).filter(
  (p) => p.endsWith('.ts') && !p.endsWith('.test.ts'),
);
await esbuild.build({
  ...common,
  external: [...externalPackage, 'mocha', 'playwright-core', '@vscode/test-electron'],
  entryPoints: e2eEntries.map((p) => ({ in: join('test/e2e', p), out: p.replace(/\.ts$/, '') })),
  outdir: 'out/e2e',
});
