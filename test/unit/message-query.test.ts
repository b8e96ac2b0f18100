import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fuzzyScore, parseDay, parseQuery, passesFilters, searchMessages, tokenize } from '../../src/vscode/search/message-query';

const msg = (subject: string, name: string, address: string, date: string, seen = false, hasAttachments = false) => ({
  subject,
  from: { name, address },
  date,
  seen,
  hasAttachments,
});

test('tokenize: words, quoted phrases, prefixed quotes, an unclosed quote', () => {
  assert.deepEqual(tokenize('  from:alice  subject:"quarterly report" "two words" x'), ['from:alice', 'subject:quarterly report', 'two words', 'x']);
  assert.deepEqual(tokenize('subject:"open end'), ['subject:open end']);
  assert.deepEqual(tokenize(''), []);
});

test('parseQuery: every filter, free words, unknown prefixes stay text, problems reported', () => {
  const q = parseQuery('from:Alice subject:"Q3 Report" has:attachment is:unread before:2026-11-01 after:2026-10 invoice Re:lunch is:flagged before:yesterday');
  assert.deepEqual(q.from, ['alice']);
  assert.deepEqual(q.subject, ['q3 report']);
  assert.equal(q.hasAttachment, true);
  assert.equal(q.unread, true);
  assert.equal(q.before, new Date(2026, 10, 1).toISOString());
  assert.equal(q.after, new Date(2026, 9, 1).toISOString());
  assert.deepEqual(q.words, ['invoice', 're:lunch']);
  assert.equal(q.problems.length, 2);
  assert.match(q.problems[0]!, /is:flagged/);
  assert.match(q.problems[1]!, /before:yesterday/);
  assert.equal(parseQuery('is:read').unread, false);
});

test('parseDay: days and months, impossible dates rejected', () => {
  assert.equal(parseDay('2026-02-28'), new Date(2026, 1, 28).toISOString());
  assert.equal(parseDay('2026/3'), new Date(2026, 2, 1).toISOString());
  assert.equal(parseDay('2026-02-31'), undefined);
  assert.equal(parseDay('2026-13-01'), undefined);
  assert.equal(parseDay('26-1-1'), undefined);
});

test('filters: from matches name or address, subject substring, dates exclusive/inclusive, undated excluded', () => {
  const m = msg('Quarterly Report Q3', 'Alice Doe', 'alice@example.org', new Date(2026, 9, 15, 12).toISOString(), false, true);
  assert.ok(passesFilters(parseQuery('from:doe'), m));
  assert.ok(passesFilters(parseQuery('from:example.org'), m));
  assert.ok(!passesFilters(parseQuery('from:bob'), m));
  assert.ok(passesFilters(parseQuery('subject:report has:attachment is:unread'), m));
  assert.ok(!passesFilters(parseQuery('is:read'), m));
  assert.ok(passesFilters(parseQuery('after:2026-10-15 before:2026-10-16'), m));
  assert.ok(!passesFilters(parseQuery('before:2026-10-15'), m));
  assert.ok(!passesFilters(parseQuery('after:2026-10-16'), m));
  assert.ok(!passesFilters(parseQuery('after:2000-01-01'), { ...m, date: '' }));
  assert.ok(!passesFilters(parseQuery('has:attachment'), { ...m, hasAttachments: false }));
});

test('fuzzy: substrings beat scattered letters, word starts count, non-matches are undefined', () => {
  assert.equal(fuzzyScore('xyz', 'Quarterly report'), undefined);
  const sub = fuzzyScore('report', 'Quarterly report')!;
  const scattered = fuzzyScore('qrtrpt', 'Quarterly report')!;
  assert.ok(sub > scattered && scattered > 0);
  assert.ok(fuzzyScore('rep', 'Quarterly report')! > fuzzyScore('ort', 'Quarterly report')!, 'a word start scores higher');
  assert.equal(fuzzyScore('', 'anything'), 0);
});

test('search: filters plus fuzzy words over subject and sender, best first, limited; date order without words', () => {
  const list = [
    msg('Lunch on Friday', 'Bob', 'bob@example.org', '2026-11-25T10:00:00.000Z', true),
    msg('Your invoice INV-2041', 'Billing', 'billing@shop.example', '2026-11-24T10:00:00.000Z'),
    msg('Re: invoice question', 'Alice', 'alice@example.org', '2026-11-23T10:00:00.000Z', false, true),
    msg('Build passed', 'CI', 'ci@example.org', '2026-11-22T10:00:00.000Z'),
  ];
  const r = searchMessages(list, parseQuery('invoice'), 10);
  assert.equal(r.total, 2);
  assert.deepEqual(r.hits.map((h) => h.message.subject), ['Re: invoice question', 'Your invoice INV-2041'], 'the earlier hit in the subject first');
  assert.deepEqual(searchMessages(list, parseQuery('alice'), 10).hits.map((h) => h.message.subject), ['Re: invoice question'], 'matches the sender');
  assert.deepEqual(searchMessages(list, parseQuery('is:unread'), 2).hits.map((h) => h.message.subject), ['Your invoice INV-2041', 'Re: invoice question']);
  assert.equal(searchMessages(list, parseQuery('is:unread'), 2).total, 3);
  assert.deepEqual(searchMessages(list, parseQuery('bldpsd'), 10).hits.map((h) => h.message.subject), ['Build passed'], 'fuzzy');
  assert.deepEqual(searchMessages(list, parseQuery('invoice has:attachment'), 10).hits.map((h) => h.message.subject), ['Re: invoice question']);
});

test('search: 100,000 messages answer a fuzzy query fast and keep only the limit', () => {
  const list = Array.from({ length: 100_000 }, (_, i) => msg(`Message number ${i} about things`, `Sender ${i % 100}`, `s${i % 100}@example.org`, new Date(2026, 0, 1, 0, -i).toISOString(), i % 3 === 0));
  const t = process.hrtime.bigint();
  const r = searchMessages(list, parseQuery('numb 4242'), 50);
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  assert.ok(r.total >= 1 && r.hits.length <= 50);
  assert.equal(r.hits[0]!.message.subject, 'Message number 4242 about things');
  // Generous: a loaded CI machine; the point is that the scan stays linear and bounded.
  assert.ok(ms < 5000, `search took ${ms} ms`);
});
