import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../../scripts/l10n-bundle';

interface Manifest {
  readonly extensionKind?: unknown;
  readonly capabilities?: {
    readonly untrustedWorkspaces?: { readonly supported?: unknown; readonly description?: unknown; readonly restrictedConfigurations?: unknown };
    readonly virtualWorkspaces?: unknown;
  };
  readonly contributes: { readonly configuration: { readonly properties: Record<string, { readonly scope?: string }> } };
}

const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Manifest;
const nls = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.nls.json'), 'utf8')) as Record<string, string>;

test('the extension prefers the user\'s side of a remote window (its mail stays on their machine), the remote one when there is no UI side', () => {
  assert.deepEqual(manifest.extensionKind, ['ui', 'workspace']);
});

test('Restricted Mode: limited support, with a description that exists in package.nls.json and names what is off', () => {
  const untrusted = manifest.capabilities?.untrustedWorkspaces;
  assert.equal(untrusted?.supported, 'limited');
  assert.equal(typeof untrusted?.description, 'string');
  const key = /^%(.+)%$/.exec(String(untrusted?.description))?.[1];
  assert.ok(key, 'the description is translated through package.nls.json');
  const text = nls[key];
  assert.ok(text, `${key} is missing from package.nls.json`);
  assert.match(text, /trusted/);
  assert.match(text, /file/);
});

test('no setting needs restricting: every one is application-scoped, so a workspace cannot set it', () => {
  assert.equal(manifest.capabilities?.untrustedWorkspaces?.restrictedConfigurations, undefined);
  const settings = Object.entries(manifest.contributes.configuration.properties);
  assert.ok(settings.length > 0);
  for (const [name, schema] of settings) assert.equal(schema.scope, 'application', name);
});

test('virtual workspaces are supported: the store lives in global storage and workspace files are read through workspace.fs', () => {
  assert.equal(manifest.capabilities?.virtualWorkspaces, true);
  const fileRefs = fs.readFileSync(path.join(ROOT, 'src/vscode/message-view/file-refs.ts'), 'utf8');
  assert.doesNotMatch(fileRefs, /from 'node:fs/, 'file:line links must not read the workspace with node:fs');
  assert.match(fileRefs, /vscode\.workspace\.fs\.stat/);
});
