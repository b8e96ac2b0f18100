import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSearchQuery, splitQuery } from '../../src/search/query';
import { eachTerm, fold, locatedTerms, terms } from '../../src/search/tokenize';

test('words are folded: NFKD without marks, lower case, letters and digits only', () => {
  assert.deepEqual(terms('Café NAÏVE ﬁle ＡＢＣ Größe x_y 2041-INV'), ['cafe', 'naive', 'file', 'abc', 'große', 'x', 'y', '2041', 'inv']);
  assert.deepEqual(terms('日本語 Ελληνικά'), ['日本語', 'ελληνικα']);
});

test('the ASCII fast path gives the same words as folding the whole text', () => {
  const samples = ['Hello, World! café naïve ＡＢＣ ﬁle 日本語のテキスト 🙂 x\u0301y Ελληνικά Größe ½ 1,234.56 a_b', `${'b'.repeat(100)} Zoë \u00e9${'e\u0301'.repeat(80)}`];
  for (const s of samples) {
    const whole: string[] = [];
    eachTerm(fold(s), (t) => whole.push(t));
    assert.deepEqual(terms(s), whole);
  }
});

test('located words point into the original text', () => {
  const text = 'Grüße aus Köln';
  assert.deepEqual(
    locatedTerms(text).map((w) => [w.term, text.slice(w.start, w.end)]),
    [
      ['gruße', 'Grüße'],
      ['aus', 'aus'],
      ['koln', 'Köln'],
    ],
  );
});

test('queries: words, prefixes, phrases, filters, problems', () => {
  assert.deepEqual(splitQuery('a "b c" subject:"d e" f"g'), [
    { text: 'a', quoted: false },
    { text: 'b c', quoted: true },
    { text: 'subject:d e', quoted: true },
    { text: 'fg', quoted: true },
  ]);
  const q = parseSearchQuery('Invoice inv* "Build Failed" from:Zoë to:bob subject:"Q3 report" has:attachment is:unread before:2026-11-01 after:2026-10 is:odd before:soon', { lastWordPrefix: true });
  assert.deepEqual(q.clauses, [
    { kind: 'word', term: 'invoice' },
    { kind: 'prefix', term: 'inv' },
    { kind: 'phrase', terms: ['build', 'failed'] },
  ]);
  assert.deepEqual([q.from, q.to, q.subject], [['zoe'], ['bob'], ['q3 report']]);
  assert.equal(q.hasAttachment, true);
  assert.equal(q.unread, true);
  assert.equal(q.before, new Date(2026, 10, 1).getTime());
  assert.equal(q.after, new Date(2026, 9, 1).getTime());
  assert.deepEqual(q.problems, ['is:odd', 'before:soon']);
  assert.deepEqual(parseSearchQuery('report dra', { lastWordPrefix: true }).clauses.at(-1), { kind: 'prefix', term: 'dra' });
  assert.deepEqual(parseSearchQuery('report dra ', { lastWordPrefix: true }).clauses.at(-1), { kind: 'word', term: 'dra' });
  assert.deepEqual(parseSearchQuery('report d', { lastWordPrefix: true }).clauses.at(-1), { kind: 'word', term: 'd' }, 'one letter is not a prefix');
  assert.deepEqual(parseSearchQuery('report dra').clauses.at(-1), { kind: 'word', term: 'dra' });
  assert.deepEqual(parseSearchQuery('Re: lunch').clauses, [{ kind: 'word', term: 're' }, { kind: 'word', term: 'lunch' }]);
});

test('a 64 KB run of quotes or of one letter is split in linear time', () => {
  assert.equal(splitQuery('"'.repeat(64 * 1024)).length, 0);
  assert.deepEqual(terms('x'.repeat(64 * 1024)), ['x'.repeat(64)]);
  assert.equal(parseSearchQuery('a'.repeat(64 * 1024)).clauses.length, 1);
});
