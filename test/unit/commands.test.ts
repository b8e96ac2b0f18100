import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../../scripts/l10n-bundle';
import { COMMANDS, CONTEXT_KEYS, INBOX_VIEW } from '../../src/vscode/common/commands';

interface Manifest {
  contributes: {
    commands: { command: string }[];
    views: Record<string, { id: string }[]>;
  };
}

const text = fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8');
const manifest = JSON.parse(text) as Manifest;

test('every contributed command has a constant, and every constant is contributed', () => {
  const contributed = manifest.contributes.commands.map((c) => c.command).sort();
  const constants = Object.values(COMMANDS).sort();
  assert.deepEqual(constants, contributed);
  assert.equal(new Set(constants).size, constants.length, 'no id twice');
});

test('the context keys are the ones package.json reads in when clauses', () => {
  // A context key is a clause's left-hand side: `pop3Mail.x`, `!pop3Mail.x` or `pop3Mail.x == value`.
  const used = new Set<string>();
  for (const m of text.matchAll(/"(?:when|enablement)": "([^"]*)"/g)) {
    for (const clause of m[1]!.split(/&&|\|\|/)) {
      const key = /^\s*(?:!\s*)?(pop3Mail\.[\w.]+)/.exec(clause)?.[1];
      if (key) used.add(key);
    }
  }
  assert.deepEqual([...used].sort(), Object.values(CONTEXT_KEYS).sort());
});

test('the inbox view id is the contributed one', () => {
  const ids = Object.values(manifest.contributes.views).flatMap((v) => v.map((x) => x.id));
  assert.ok(ids.includes(INBOX_VIEW));
});
