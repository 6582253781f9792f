#!/usr/bin/env node
// `npm run package`: one .vsix per platform onnxruntime-node ships binaries for, each carrying only its own.
//
//   node scripts/package.mjs [--out DIR] [--targets linux-x64,win32-x64,...] [--jobs N]
//
// The bundles must be built first (`npm run package` runs `node build.mjs`). `.vscodeignore` is the common
// allow-list (bundles, media, the runtime files of the packages kept external); this script adds one
// platform's onnxruntime-node files to it and runs `vsce package --target` with that list, several platforms
// at once. `vsce package` run by hand would ship no native binary at all: `vscode:prepublish` refuses it.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ort = 'node_modules/onnxruntime-node/bin/napi-v6';

/**
 * What onnxruntime-node 1.30 ships per platform, and what of it a CPU session loads (read from the binaries'
 * dynamic sections and import tables):
 * - Linux: the binding needs `libonnxruntime.so.1` (RUNPATH $ORIGIN); glibc ≥ 2.28, as VS Code itself.
 * - macOS: the binding loads `@rpath/libonnxruntime.1.dylib` (rpath @loader_path); the package also carries
 *   `libonnxruntime.1.30.0.dylib`, a byte-identical copy (a symlink before npm packed it): left out, 44 MB.
 *   No darwin/x64: ONNX Runtime stopped building for Intel Macs in 1.24 (microsoft/onnxruntime#27961).
 * - Windows: the binding imports `onnxruntime.dll`, which delay-loads `DirectML.dll` (kept: if anything in
 *   ONNX Runtime ever resolves it, a missing DLL is a crash, not an error). `dxcompiler.dll` and `dxil.dll`
 *   are nobody's import: the WebGPU provider's shader compiler looks for them by name, and we run sessions on
 *   the CPU only — left out, 20 MB. The Visual C++ runtime (MSVCP140.dll…) comes from the system.
 */
export const TARGETS = {
  'linux-x64': { dir: 'linux/x64', files: ['onnxruntime_binding.node', 'libonnxruntime.so.1'] },
  'linux-arm64': { dir: 'linux/arm64', files: ['onnxruntime_binding.node', 'libonnxruntime.so.1'] },
  'darwin-arm64': { dir: 'darwin/arm64', files: ['onnxruntime_binding.node', 'libonnxruntime.1.dylib'] },
  'win32-x64': { dir: 'win32/x64', files: ['onnxruntime_binding.node', 'onnxruntime.dll', 'DirectML.dll'] },
  'win32-arm64': { dir: 'win32/arm64', files: ['onnxruntime_binding.node', 'onnxruntime.dll', 'DirectML.dll'] },
};

const GUARD_ENV = 'PERTURBATION_LAB_PACKAGING';
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Runs `vsce package` for one target with its own ignore file; resolves to its size and time. */
function packageTarget(target, outDir, ignoreDir) {
  const { dir, files } = TARGETS[target];
  const ignoreFile = join(ignoreDir, `${target}.vscodeignore`);
  const own = files.map((f) => `!${ort}/${dir}/${f}`);
  writeFileSync(ignoreFile, `${readFileSync(join(root, '.vscodeignore'), 'utf8')}\n# ${target}\n${own.join('\n')}\n`);
  const out = join(outDir, `perturbation-lab-${target}.vsix`);
  const vsce = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
  // README links stay as written (media/… inside the package): there is no public repository for vsce to
  // point them at, and VS Code shows an installed extension's README from its own files.
  const args = [vsce, 'package', '--target', target, '--ignoreFile', ignoreFile, '--no-rewrite-relative-links'];
  args.push('--out', out);
  const started = performance.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: root,
      env: { ...process.env, [GUARD_ENV]: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`vsce package --target ${target} failed (exit ${code}):\n${output}`));
      else resolvePromise({ target, out, bytes: statSync(out).size, seconds: (performance.now() - started) / 1000 });
    });
  });
}

/** Packages the targets, at most `jobs` at a time (zipping is CPU-bound: one per core). */
export async function packageAll({ outDir, targets = Object.keys(TARGETS), jobs = availableParallelism() }) {
  for (const t of targets) if (!TARGETS[t]) throw new Error(`unknown target ${t}: ${Object.keys(TARGETS).join(', ')}`);
  for (const bundle of ['extension', 'runner', 'server', 'transformers', 'webview', 'weightWorker']) {
    statSync(join(root, 'dist', `${bundle}.js`)); // throws ENOENT with the path: run `node build.mjs` first
  }
  mkdirSync(outDir, { recursive: true });
  const ignoreDir = join(tmpdir(), `plab-vscodeignore-${process.pid}`);
  mkdirSync(ignoreDir, { recursive: true });
  try {
    const queue = [...targets];
    const done = [];
    const worker = async () => {
      for (let t = queue.shift(); t; t = queue.shift()) done.push(await packageTarget(t, outDir, ignoreDir));
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, targets.length)) }, worker));
    return targets.map((t) => done.find((d) => d.target === t));
  } finally {
    rmSync(ignoreDir, { recursive: true, force: true });
  }
}

async function main() {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: join(root, 'out') },
      targets: { type: 'string' },
      jobs: { type: 'string' },
      guard: { type: 'boolean', default: false },
    },
  });
  if (values.guard) {
    // `vscode:prepublish`: vsce runs it before every package; only this script's runs may go on.
    if (process.env[GUARD_ENV] === '1') return;
    console.error(
      'Package with `npm run package`: it builds one .vsix per platform, each with its own onnxruntime binary ' +
        '(a plain `vsce package` would carry none).',
    );
    process.exit(1);
  }
  const started = performance.now();
  const results = await packageAll({
    outDir: resolve(values.out),
    targets: values.targets?.split(',').map((t) => t.trim()),
    jobs: values.jobs ? Number(values.jobs) : undefined,
  });
  for (const r of results) {
    console.log(`${r.out}  ${(r.bytes / 1048576).toFixed(1)} MB  (${r.seconds.toFixed(1)} s)`);
  }
  console.log(`${results.length} packages in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
