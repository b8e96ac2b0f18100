// mailto links from a message reach the user's mail program. Only to, cc,
// bcc, subject and body may: `attach=` makes some programs attach a local
// file, other fields forge headers. The host checks every link the view
// posts (checkLinkHref) and again where it opens it.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkLinkHref, parseFromWebview } from '../../src/shared/validate';

/**
 * The field names a mail program receives for `href`, after VS Code's opener
 * (1.100): vscode.Uri.parse decodes the query, and the opener hands on
 * encodeURI(uri.toString(true)), so an encoded '&' becomes a separator.
 */
function fieldsSeenByMailProgram(href: string): string[] {
  const q = href.indexOf('?');
  if (q === -1) return [];
  const wire = encodeURI(decodeURIComponent(href.slice(q + 1)));
  return wire.split('&').map((pair) => decodeURIComponent(pair.split('=')[0]!).toLowerCase());
}

const ALLOWED = new Set(['to', 'cc', 'bcc', 'subject', 'body']);

describe('mailto fields', () => {
  const cases: [string, string | undefined][] = [
    ['mailto:x@y.example?attach=/home/me/.ssh/id_rsa', 'mailto:x@y.example'],
    ['mailto:x@y.example?ATTACH=/home/me/.ssh/id_rsa', 'mailto:x@y.example'],
    ['mailto:x@y.example?Attach=/etc/passwd&subject=Hi', 'mailto:x@y.example?subject=Hi'],
    ['mailto:x@y.example?%61ttach=/etc/passwd&subject=Hi', 'mailto:x@y.example?subject=Hi'],
    ['mailto:x@y.example?%41TTACH=/etc/passwd', 'mailto:x@y.example'],
    ['mailto:x@y.example?attachment=/etc/passwd&attach=a&attach=b', 'mailto:x@y.example'],
    ['mailto:x@y.example?X-Header=evil&From=boss@corp.example&In-Reply-To=%3Cid%3E', 'mailto:x@y.example'],
    // '&amp;' that reached the host unescaped: "amp;attach" is not a field name.
    ['mailto:x@y.example?subject=Hi&amp;attach=/etc/passwd', 'mailto:x@y.example?subject=Hi'],
    // An encoded & in a value would be a separator after VS Code's opener decodes the query.
    ['mailto:x@y.example?subject=a%26attach%3D/etc/passwd&body=ok', 'mailto:x@y.example?body=ok'],
    ['mailto:x@y.example?subject=a%2526attach', 'mailto:x@y.example?subject=a%2526attach'],
    // A query hidden in the address part.
    ['mailto:x@y.example%3Fattach=/etc/passwd', undefined],
    ['mailto:?attach=/etc/passwd', undefined],
    ['mailto:x@y.example?=x&attach&subject', 'mailto:x@y.example'],
    ['mailto:x@y.example?%zz=1&subject=%zz', 'mailto:x@y.example'],
    // What stays: the five fields, repeated ones too, names lower-cased, values as they were.
    ['mailto:x@y.example?Subject=Hello%20there&BODY=a+b&cc=c@d.example&cc=e@f.example&bcc=g@h.example&To=i@j.example',
      'mailto:x@y.example?subject=Hello%20there&body=a+b&cc=c@d.example&cc=e@f.example&bcc=g@h.example&to=i@j.example'],
    ['mailto:?to=a@b.example&subject=x', 'mailto:?to=a@b.example&subject=x'],
    ['mailto:x@y.example?%73ubject=Hi', 'mailto:x@y.example?subject=Hi'],
    ['mailto:x@y.example#frag', 'mailto:x@y.example'],
    ['MAILTO:x@y.example?subject=%C3%A9t%C3%A9', 'mailto:x@y.example?subject=%C3%A9t%C3%A9'],
  ];
  for (const [input, expected] of cases) {
    test(input, () => {
      const out = checkLinkHref(input);
      assert.equal(out, expected);
      if (out !== undefined) {
        for (const name of fieldsSeenByMailProgram(out)) assert.ok(ALLOWED.has(name), `the mail program would see ${name}`);
      }
    });
  }

  test('an openLink message from the view carries the filtered link', () => {
    assert.deepEqual(parseFromWebview({ type: 'openLink', href: 'mailto:x@y.example?subject=Hi&attach=/etc/passwd' }), {
      type: 'openLink',
      href: 'mailto:x@y.example?subject=Hi',
    });
  });

  test('a value with a literal "=" or "?" keeps its field and opens as one field', () => {
    const out = checkLinkHref('mailto:x@y.example?subject=1+1=2?&body=a%3Db');
    assert.equal(out, 'mailto:x@y.example?subject=1+1=2?&body=a%3Db');
    assert.deepEqual(fieldsSeenByMailProgram(out!), ['subject', 'body']);
  });

  test('a long query is filtered in linear time', () => {
    const many = `mailto:x@y.example?${'attach=a&'.repeat(900)}subject=s`;
    const start = performance.now();
    assert.equal(checkLinkHref(many), 'mailto:x@y.example?subject=s');
    assert.ok(performance.now() - start < 200);
  });
});
