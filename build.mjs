// One esbuild build for every Node entry (CJS, vscode/onnxruntime-node/sharp external).
// Tests are bundled too, so they run on plain `node --test` without a TypeScript loader.
import * as esbuild from 'esbuild';
import { readdirSync, statSync } from 'node:fs';
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

const external = ['vscode', 'onnxruntime-node', 'sharp', '@huggingface/transformers'];
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  external,
  logLevel: 'warning',
};

await esbuild.build({
  ...common,
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
await esbuild.build({
  ...common,
  entryPoints: {
    'bench/forward': 'bench/forward.ts',
    'bench/runner': 'bench/runner.ts',
    'bench/memoryProbe': 'bench/memoryProbe.ts',
    'bench/graphProbe': 'bench/graphProbe.ts',
    'bench/heapProbe': 'bench/heapProbe.ts',
  },
  outdir: 'out',
});
await esbuild.build({
  ...common,
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
  external: [...external, 'mocha', 'playwright-core', '@vscode/test-electron'],
  entryPoints: e2eEntries.map((p) => ({ in: join('test/e2e', p), out: p.replace(/\.ts$/, '') })),
  outdir: 'out/e2e',
});
