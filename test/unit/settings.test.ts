import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../../scripts/l10n-bundle';
import { orDefault, SETTING_DEFAULTS, SETTINGS_SECTION } from '../../src/vscode/common/settings';

interface Contributed {
  readonly default?: unknown;
}

function contributedSettings(): Map<string, Contributed> {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    contributes: { configuration: { properties: Record<string, Contributed> } | { properties: Record<string, Contributed> }[] };
  };
  const blocks = Array.isArray(pkg.contributes.configuration) ? pkg.contributes.configuration : [pkg.contributes.configuration];
  return new Map(blocks.flatMap((b) => Object.entries(b.properties)));
}

test('every setting in package.json has its default in settings.ts, and the same one', () => {
  const contributed = contributedSettings();
  assert.ok(contributed.size > 0);
  for (const [name, schema] of contributed) {
    assert.ok(name.startsWith(`${SETTINGS_SECTION}.`), name);
    const key = name.slice(SETTINGS_SECTION.length + 1);
    assert.ok(Object.hasOwn(SETTING_DEFAULTS, key), `${name} is contributed but missing from SETTING_DEFAULTS`);
    assert.deepEqual(SETTING_DEFAULTS[key as keyof typeof SETTING_DEFAULTS], schema.default, `${name}: package.json default differs`);
  }
});

test('every setting in settings.ts is contributed in package.json', () => {
  const contributed = contributedSettings();
  for (const key of Object.keys(SETTING_DEFAULTS)) {
    assert.ok(contributed.has(`${SETTINGS_SECTION}.${key}`), `${key} is read but not contributed`);
  }
});

test('orDefault: a value of the wrong type counts as unset', () => {
  assert.equal(orDefault('checkInterval', 5), 5);
  assert.equal(orDefault('checkInterval', '5'), 15);
  assert.equal(orDefault('checkInterval', Number.NaN), 15);
  assert.equal(orDefault('checkInterval', undefined), 15);
  assert.equal(orDefault('notifyNewMail', false), false);
  assert.equal(orDefault('notifyNewMail', 'no'), true);
  assert.equal(orDefault('storageFolder', 7), '');
  assert.deepEqual(orDefault('accounts', { not: 'a list' }), []);
  assert.deepEqual(orDefault('remoteContent.allowedSenders', ['a@b.example']), ['a@b.example']);
});
