// The single-pass scanners that replaced regular expressions on message
// text: they must find what the patterns found, in the common forms.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseAddressList, parseDate } from '../../src/mail/headers';
import { findFileRefs, findUrls } from '../../src/shared/text-links';
import { textWithLinks } from '../../webview-ui/render';
import { installWebviewDom, type WebviewDom } from '../support/webview-dom';

const refs = (text: string): string[] => [...findFileRefs(text)].map((m) => m.ref);
const urls = (text: string): string[] => findUrls(text).map((m) => m.url);

describe('file references in text', () => {
  test('the common forms: path:line, path:line:column, in parentheses, after a word', () => {
    assert.deepEqual(refs('see src/app.ts:12 and lib/x.test.js:3:7, (docs/a.md:1)'), ['src/app.ts:12', 'lib/x.test.js:3', 'docs/a.md:1']);
    assert.deepEqual(refs('at Object.<anonymous> (test/unit/a.test.ts:42:13)'), ['test/unit/a.test.ts:42']);
    assert.deepEqual(refs('node_modules/@scope/pkg+x/index.d.ts:5'), ['node_modules/@scope/pkg+x/index.d.ts:5']);
    assert.deepEqual(refs('README.md:1\nMakefile.am:20.'), ['README.md:1', 'Makefile.am:20']);
  });
  test('where the index, line and end of a match are', () => {
    const [m] = [...findFileRefs('x src/a.ts:12:5 y')];
    assert.deepEqual(m, { index: 2, ref: 'src/a.ts:12', file: 'src/a.ts', line: '12', end: 15 });
  });
  test('not references: absolute, inside URLs or Windows paths, without extension, bad line numbers', () => {
    for (const text of ['/etc/passwd.txt:1', 'https://x.example/a.ts:80', 'C:\\x\\a.ts:3', 'Makefile:3', 'a.ts:12345678', 'a.ts:12x', 'a..ts', 'a/.b.ts:1', 'a//b.ts:1', '.a.ts:1', 'a.ts_:1', 'a.abcdefghijklm:1']) {
      assert.deepEqual(refs(text), [], text);
    }
  });
  test('a start may follow @ or + inside a run, as the pattern allowed', () => {
    assert.deepEqual(refs('user@src/a.ts:1'), ['user@src/a.ts:1']);
    assert.deepEqual(refs('x:@src/a.ts:1'), ['src/a.ts:1']);
    assert.deepEqual(refs('x+y.ts:2'), ['x+y.ts:2']);
    assert.deepEqual(refs('a/.b@c.ts:3'), ['c.ts:3']);
  });
  test('a column too long for a column leaves the line', () => {
    assert.deepEqual([...findFileRefs('a.ts:3:123456')].map((m) => m.end), [6]);
  });
});

describe('URLs in text', () => {
  test('http, https and mailto, any case, trailing sentence punctuation dropped', () => {
    assert.deepEqual(urls('Go to https://example.com/a?b=c. Or HTTP://x.example/(y)), mail mailto:a@b.example!'), ['https://example.com/a?b=c', 'HTTP://x.example/(y', 'mailto:a@b.example']);
  });
  test('ends at white space, quotes and angle brackets; starts only at a word start', () => {
    assert.deepEqual(urls('<https://a.example/x>"https://b.example/y" xhttps://c.example/ https://d.example/z\u00a0w'), ['https://a.example/x', 'https://b.example/y', 'https://d.example/z']);
  });
  test('too short to be a link: a bare scheme', () => {
    assert.deepEqual(urls('http://. mailto: https://'), []);
  });
});

describe('addresses and dates, common forms', () => {
  test('names, quotes, comments, groups, brackets', () => {
    assert.deepEqual(parseAddressList('Jane Doe <jane@example.org> (work), "B, C" <b@example.org>'), [
      { name: 'Jane Doe', address: 'jane@example.org' },
      { name: 'B, C', address: 'b@example.org' },
    ]);
    assert.deepEqual(parseAddressList('undisclosed-recipients:;'), []);
    assert.deepEqual(parseAddressList('team: a@example.org, Bob <b@example.org>;'), [
      { name: '', address: 'a@example.org' },
      { name: 'Bob', address: 'b@example.org' },
    ]);
    assert.deepEqual(parseAddressList('a@example.org(Ann A)'), [{ name: 'Ann A', address: 'a@example.org' }]);
    assert.deepEqual(parseAddressList('<b@example.org>'), [{ name: '', address: 'b@example.org' }]);
    assert.deepEqual(parseAddressList('"Quo\\"ted" <q@example.org>'), [{ name: 'Quo"ted', address: 'q@example.org' }]);
    // Text after the brackets: not an angle address; the whole part is kept.
    assert.deepEqual(parseAddressList('x <a@b> y'), [{ name: '', address: 'x <a@b> y' }]);
  });
  test('dates with comments and odd spacing', () => {
    assert.equal(parseDate('Mon, 7 Dec 2026 10:00:00 +0000 (UTC)'), '2026-12-07T10:00:00.000Z');
    assert.equal(parseDate('Mon,  7 Dec 2026\t10:00:00 +0100'), '2026-12-07T09:00:00.000Z');
    assert.equal(parseDate('(sent) Mon, 7 Dec 2026 10:00:00 GMT (late'), '2026-12-07T10:00:00.000Z');
    assert.equal(parseDate('Mon, 7 Dec 2026 10:00:00 GMT (a) (b)'), '2026-12-07T10:00:00.000Z');
    assert.equal(parseDate('not a date'), '');
    assert.equal(parseDate(undefined), '');
  });
});

describe('the webview links the same references the host found', () => {
  let dom: WebviewDom;
  before(() => {
    dom = installWebviewDom();
  });
  after(() => dom.close());
  test('URLs and known references become links, unknown references stay text', () => {
    const posted: unknown[] = [];
    const fragment = textWithLinks('See src/a.ts:3:1 and lib/b.ts:9 at https://x.example/p. Thanks', ['src/a.ts:3'], (m) => posted.push(m));
    const links = [...fragment.querySelectorAll('a')].map((a) => a.textContent);
    assert.deepEqual(links, ['src/a.ts:3', 'https://x.example/p']);
    const box = dom.document.createElement('pre');
    box.append(fragment);
    assert.equal(box.textContent, 'See src/a.ts:3:1 and lib/b.ts:9 at https://x.example/p. Thanks');
    for (const a of box.querySelectorAll('a')) a.dispatchEvent(new dom.dom.window.MouseEvent('click', { bubbles: true }));
    assert.deepEqual(posted, [
      { type: 'openFile', ref: 'src/a.ts:3' },
      { type: 'openLink', href: 'https://x.example/p' },
    ]);
  });
});
