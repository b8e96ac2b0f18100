// Localization: the English fallback formats like VS Code's l10n.t, the
// translator bundle lists every message in the code, and every %key% of
// package.json has its English text in package.nls.json.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { BUNDLE, bundleText, extract, ROOT } from '../../scripts/l10n-bundle';
import { formatMessage, installTranslator, l10n } from '../../src/vscode/common/l10n';
import { describeError } from '../../src/vscode/common/errors';

test('formatMessage fills {n} like VS Code does without a bundle; no arguments, no change', () => {
  assert.equal(formatMessage('{0} of {1} unread, {0} again', ['3', 7]), '3 of 7 unread, 3 again');
  assert.equal(formatMessage('Keep {0} and {name} and {2}', ['a']), 'Keep a and {name} and {2}');
  assert.equal(formatMessage('Literal {0} without arguments', []), 'Literal {0} without arguments');
  assert.equal(formatMessage('{0}', [false]), 'false');
  // An argument's own braces are not filled again.
  assert.equal(formatMessage('{0} {1}', ['{1}', 'x']), '{1} x');
});

test('l10n.t goes through the installed translator (vscode.l10n.t at activation)', () => {
  const seen: string[] = [];
  installTranslator((message, ...args) => {
    seen.push(message);
    return `<${formatMessage(message, args)}>`;
  });
  try {
    assert.equal(l10n.t('{0} unread', 4), '<4 unread>');
    assert.equal(describeError('POP3 Mail: could not save', new Error('disk full')), '<POP3 Mail: could not save: disk full>');
    assert.deepEqual(seen, ['{0} unread', '{0}: {1}']);
  } finally {
    installTranslator((message, ...args) => formatMessage(message, args));
  }
  assert.equal(l10n.t('{0} unread', 4), '4 unread');
});

test('l10n/bundle.l10n.json lists every message of the code (npm run l10n), each a string literal with {0}..{n} in order', () => {
  const { messages, dynamic } = extract();
  assert.deepEqual(dynamic, [], 'messages must be literals to be translatable');
  assert.ok(messages.length > 200, `${messages.length} messages`);
  assert.equal(fs.readFileSync(BUNDLE, 'utf8'), bundleText(messages), 'run npm run l10n');
  for (const m of messages) {
    const used = [...m.matchAll(/\{(\d+)\}/g)].map((x) => Number(x[1]));
    const distinct = [...new Set(used)].sort((a, b) => a - b);
    assert.deepEqual(distinct, distinct.map((_, i) => i), `placeholders of ${JSON.stringify(m)}`);
  }
});

test('package.json: every %key% has its English text in package.nls.json, every key is used, enums stay literal', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
  const nls = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.nls.json'), 'utf8')) as Record<string, string>;
  const used = new Set<string>();
  const walk = (value: unknown): void => {
    if (typeof value === 'string') {
      const key = /^%([\w.-]+)%$/.exec(value)?.[1];
      if (key !== undefined) {
        assert.ok(Object.hasOwn(nls, key), `package.nls.json lacks ${key}`);
        used.add(key);
      }
    } else if (Array.isArray(value)) value.forEach(walk);
    else if (typeof value === 'object' && value !== null) Object.values(value).forEach(walk);
  };
  walk(manifest);
  assert.deepEqual(Object.keys(nls).filter((k) => !used.has(k)), [], 'unused keys');
  assert.ok(used.size > 50, `${used.size} keys`);
  // Names the Marketplace and tests rely on are not translated.
  assert.equal(manifest.displayName, 'POP3 Mail');
  assert.deepEqual(manifest.categories, ['Other']);
  const contributes = manifest.contributes as { commands: { title: string; category: string }[] };
  for (const c of contributes.commands) {
    assert.match(c.title, /^%command\.\w+%$/);
    assert.equal(c.category, '%productName%');
  }
  assert.ok(fs.readFileSync(path.join(ROOT, '.vscodeignore'), 'utf8').split('\n').includes('!package.nls.json'), 'package.nls.json ships in the .vsix');
});
