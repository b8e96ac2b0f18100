import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeEncodedWords } from '../../src/mail/encoded-words';
import { headerEnd, parseAddressList } from '../../src/mail/headers';
import { Prng } from '../support/prng';
import { displaySafe, summarize } from '../../src/mail/summary';

const msg = (headers: string[], body = 'Hello there.\r\n'): Buffer => Buffer.from(`${headers.join('\r\n')}\r\n\r\n${body}`, 'utf8');

test('encoded words: UTF-8 B and Q, ISO-8859-1, KOI8-R, adjacent words joined', () => {
  assert.equal(decodeEncodedWords('=?UTF-8?B?w6l0w6kgw6AgUGFyaXM=?='), 'été à Paris');
  assert.equal(decodeEncodedWords('=?utf-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?='), 'Grüße aus Köln');
  assert.equal(decodeEncodedWords('=?ISO-8859-1?Q?Andr=E9?= Pirard'), 'André Pirard');
  assert.equal(decodeEncodedWords('=?koi8-r?B?8NLJ18XU?='), 'Привет');
  // A multi-byte character split across two adjacent words (RFC 2047 6.2 joins them).
  assert.equal(decodeEncodedWords('=?UTF-8?B?4oK=?= =?UTF-8?B?rA==?='), '€');
  assert.equal(decodeEncodedWords('=?UTF-8?Q?a?= =?UTF-8?Q?b?= c'), 'ab c');
});

test('encoded words: bogus words and unknown charsets never throw (T31)', () => {
  assert.equal(decodeEncodedWords('=?x-unknown-charset?Q?caf=E9?='), 'café');
  assert.equal(decodeEncodedWords('=?UTF-8?B?!!!!?='), '=?UTF-8?B?!!!!?=');
  assert.equal(decodeEncodedWords('plain =? text ?= here'), 'plain =? text ?= here');
});

test('addresses: quoted names, commas, comments, the real address kept (T32)', () => {
  assert.deepEqual(parseAddressList('"Doe, Jane" <jane@example.org>, bob@example.org (Bob B)'), [
    { name: 'Doe, Jane', address: 'jane@example.org' },
    { name: 'Bob B', address: 'bob@example.org' },
  ]);
  assert.deepEqual(parseAddressList('"Bank <security@bank.com>" <phish@evil.example>'), [
    { name: 'Bank <security@bank.com>', address: 'phish@evil.example' },
  ]);
  assert.deepEqual(parseAddressList('=?UTF-8?B?SsO8cmdlbg==?= <j@example.de>'), [{ name: 'Jürgen', address: 'j@example.de' }]);
});

test('summary: a Thunderbird-style message with encoded subject and sender', () => {
  const s = summarize(
    msg([
      'Return-Path: <anna@example.se>',
      'From: =?UTF-8?Q?Anna_=C3=85berg?= <anna@example.se>',
      'To: Team <team@example.org>, dev@example.org',
      'Subject: =?UTF-8?B?TcO2dGUgaSBtb3Jnb24/?=',
      '  =?UTF-8?Q?_=E2=98=95?=',
      'Date: Tue, 3 Nov 2026 09:15:00 +0100 (CET)',
      'Content-Type: text/plain; charset=UTF-8; format=flowed',
      'Content-Transfer-Encoding: 8bit',
    ], 'Hej!\r\nSes vi klockan tio?\r\n'),
  );
  assert.equal(s.subject, 'Möte i morgon? ☕');
  assert.deepEqual(s.from, { name: 'Anna Åberg', address: 'anna@example.se' });
  assert.equal(s.to, 'Team <team@example.org>, dev@example.org');
  assert.equal(s.date, '2026-11-03T08:15:00.000Z');
  assert.equal(s.snippet, 'Hej! Ses vi klockan tio?');
  assert.equal(s.hasAttachments, false);
});

test('summary: multipart with a quoted-printable text part and an attachment', () => {
  const s = summarize(
    msg(
      ['From: billing@example.com', 'Subject: Invoice', 'Date: garbage', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="b1"'],
      [
        '--b1',
        'Content-Type: text/plain; charset=iso-8859-1',
        'Content-Transfer-Encoding: quoted-printable',
        '',
        'Bonjour, voici la facture de d=E9cembre.=',
        ' Merci.',
        '--b1',
        'Content-Type: application/pdf; name="f.pdf"',
        'Content-Disposition: attachment; filename="f.pdf"',
        'Content-Transfer-Encoding: base64',
        '',
        'JVBERi0=',
        '--b1--',
        '',
      ].join('\r\n'),
    ),
  );
  assert.equal(s.subject, 'Invoice');
  assert.deepEqual(s.from, { name: '', address: 'billing@example.com' });
  assert.equal(s.date, '');
  assert.equal(s.snippet, 'Bonjour, voici la facture de décembre. Merci.');
  assert.equal(s.hasAttachments, true);
});

test('summary: bidi overrides and control characters are removed from what the tree shows (T31)', () => {
  const s = summarize(msg(['From: "Evil\u202Egpj.exe" <e@example.com>', 'Subject: =?UTF-8?B?aW52b2ljZeKArmdwai5leGU=?=\u0007']));
  assert.equal(s.subject, 'invoicegpj.exe');
  assert.equal(s.from.name, 'Evilgpj.exe');
  assert.equal(summarize(msg(['Subject: a\u061Cb\u2067c\u200Fd'])).subject, 'abcd', 'Arabic letter mark, isolates and marks too');
});

test('summary: a message with no header/body separator and no fields still summarises', () => {
  const s = summarize(Buffer.from('garbage without structure'));
  assert.equal(s.subject, '');
  assert.deepEqual(s.from, { name: '', address: '' });
});

test('headerEnd: the first "\\n\\n" or "\\r\\n\\r\\n" in any mix of line endings, as the definition says', () => {
  // The definition, searched the slow way.
  const reference = (buf: Buffer): number => {
    const crlf = buf.indexOf('\r\n\r\n');
    const lf = buf.indexOf('\n\n');
    if (crlf === -1) return lf === -1 ? -1 : lf + 2;
    return lf === -1 ? crlf + 4 : Math.min(crlf + 4, lf + 2);
  };
  const rnd = new Prng(20261207);
  for (let i = 0; i < 20000; i++) {
    const bytes = Array.from({ length: rnd.int(12) }, () => rnd.pick([0x0a, 0x0d, 0x61]));
    const buf = Buffer.from(bytes);
    assert.equal(headerEnd(buf), reference(buf), JSON.stringify(buf.toString('latin1')));
  }
  assert.equal(headerEnd(Buffer.from('Subject: a\n\r\nbody')), -1, 'LF CR LF without the CR before it is no end');
  assert.equal(headerEnd(Buffer.from('Subject: a\r\n\r\nbody')), 14);
  assert.equal(headerEnd(Buffer.from('Subject: a\n\nbody')), 12);
});

test('displaySafe: one walk gives what the three replacements and trim() give, cut at maxChars, for any mix of spaces, bidi and control characters', () => {
  const reference = (text: string): string =>
    // eslint-disable-next-line no-control-regex
    text.replace(/[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, ' ').replace(/\s+/g, ' ').trim();
  const alphabet = ['a', 'é', ' ', '  ', '\t', '\r\n', '\u00a0', '\u200b', '\u200e', '\u202e', '\u2028', '\u3000', '\ufeff', '\u0000', '\u001b', '\u007f', '\u061c', '\u2067', '\u0085', 'Ж'];
  const rnd = new Prng(7122026);
  for (let i = 0; i < 20000; i++) {
    const text = Array.from({ length: rnd.int(8) }, () => rnd.pick(alphabet)).join('');
    assert.equal(displaySafe(text), reference(text), JSON.stringify(text));
    const max = rnd.int(6);
    assert.equal(displaySafe(text, max), reference(text).slice(0, max), `${JSON.stringify(text)} cut at ${max}`);
  }
});
