/**
 * The resource settings as package.json contributes them: machine-scoped (a workspace's settings, trusted
 * or not, cannot raise the memory or cache limit or the thread count), and the pattern VS Code checks a
 * size against accepts exactly what the runner parses.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseByteSize } from '../../extension/protocol/sizes';
import { isHostToRunner, RUNNER_PROTOCOL_VERSION } from '../../extension/protocol/runner';
import { repoRoot } from '../helpers/paths';

interface SettingSchema {
  scope?: string;
  pattern?: string;
  type: string | string[];
}
const settings = (
  JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as {
    contributes: { configuration: { properties: Record<string, SettingSchema> } };
  }
).contributes.configuration.properties;

test('threads, memoryLimit and cacheSizeLimit are machine settings', () => {
  for (const key of ['threads', 'memoryLimit', 'cacheSizeLimit'])
    assert.equal(settings[`perturbationLab.${key}`]?.scope, 'machine', key);
});

test("the settings' size pattern accepts what parseByteSize accepts, and empty for the default", () => {
  for (const key of ['memoryLimit', 'cacheSizeLimit']) {
    const pattern = new RegExp(settings[`perturbationLab.${key}`].pattern!);
    for (const text of ['', '18GB', '500MB', '1.5GiB', '1048576', ' 2 gb ', '10kB', '3T'])
      assert.ok(pattern.test(text) && (text.trim() === '' || parseByteSize(text) !== undefined), `${key}: ${text}`);
    for (const text of ['lots', '-1GB', '1XB', '18 G B', 'GB'])
      assert.ok(!pattern.test(text) && parseByteSize(text) === undefined, `${key}: ${text}`);
  }
});

test('the runner accepts limits in bytes, null or absent, and refuses anything else', () => {
  const init = (extra: Record<string, unknown>) => ({
    type: 'init',
    protocolVersion: RUNNER_PROTOCOL_VERSION,
    settings: { cacheDir: '/c', threads: 0, trusted: true, ...extra },
  });
  assert.ok(isHostToRunner(init({})));
  assert.ok(isHostToRunner(init({ memoryLimit: 18e9, cacheSizeLimit: null })));
  for (const bad of ['18GB', -1, 1.5, Infinity, {}]) {
    assert.ok(!isHostToRunner(init({ memoryLimit: bad })), String(bad));
    assert.ok(!isHostToRunner(init({ cacheSizeLimit: bad })), String(bad));
  }
});
