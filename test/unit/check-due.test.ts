import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dueAccounts, intervalMinutes } from '../../src/vscode/fetch/check-due';

const MIN = 60_000;

test('an account\'s own interval wins over the global one; 0 means never; less than a minute counts as one', () => {
  assert.equal(intervalMinutes(undefined, 15), 15);
  assert.equal(intervalMinutes(5, 15), 5);
  assert.equal(intervalMinutes(0, 15), 0, 'the newsletter account: never');
  assert.equal(intervalMinutes(undefined, 0), 0);
  assert.equal(intervalMinutes(30, 0), 30, 'an account may check although the global setting is off');
  assert.equal(intervalMinutes(0.2, 15), 1);
});

test('due accounts: each by its own interval from its last check by any window; never-checked ones one interval after start', () => {
  const since = 1_000_000_000;
  const now = since + 20 * MIN;
  const accounts = [
    { name: 'work', interval: 5, last: now - 6 * MIN },
    { name: 'work-just-checked', interval: 5, last: now - 2 * MIN },
    { name: 'news', interval: 0, last: now - 1000 * MIN },
    { name: 'slow', interval: 60, last: now - 30 * MIN },
    { name: 'never-checked-15', interval: 15, last: undefined },
    { name: 'never-checked-30', interval: 30, last: undefined },
    { name: 'almost', interval: 5, last: now - 5 * MIN + 20_000 },
  ];
  const due = dueAccounts({ accounts, intervalOf: (a) => a.interval, lastCheckOf: (a) => a.last, since, now, toleranceMs: 30_000 });
  assert.deepEqual(
    due.map((a) => a.name),
    ['work', 'never-checked-15', 'almost'],
  );
});
