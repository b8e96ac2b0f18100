// The lint keeps super-linear patterns out: the project's own ESLint
// configuration, run through ESLint's API on snippets placed where the
// product's code lives, rejects a pattern that backtracks or moves
// super-linearly on a long run of one character and accepts a linear one.

import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { ESLint } from 'eslint';

const ROOT = path.resolve(path.dirname(__filename), '..', '..');

async function ruleIds(code: string, file: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: ROOT, overrideConfigFile: path.join(ROOT, 'eslint.config.mjs') });
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message);
}

describe('lint: no super-linear regular expressions', () => {
  test('a pattern that backtracks polynomially is an error in src/', async () => {
    const ids = await ruleIds("export const cleaned = (s: string): string => s.replace(/^\\s*!?\\s*x/, '');\n", 'src/mail/lint-probe.ts');
    assert.deepEqual(ids, ['regexp/no-super-linear-backtracking']);
  });
  test('a pattern that moves super-linearly (retried from each position of a run) is an error in webview-ui/', async () => {
    const ids = await ruleIds("export const trimmed = (s: string): string => s.replace(/[.,;:]+$/, '');\n", 'webview-ui/lint-probe.ts');
    assert.deepEqual(ids, ['regexp/no-super-linear-move']);
  });
  test('the old file:line pattern is rejected', async () => {
    const ids = await ruleIds('export const REF = /((?:[\\w@+-][\\w@.+-]*\\/)*[\\w@+-][\\w@.+-]*\\.[A-Za-z0-9]{1,12}):(\\d{1,7})/g;\n', 'src/shared/lint-probe.ts');
    assert.ok(ids.length > 0 && ids.every((id) => id === 'regexp/no-super-linear-move' || id === 'regexp/no-super-linear-backtracking'), ids.join(', '));
  });
  test('linear patterns pass', async () => {
    const ids = await ruleIds("export const parts = (s: string): string[] => s.split(/\\r?\\n/).map((l) => l.replace(/^\\s+/, '').replace(/\\bfoo\\b/g, 'bar'));\n", 'src/mail/lint-probe.ts');
    assert.deepEqual(ids, []);
  });
});
