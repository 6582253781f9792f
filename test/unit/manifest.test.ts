/**
 * package.json's contributions and the code's tables must say the same thing: a command declared in
 * one and not the other is a button that does nothing or a handler nobody can reach.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMANDS, LANGUAGE_ID } from '../../extension/protocol/commands';
import { repoRoot } from '../helpers/paths';

interface Manifest {
  activationEvents: string[];
  contributes: {
    languages: { id: string }[];
    grammars: { language: string }[];
    commands: { command: string; title: string }[];
    menus: Record<string, { command: string }[]>;
    configuration: { properties: Record<string, { markdownDescription?: string; description?: string }> };
  };
}

const manifest = JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as Manifest;

test('contributes.commands is exactly the commands table', () => {
  const declared = manifest.contributes.commands.map((c) => c.command).sort();
  assert.deepEqual(declared, Object.values(COMMANDS).sort());
  for (const c of manifest.contributes.commands) assert.ok(c.title.trim(), `${c.command} has a title`);
});

test('every menu entry names a declared command', () => {
  const known = new Set<string>(Object.values(COMMANDS));
  for (const [menu, entries] of Object.entries(manifest.contributes.menus)) {
    for (const e of entries) assert.ok(known.has(e.command), `${menu} lists ${e.command}, which is not a command`);
  }
});

test('the language id is the one the code uses, and activation follows it', () => {
  assert.deepEqual(
    manifest.contributes.languages.map((l) => l.id),
    [LANGUAGE_ID],
  );
  assert.deepEqual(
    manifest.contributes.grammars.map((g) => g.language),
    [LANGUAGE_ID],
  );
  assert.ok(manifest.activationEvents.includes(`onLanguage:${LANGUAGE_ID}`));
});

test('every setting is documented and in the perturbationLab section', () => {
  for (const [key, setting] of Object.entries(manifest.contributes.configuration.properties)) {
    assert.match(key, /^perturbationLab\./);
    assert.ok((setting.markdownDescription ?? setting.description ?? '').length > 20, `${key} has a description`);
  }
});
