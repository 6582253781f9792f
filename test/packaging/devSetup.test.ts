/**
 * F5 in this repository: `.vscode/launch.json` starts an Extension Development Host on this checkout after the
 * build task, and `.vscode/tasks.json` has that task run `node build.mjs` — the same command line the e2e tests
 * hand to VS Code (`--extensionDevelopmentPath`, then the folder), so what F5 starts is what they test. Both files
 * are committed, and none of `.vscode/` goes into a package.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ts from 'typescript';
import { repoRoot } from '../helpers/paths';

/** VS Code's settings files are JSON with comments: TypeScript's tsconfig reader takes them as they are. */
function readJsonc(path: string): Record<string, unknown> {
  const { config, error } = ts.parseConfigFileTextToJson(path, readFileSync(path, 'utf8'));
  assert.equal(error, undefined, `${path}: ${String(error?.messageText)}`);
  return config as Record<string, unknown>;
}

interface LaunchConfig {
  type: string;
  request: string;
  args: string[];
  outFiles?: string[];
  preLaunchTask?: string;
}
interface Task {
  label: string;
  type: string;
  command: string;
}

test('F5 builds, then opens examples/ in an Extension Development Host of this checkout', () => {
  const root = repoRoot();
  const launch = readJsonc(join(root, '.vscode', 'launch.json')).configurations as LaunchConfig[];
  const tasks = readJsonc(join(root, '.vscode', 'tasks.json')).tasks as Task[];

  const run = launch.find((c) => c.type === 'extensionHost' && c.request === 'launch');
  assert.ok(run, 'an extensionHost launch configuration');
  assert.ok(run.args.includes('--extensionDevelopmentPath=${workspaceFolder}'), run.args.join(' '));
  const folder = run.args.find((a) => !a.startsWith('--'));
  assert.equal(folder, '${workspaceFolder}/examples');
  assert.ok(existsSync(join(root, 'examples', 'encoder-vs-decoder.prompt')));

  const task = tasks.find((t) => t.label === run.preLaunchTask);
  assert.ok(task, `the preLaunchTask "${run.preLaunchTask}" is a task of tasks.json`);
  assert.equal(task.command, 'node build.mjs');

  // The host's entry is what the build writes, where the debugger looks for its source maps.
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main: string };
  assert.equal(manifest.main, './dist/extension.js');
  assert.deepEqual(run.outFiles, ['${workspaceFolder}/dist/**/*.js']);
  assert.ok(readFileSync(join(root, 'build.mjs'), 'utf8').includes("extension: 'extension/host/main.ts'"));
});

test('.vscode/ is committed, not ignored', () => {
  const root = repoRoot();
  for (const file of ['.vscode/launch.json', '.vscode/tasks.json']) {
    const ignored = spawnSync('git', ['check-ignore', '-q', file], { cwd: root });
    assert.equal(ignored.status, 1, `${file} is not git-ignored`);
  }
});

test('the manifest installs where the workspace is, with its icon', () => {
  const root = repoRoot();
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    extensionKind: string[];
    icon: string;
  };
  // Under Remote-SSH, WSL, Dev Containers and Codespaces the runner must run beside the files and the models.
  assert.deepEqual(manifest.extensionKind, ['workspace']);
  // A PNG (VS Code and the Marketplace refuse an SVG here) of 128×128, rendered from its SVG by scripts/render-icon.mjs.
  const png = readFileSync(join(root, manifest.icon));
  assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
  assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [128, 128]);
  assert.ok(existsSync(join(root, 'media', 'icon-extension.svg')));
});
