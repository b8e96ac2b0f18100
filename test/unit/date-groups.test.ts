import assert from 'node:assert/strict';
import { test } from 'node:test';
import { firstBelow, firstDayOfWeek, groupByDate, pageOf, unreadIn } from '../../src/vscode/inbox/date-groups';

// Local-time dates, as the tree sees them (the groups are local midnights).
const at = (y: number, mo: number, d: number, h = 12): string => new Date(y, mo - 1, d, h).toISOString();
const sortDesc = (dates: string[]): { date: string }[] => dates.map((date) => ({ date })).sort((a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : 0));
const summary = (groups: ReturnType<typeof groupByDate>): string[] => groups.map((g) => `${g.label}:${g.end - g.start}`);

// Thursday 26 November 2026, 10:00 local.
const NOW = new Date(2026, 10, 26, 10, 0);

test('groups: today, yesterday, this week, this month, older months, no date; empty groups left out', () => {
  const list = sortDesc([
    at(2026, 11, 26, 9), at(2026, 11, 26, 0), // today (midnight is today)
    at(2026, 11, 25, 23), // yesterday
    at(2026, 11, 24), at(2026, 11, 23, 0), // this week (Monday start)
    at(2026, 11, 22), at(2026, 11, 1, 0), // this month
    at(2026, 10, 31, 23), at(2026, 10, 2), // October
    at(2025, 1, 15), // January 2025 (the months between are empty: no groups)
    '', '', // no date
  ]);
  const groups = groupByDate(list, NOW, { locale: 'en-US', firstDayOfWeek: 1 });
  assert.deepEqual(summary(groups), ['Today:2', 'Yesterday:1', 'This Week:2', 'This Month:2', 'October 2026:2', 'January 2025:1', 'No Date:2']);
  // Contiguous and complete.
  assert.equal(groups[0]!.start, 0);
  for (let i = 1; i < groups.length; i++) assert.equal(groups[i]!.start, groups[i - 1]!.end);
  assert.equal(groups.at(-1)!.end, list.length);
  assert.deepEqual(groups.map((g) => g.key), ['today', 'yesterday', 'week', 'month', 'month-2026-10', 'month-2025-01', 'undated']);
});

test('groups: the week start follows the locale (Sunday) and a week reaching into last month wins over This Month', () => {
  // Sunday-first: the week of Thursday 26 Nov starts Sunday 22 Nov.
  const list = sortDesc([at(2026, 11, 22, 1), at(2026, 11, 21)]);
  assert.deepEqual(summary(groupByDate(list, NOW, { locale: 'en-US', firstDayOfWeek: 7 })), ['This Week:1', 'This Month:1']);
  assert.deepEqual(summary(groupByDate(list, NOW, { locale: 'en-US', firstDayOfWeek: 1 })), ['This Month:2']);
  // Wednesday 2 December: the week began Monday 30 November, last month.
  const dec2 = new Date(2026, 11, 2, 8);
  const l2 = sortDesc([at(2026, 12, 1), at(2026, 11, 30), at(2026, 11, 29)]);
  assert.deepEqual(summary(groupByDate(l2, dec2, { locale: 'en-US', firstDayOfWeek: 1 })), ['Yesterday:1', 'This Week:1', 'November 2026:1']);
  // On a Monday "This Week" would only repeat Today/Yesterday: no such group.
  const monday = new Date(2026, 10, 23, 8);
  assert.deepEqual(summary(groupByDate(sortDesc([at(2026, 11, 22), at(2026, 11, 20)]), monday, { firstDayOfWeek: 1, locale: 'en-US' })), ['Yesterday:1', 'This Month:1']);
});

test('groups: future dates get their own group; odd years and empty dates go to No Date', () => {
  const list = sortDesc([at(2027, 3, 1), at(2026, 11, 27, 0), at(2026, 11, 26), '+010000-01-01T00:00:00.000Z', '']);
  assert.deepEqual(summary(groupByDate(list, NOW, { locale: 'en-US' })), ['Future Dates:2', 'Today:1', 'No Date:2']);
  assert.deepEqual(groupByDate([], NOW), []);
});

test('groups: a 1970 message costs one group, not hundreds of empty months', () => {
  const list = sortDesc([at(2026, 11, 26), at(1970, 1, 2)]);
  assert.deepEqual(summary(groupByDate(list, NOW, { locale: 'en-US' })), ['Today:1', 'January 1970:1']);
});

test('groups: 100,000 messages are grouped by binary search, touching a few hundred of them', () => {
  const list: { date: string }[] = [];
  const start = NOW.getTime();
  for (let i = 0; i < 100_000; i++) list.push({ date: new Date(start - i * 15 * 60_000).toISOString() }); // one every 15 minutes, ~3 years
  // Count element reads: a linear scan would read all 100,000.
  let reads = 0;
  const counted = new Proxy(list, {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  const groups = groupByDate(counted, NOW, { locale: 'en-US' });
  assert.equal(groups.reduce((n, g) => n + g.end - g.start, 0), 100_000);
  assert.ok(groups.length > 30 && groups.length < 45, `${groups.length} groups`);
  assert.ok(reads < 1500, `${reads} element reads`);
});

test('firstBelow: first index whose date sorts below the bound', () => {
  const list = sortDesc(['2026-03', '2026-02', '2026-02', '2026-01']);
  assert.equal(firstBelow(list, '2026-02'), 3);
  assert.equal(firstBelow(list, '2027'), 0);
  assert.equal(firstBelow(list, '2000'), 4);
  assert.equal(firstBelow(list, '2026-02', 2), 3);
});

test('paging: pages grow by pageSize until the group is shown; remaining counts down', () => {
  const g = { start: 10, end: 460 };
  assert.deepEqual(pageOf(g, 200, 1), { start: 10, end: 210, remaining: 250 });
  assert.deepEqual(pageOf(g, 200, 2), { start: 10, end: 410, remaining: 50 });
  assert.deepEqual(pageOf(g, 200, 3), { start: 10, end: 460, remaining: 0 });
  assert.deepEqual(pageOf(g, 200, 9), { start: 10, end: 460, remaining: 0 });
  assert.deepEqual(pageOf({ start: 0, end: 5 }, 0, 0), { start: 0, end: 1, remaining: 4 }, 'nonsense sizes are clamped to one');
});

test('unread counts over a range', () => {
  const list = [{ seen: false }, { seen: true }, { seen: false }, { seen: false }];
  assert.equal(unreadIn(list), 3);
  assert.equal(unreadIn(list, 1, 3), 1);
});

test('first day of the week from the locale, Monday when unknown', () => {
  assert.equal(firstDayOfWeek('de-DE'), 1);
  assert.ok([1, 7].includes(firstDayOfWeek('en-US')));
  assert.equal(firstDayOfWeek('not a locale!'), 1);
});
