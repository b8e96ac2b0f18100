// `pop3-mail show`: what it prints comes from the editor's parser
// (parseMessageView), and text mode never hands the terminal an escape
// sequence, a control character or a bidi control from a message.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { showModel, showText } from '../../src/cli/show';
import { terminalLine, terminalSafe } from '../../src/cli/terminal';
import { htmlToText } from '../../src/mail/html-text';
import { parseMessageView } from '../../src/mail/view';
import { readState, writeState } from '../../src/store/state';
import { parseTransport, securityLineText, transportOf } from '../../src/store/transport';

const ESC = '\x1b';
/** Anything a terminal could act on: C0 but \n and \t, DEL, C1, and the bidi controls. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

describe('terminalSafe', () => {
  const cases: [string, string, string][] = [
    ['OSC 52 clipboard write (BEL)', `a${ESC}]52;c;cm0gLXJmIH4K\x07b`, 'ab'],
    ['OSC 52 clipboard write (ESC \\)', `a${ESC}]52;c;cm0gLXJmIH4K${ESC}\\b`, 'ab'],
    ['OSC 8 hidden link', `${ESC}]8;;https://evil.example${ESC}\\click${ESC}]8;;${ESC}\\`, 'click'],
    ['CSI clear screen and cursor home', `x${ESC}[2J${ESC}[H${ESC}[1;31mred${ESC}[0m`, 'xred'],
    ['CSI with intermediates', `a${ESC}[?1049hb${ESC}[ q`, 'ab'],
    ['C1 CSI and OSC', 'a\u009b2Jb\u009d52;c;x\u009cc', 'abc'],
    ['DCS, APC, PM, SOS strings', `1${ESC}Pq#0${ESC}\\2${ESC}_x${ESC}\\3${ESC}^y${ESC}\\4${ESC}Xz${ESC}\\5`, '12345'],
    ['ESC c (reset) and ESC 7/8', `a${ESC}cb${ESC}7c${ESC}8d`, 'abcd'],
    ['nF: ESC ( B', `a${ESC}(Bb`, 'ab'],
    ['lone ESC at the end', `a${ESC}`, 'a'],
    ['C0 except \\n and \\t, DEL', 'a\x00b\x07c\x08d\re\x7ff\tg\nh\x0bi\x0cj', 'abcdef\tg\nhij'],
    ['bidi controls', 'safe\u202eexe.txt\u2066\u2067\u2068\u2069\u200e\u200f\u061c', 'safeexe.txt'],
    ['unterminated OSC keeps its text', `a${ESC}]52;c;visible`, 'a52;c;visible'],
    ['text untouched', 'Grüße — 日本語 ✓ [link](command:x) $(icon)', 'Grüße — 日本語 ✓ [link](command:x) $(icon)'],
  ];
  for (const [name, input, expected] of cases) {
    test(name, () => {
      const out = terminalSafe(input);
      assert.equal(out, expected);
      assert.ok(!UNSAFE.test(out));
    });
  }

  test('terminalLine makes one line', () => {
    assert.equal(terminalLine(`a\n\tb${ESC}[2Jc\r\nd`), 'a bc d');
  });

  test('linear time on 2 MB runs of every introducer, terminated or not', () => {
    const inputs = [
      `${ESC}]`.repeat(1 << 20),
      `${ESC}[`.repeat(1 << 20),
      '\u009d'.repeat(2 << 20),
      `${ESC}P`.repeat(1 << 20),
      ESC.repeat(2 << 20),
      `${ESC}]x${ESC}`.repeat(1 << 19),
      `${ESC}[${'1;'.repeat(1 << 20)}`,
      `${ESC}(`.repeat(1 << 20),
    ];
    for (const input of inputs) {
      const start = performance.now();
      const out = terminalSafe(input);
      const ms = performance.now() - start;
      assert.ok(!UNSAFE.test(out));
      assert.ok(ms < 5000, `${JSON.stringify(input.slice(0, 6))}... took ${ms.toFixed(0)} ms`);
    }
  });

  test('random bytes never leave an unsafe character', () => {
    let seed = 12345;
    const next = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) % 256;
    const alphabet = [0x1b, 0x5b, 0x5d, 0x5c, 0x07, 0x9b, 0x9c, 0x9d, 0x50, 0x41, 0x30, 0x3b, 0x0a, 0x0d, 0x00];
    for (let round = 0; round < 200; round++) {
      let s = '';
      for (let i = 0; i < 200; i++) s += String.fromCharCode(next() < 128 ? alphabet[next() % alphabet.length]! : next());
      assert.ok(!UNSAFE.test(terminalSafe(s)), JSON.stringify(s));
    }
  });
});

describe('htmlToText', () => {
  test('blocks, line breaks, lists, entities; scripts and styles go', () => {
    const html = '<html><head><title>T</title><style>p{color:red}</style></head><body><h1>Hello&nbsp;you</h1>' +
      '<p>One &amp; two &lt;three&gt; &#x41;&#66;</p><script>alert(1)</script><ul><li>first</li><li>second</li></ul>' +
      'line<br>break <img src="x.png" alt="logo"> <!-- hidden --> end</body></html>';
    assert.equal(htmlToText(html), 'Hello\u00a0you\n\nOne & two <three> AB\n\n\u2022 first\n\u2022 second\nline\nbreak [logo] end'.replace('\u00a0', ' '));
  });

  test('a lone "<" and unknown entities stay text', () => {
    assert.equal(htmlToText('a < b &unknown; c &amp d'), 'a < b &unknown; c &amp d');
    assert.equal(htmlToText('1 < 2 and <b>bold</b> 3>2'), '1 < 2 and bold 3>2');
  });

  test('a tag that never ends is dropped with the rest, as a browser does', () => {
    assert.equal(htmlToText('<p>Part one ends inside an attribute</p><img src="https://x.example/?data='), 'Part one ends inside an attribute');
  });

  test('linear time on 2 MB runs of "<", "&" and unterminated comments and tags', () => {
    for (const input of ['<'.repeat(2 << 20), '&'.repeat(2 << 20), '<!--'.repeat(1 << 19), '<a '.repeat(1 << 19), '<script>'.repeat(1 << 18), '&#'.repeat(1 << 20)]) {
      const start = performance.now();
      htmlToText(input);
      const ms = performance.now() - start;
      assert.ok(ms < 5000, `${input.slice(0, 8)}... took ${ms.toFixed(0)} ms`);
    }
  });
});

describe('show model and text', () => {
  const fixture = (name: string): Buffer => fs.readFileSync(path.resolve('test/fixtures', name));
  const summary = { id: 'id1', uidl: 'u1' };

  test('the model is the editor view model: same subject, sender, recipients, date, attachments', () => {
    for (const name of ['view/30-newsletter.eml', 'view/32-attachments.eml', 'view/31-plain.eml', 'hostile/13-html-attachment.eml']) {
      const raw = fixture(name);
      const view = parseMessageView('id1', raw).view;
      const m = showModel(summary, raw, '');
      assert.equal(m.subject, view.subject, name);
      assert.deepEqual(m.from, view.from, name);
      assert.equal(m.to, view.to, name);
      assert.equal(m.cc, view.cc, name);
      assert.equal(m.date, view.date, name);
      assert.deepEqual(m.body, view.body, name);
      assert.deepEqual(m.attachments.map((a) => [a.name, a.size, a.contentType]), view.attachments.map((a) => [a.name, a.size, a.contentType]), name);
    }
  });

  test('attachments get the safe names; sizes are decoded sizes', () => {
    const m = showModel(summary, fixture('view/32-attachments.eml'), '');
    assert.ok(m.attachments.length >= 4);
    for (const a of m.attachments) {
      assert.ok(!/[/\\\0]/.test(a.name) && !a.name.startsWith('.'), a.name);
      assert.ok(a.size > 0);
    }
    assert.equal(m.attachments.find((a) => a.contentType === 'application/pdf')?.name, 'Quarterly report Q3.pdf');
    assert.equal(m.attachments.find((a) => a.contentType === 'application/pdf')?.size, 82);
  });

  test('plain text is preferred; an HTML-only message is shown as its text', () => {
    const alt = showModel(summary, fixture('view/30-newsletter.eml'), '');
    assert.equal(alt.textFrom, 'plain');
    assert.match(alt.text, /^Weekly Dev Digest\n/);
    const html = showModel(summary, Buffer.from('From: a@b.example\r\nSubject: h\r\nContent-Type: text/html\r\n\r\n<p>Hi <b>there</b></p><script>x()</script>'), '');
    assert.equal(html.textFrom, 'html');
    assert.equal(html.text, 'Hi there');
    assert.match(showText(html), /\[HTML message shown as text\]\nHi there/);
  });

  test('text mode: headers with the real address, the security line, no escape sequence from any part', () => {
    const raw = Buffer.from(
      [
        `From: "Boss${ESC}]52;c;cm0gLXJmIH4K\x07" <boss${ESC}[2J@corp.example>`,
        'To: alice@example.com',
        'Cc: bob@example.com',
        'Date: Tue, 1 Dec 2026 10:00:00 +0000',
        `Subject: =?utf-8?b?${Buffer.from(`Hi${ESC}[31m \u202eexe.txt \u009b2J`).toString('base64')}?=`,
        'Content-Type: multipart/mixed; boundary=b',
        '',
        '--b',
        'Content-Type: text/plain; charset=utf-8',
        '',
        `Body ${ESC}]52;c;Y2xpcA==${ESC}\\line${ESC}[2J${ESC}[H\r\nnext\x07 \u009d0;title\u009c`,
        '--b',
        'Content-Type: application/octet-stream',
        `Content-Disposition: attachment; filename="evil${ESC}[2J.txt"`,
        '',
        'data',
        '--b--',
        '',
      ].join('\r\n'),
    );
    const security = securityLineText(transportOf({ security: 'tls', pin: 'AB' }));
    const m = showModel(summary, raw, security);
    const text = showText(m);
    assert.ok(!UNSAFE.test(text), JSON.stringify(text));
    // The parser already turns header controls into spaces (as the editor shows them); the payload stays visible text.
    assert.match(text, /^From: Boss \]52;c;cm0gLXJmIH4K <boss \[2J@corp\.example>$/m);
    assert.match(text, /^To: alice@example\.com$/m);
    assert.match(text, /^Cc: bob@example\.com$/m);
    assert.match(text, /^Date: 2026-12-01T10:00:00\.000Z$/m);
    assert.match(text, /^Subject: Hi \[31m exe\.txt $/m);
    assert.match(text, /^Security: Fetched over TLS \(POP3S\), certificate pinned$/m);
    assert.match(text, /^Body line\nnext $/m);
    assert.match(text, /^\[attachment 0\] evil\[2J\.txt \(application\/octet-stream, 4 bytes\)$/m);
    // JSON keeps the message text as it is, escaped: valid JSON, no raw control character.
    const json = JSON.stringify(m);
    // eslint-disable-next-line no-control-regex -- the point
    assert.ok(!/[\u0000-\u001f]/.test(json), 'JSON.stringify escapes every C0 control');
    assert.deepEqual(JSON.parse(json), JSON.parse(JSON.stringify(m)));
    assert.ok((JSON.parse(json) as { text: string }).text.includes(`${ESC}]52`), 'JSON gives the text as parsed');
  });

  test('the security lines for every transport', () => {
    const lines = (['tls', 'starttls'] as const).flatMap((security) =>
      [{}, { caFile: '/ca.pem' }, { pin: 'AB', caFile: '/ca.pem' }].map((extra) => securityLineText(transportOf({ security, ...extra }))),
    );
    assert.deepEqual(lines, [
      'Fetched over TLS (POP3S), certificate verified',
      'Fetched over TLS (POP3S), certificate verified with your CA file',
      'Fetched over TLS (POP3S), certificate pinned',
      'Fetched over STARTTLS, certificate verified',
      'Fetched over STARTTLS, certificate verified with your CA file',
      'Fetched over STARTTLS, certificate pinned',
    ]);
  });
});

describe('the fetch transport in state.json', () => {
  test('written and read back; anything else in its place reads as unknown', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pop3-state-'));
    try {
      const file = path.join(dir, 'state.json');
      writeState(file, { lastServerCount: 3, transport: transportOf({ security: 'starttls', caFile: '/x.pem' }) });
      assert.deepEqual(readState(file).transport, { security: 'starttls', verification: 'ca-file' });
      assert.equal(readState(file).lastServerCount, 3);
      for (const junk of [null, 'tls', [], { security: 'plain', verification: 'system' }, { security: 'tls', verification: 'none' }, { security: 'tls' }]) {
        assert.equal(parseTransport(junk), undefined, JSON.stringify(junk));
        fs.writeFileSync(file, JSON.stringify({ transport: junk }));
        assert.equal(readState(file).transport, undefined);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
