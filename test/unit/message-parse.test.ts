// Parsing hostile mail for the message view (docs/security.md T27-T32): names,
// MIME bombs, huge parts, broken structure, encodings, spoofed senders. The
// parse runs in the real worker bundle, built here with esbuild.
//
// Sizes: T29 asks for a 500 MB base64 part; this suite builds its big
// messages in memory and bounded (about 70 MB at most), which is past the
// viewer's 64 MB limit and enough to show the limit and the worker at work.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as esbuild from 'esbuild';
import { pathInside, safeFileName } from '../../src/mail/filename';
import { decodeFlowed, decodeQuotedPrintable, decodeUtf7 } from '../../src/mail/mime-decode';
import { MimeLimitError, scanMime } from '../../src/mail/mime-tree';
import { ParseError, ParseService } from '../../src/mail/parse-service';
import { extractPart, mimeOutline, parseMessageView } from '../../src/mail/view';

let dir: string;
let service: ParseService;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pop3-parse-test-'));
  const outfile = path.join(dir, 'parse-worker.js');
  await esbuild.build({ entryPoints: ['src/mail/parse-worker.ts'], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile, logLevel: 'silent' });
  service = new ParseService({ workerFile: outfile });
});

after(() => {
  service?.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

function message(headers: string[], body: string): Buffer {
  return Buffer.from([...headers, '', body].join('\r\n'));
}

/** Runs `work` while a timer ticks every 10 ms; returns its result, the time taken and the longest gap between ticks. */
async function timed<T>(work: () => Promise<T>): Promise<{ value: T | Error; ms: number; maxGap: number }> {
  let last = performance.now();
  let maxGap = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
  }, 10);
  const started = performance.now();
  let value: T | Error;
  try {
    value = await work();
  } catch (error) {
    value = error as Error;
  }
  const ms = performance.now() - started;
  clearInterval(timer);
  return { value, ms, maxGap: Math.max(maxGap, performance.now() - last) };
}

describe('T27 attachment names', () => {
  const cases: [string, string][] = [
    ['../../../.bashrc', 'bashrc'],
    ['..%2F..%2Fevil%00.txt', 'evil.txt'],
    ['C:\\Windows\\win.ini', 'win.ini'],
    ['invoice\u202Egpj.exe', 'invoicegpj.exe'],
    ['CON', '_CON'],
    ['con.txt', '_con.txt'],
    ['LPT1', '_LPT1'],
    ['report.pdf.', 'report.pdf'],
    ['a:b|c?.txt', 'abc.txt'],
    ['zero\u200bwidth\u2066.txt', 'zerowidth.txt'],
    ['line\r\nbreak.txt', 'linebreak.txt'],
    ['', 'attachment'],
    ['..', 'attachment'],
  ];
  for (const [raw, expected] of cases) {
    test(`${JSON.stringify(raw)} -> ${JSON.stringify(expected)}`, () => {
      assert.equal(safeFileName(raw), expected);
    });
  }

  test('5,000 characters are capped, the extension kept, within 200 UTF-8 bytes', () => {
    const name = safeFileName(`${'a'.repeat(5000)}.pdf`);
    assert.ok(name.length <= 120, `length ${name.length}`);
    assert.ok(name.endsWith('.pdf'));
    const wide = safeFileName(`${'\u6f22'.repeat(5000)}.txt`);
    assert.ok(Buffer.byteLength(wide) <= 200, `bytes ${Buffer.byteLength(wide)}`);
    assert.ok(wide.endsWith('.txt'));
    assert.doesNotMatch(wide, /\ufffd/, 'no character was cut in half');
  });

  test('every name joined to a folder stays directly in it', () => {
    const folder = path.join(os.tmpdir(), 'chosen');
    for (const raw of ['../../../.bashrc', '..%2F..%2Fevil%00.txt', 'C:\\Windows\\win.ini', '/etc/passwd', '..\\..\\x', 'a/../../b', `${'x'.repeat(5000)}`]) {
      const target = pathInside(folder, safeFileName(raw));
      assert.ok(target, raw);
      assert.equal(path.dirname(target), folder, raw);
    }
    assert.equal(pathInside(folder, '../x'), undefined);
    assert.equal(pathInside(folder, 'a/b'), undefined);
  });

  test('names from a real message (RFC 2231, quoted, encoded words) come out safe', () => {
    const raw = message(
      ['From: a@example.com', 'Content-Type: multipart/mixed; boundary=b'],
      [
        '--b',
        'Content-Type: text/plain',
        '',
        'see attachments',
        '--b',
        "Content-Disposition: attachment; filename*=utf-8''..%2F..%2Fevil%00.txt",
        '',
        'x',
        '--b',
        'Content-Disposition: attachment; filename*0*=utf-8\'\'invoice%E2%80%AE; filename*1=gpj.exe',
        '',
        'x',
        '--b',
        'Content-Disposition: attachment; filename="=?utf-8?B?Li4vLi4vLmJhc2hyYw==?="',
        '',
        'x',
        '--b--',
      ].join('\r\n'),
    );
    const names = parseMessageView('id', raw).view.attachments.map((a) => a.name);
    assert.deepEqual(names, ['evil.txt', 'invoicegpj.exe', 'bashrc']);
  });
});

describe('T28 MIME bombs: rejected fast, the main thread keeps ticking', () => {
  test('2,000-deep multipart', async () => {
    const open: string[] = [];
    const close: string[] = [];
    for (let i = 0; i < 2000; i++) {
      open.push(`--d${i}`, `Content-Type: multipart/mixed; boundary=d${i + 1}`, '');
      close.unshift(`--d${i}--`);
    }
    const raw = message(['From: a@example.com', 'Content-Type: multipart/mixed; boundary=d0'], [...open, '--d2000', '', 'deep', ...close].join('\r\n'));
    const r = await timed(() => service.view('deep', raw));
    assert.ok(r.value instanceof ParseError && r.value.code === 'limit', `rejected as a limit: ${String(r.value)}`);
    assert.match((r.value as Error).message, /nests MIME parts more than 32 levels/);
    assert.ok(r.ms < 3000, `took ${Math.round(r.ms)} ms`);
    assert.ok(r.maxGap < 250, `the main thread stalled for ${Math.round(r.maxGap)} ms`);
  });

  test('50,000 sibling parts', async () => {
    const parts: string[] = [];
    for (let i = 0; i < 50_000; i++) parts.push('--s', 'Content-Type: text/plain', '', `part ${i}`);
    const raw = message(['From: a@example.com', 'Content-Type: multipart/mixed; boundary=s'], [...parts, '--s--'].join('\r\n'));
    const r = await timed(() => service.view('wide', raw));
    assert.ok(r.value instanceof ParseError && r.value.code === 'limit', `rejected as a limit: ${String(r.value)}`);
    assert.match((r.value as Error).message, /more than 1000 MIME parts/);
    assert.ok(r.ms < 3000, `took ${Math.round(r.ms)} ms`);
    assert.ok(r.maxGap < 250, `the main thread stalled for ${Math.round(r.maxGap)} ms`);
  });

  test('the scanner alone rejects both without recursion (no stack overflow)', () => {
    const deep = Buffer.from(`Content-Type: multipart/mixed; boundary=x\r\n\r\n${'--x\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n'.repeat(5000)}`);
    assert.throws(() => scanMime(deep), (e) => MimeLimitError.is(e) && e.limit === 'depth');
  });
});

describe('T29 huge headers and parts, broken encodings', () => {
  test('a 2 MB header line is refused with a clear error', async () => {
    const raw = message(['From: a@example.com', `Subject: ${'x'.repeat(2 * 1024 * 1024)}`], 'body');
    const r = await timed(() => service.view('hdr', raw));
    assert.ok(r.value instanceof ParseError && r.value.code === 'limit');
    assert.match((r.value as Error).message, /header line is 2\.0 MB long/);
    assert.ok(r.maxGap < 250, `the main thread stalled for ${Math.round(r.maxGap)} ms`);
  });

  test('a message over 64 MB (a 50 MB base64 part, built in memory) is refused before parsing', async () => {
    const b64 = Buffer.alloc(50 * 1024 * 1024, 0x41).toString('base64').replace(/.{76}/g, '$&\r\n');
    const raw = message(['From: a@example.com', 'Content-Type: multipart/mixed; boundary=b'], `--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64}\r\n--b--`);
    const r = await timed(() => service.view('big', raw));
    assert.ok(r.value instanceof ParseError && r.value.code === 'limit', String(r.value));
    assert.match((r.value as Error).message, /the viewer shows messages up to 64\.0 MB/);
  });

  test('a 20 MB base64 attachment parses in the worker: size known, bytes not in the view, extractable', async () => {
    const payload = Buffer.alloc(20 * 1024 * 1024);
    for (let i = 0; i < payload.length; i += 4096) payload[i] = i & 0xff;
    const b64 = payload.toString('base64').replace(/.{76}/g, '$&\r\n');
    const raw = message(['From: a@example.com', 'Content-Type: multipart/mixed; boundary=b'], `--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b\r\nContent-Type: application/octet-stream; name=big.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64}\r\n--b--`);
    const r = await timed(() => service.view('big', raw));
    assert.ok(!(r.value instanceof Error), String(r.value));
    const parsed = r.value as Awaited<ReturnType<ParseService['view']>>;
    assert.deepEqual(parsed.view.attachments, [{ id: 'a1', name: 'big.bin', contentType: 'application/octet-stream', size: payload.length }]);
    assert.ok(JSON.stringify(parsed.view).length < 10_000, 'attachment bytes are not in the view model');
    assert.ok(r.maxGap < 500, `the main thread stalled for ${Math.round(r.maxGap)} ms`);
    const bytes = await service.part(raw, parsed.attachmentParts[0]!.path);
    assert.ok(bytes.equals(payload), 'the attachment decodes byte for byte');
  });

  test('a worker that runs out of heap is stopped and reported, the host survives', async () => {
    const tiny = new ParseService({ workerFile: path.join(dir, 'parse-worker.js'), maxOldGenerationSizeMb: 4 });
    try {
      const text = 'word '.repeat(3_000_000);
      const raw = message(['From: a@example.com', 'Content-Type: text/plain; format=flowed'], text);
      await assert.rejects(tiny.view('oom', raw), (e) => e instanceof ParseError && (e.code === 'memory' || e.code === 'crashed'));
    } finally {
      tiny.dispose();
    }
  });

  test('a parse that takes too long is stopped by the timeout', async () => {
    const slow = new ParseService({ workerFile: path.join(dir, 'parse-worker.js'), timeoutMs: 1 });
    try {
      await assert.rejects(slow.view('slow', message(['From: a@example.com'], 'x')), (e) => e instanceof ParseError && e.code === 'timeout');
    } finally {
      slow.dispose();
    }
  });

  test('broken base64 and quoted-printable decode as far as they go, without throwing', () => {
    const raw = message(
      ['From: a@example.com', 'Content-Type: multipart/mixed; boundary=b'],
      [
        '--b',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: base64',
        '',
        'SGVsbG8g!!!d29y bGQ=====garbage***',
        '--b',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: quoted-printable',
        '',
        'soft=\r\nbreak =ZZ bad =4 end =C3=A4=',
        '--b--',
      ].join('\r\n'),
    );
    const view = parseMessageView('id', raw).view;
    assert.equal(view.body.length, 2);
    assert.match(view.body[0]!.text!, /^Hello world/);
    assert.equal(view.body[1]!.text, 'softbreak =ZZ bad =4 end \u00e4');
    assert.deepEqual([...decodeQuotedPrintable(Buffer.from('=\n=41=4'))], [0x41, 0x3d, 0x34]);
  });
});

describe('T30 broken structure', () => {
  test('a missing closing boundary: the parts are read and the problem is reported', () => {
    const raw = message(['From: a@example.com', 'Content-Type: multipart/mixed; boundary=b'], '--b\r\nContent-Type: text/plain\r\n\r\nfirst\r\n--b\r\nContent-Type: text/plain\r\n\r\nsecond, never closed');
    const view = parseMessageView('id', raw).view;
    assert.deepEqual(view.body.map((b) => b.text), ['first', 'second, never closed']);
    assert.ok(view.notices.some((n) => /missing closing boundary/.test(n)), JSON.stringify(view.notices));
  });

  test('binary garbage parses to something, never throws', async () => {
    let seed = 42;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
    for (let i = 0; i < 20; i++) {
      const garbage = Buffer.from(Array.from({ length: 20_000 }, rnd));
      assert.doesNotThrow(() => parseMessageView('g', garbage));
      assert.doesNotThrow(() => mimeOutline(garbage));
    }
    const r = await service.view('g', Buffer.from(Array.from({ length: 50_000 }, rnd)));
    assert.equal(typeof r.view.subject, 'string');
  });

  test('a multipart without a boundary, an empty multipart, nested alternatives', () => {
    assert.doesNotThrow(() => parseMessageView('a', message(['Content-Type: multipart/mixed'], 'no boundary')));
    const empty = parseMessageView('b', message(['Content-Type: multipart/mixed; boundary=z'], 'nothing here'));
    assert.ok(empty.view.notices.length > 0);
  });

  test('the outline gives line ranges of every part', () => {
    const raw = message(['From: a@example.com', 'Content-Type: multipart/mixed; boundary=b'], '--b\r\nContent-Type: text/plain\r\n\r\none\r\n--b\r\nContent-Type: image/png; name=x.png\r\nContent-Transfer-Encoding: base64\r\n\r\nAAAA\r\n--b--\r\n');
    const [headers, root] = mimeOutline(raw);
    assert.equal(headers!.label, 'Headers');
    assert.equal(root!.children.length, 2);
    assert.match(root!.children[1]!.label, /^2: image\/png "x\.png"$/);
    assert.ok(root!.children[1]!.startLine > root!.children[0]!.startLine);
    assert.equal(extractPart(raw, '2').length, 3);
  });
});

describe('T31 encodings', () => {
  test('bogus encoded words and an unknown charset do not throw', () => {
    const raw = message(['From: =?bogus?Q?=ZZ?= <a@example.com>', 'Subject: =?utf-8?B?!!!?= =?x-unknown?Q?caf=E9?= =?utf-8?Q?ok?='], 'body');
    const view = parseMessageView('id', raw).view;
    assert.equal(view.from.address, 'a@example.com');
    assert.match(view.subject, /caf\u00e9/);
    const body = parseMessageView('id', message(['Content-Type: text/plain; charset=x-no-such-charset'], 'caf\u00e9')).view.body[0]!.text;
    assert.ok(body !== undefined && body.length > 0);
  });

  test('RTLO in the subject is neutralised', () => {
    const view = parseMessageView('id', message(['Subject: =?utf-8?Q?invoice_=E2=80=AEfdp.exe?='], 'x')).view;
    assert.equal(view.subject, 'invoice fdp.exe');
  });

  test('UTF-7 HTML is decoded to a string (sanitized later, served as UTF-8)', () => {
    const view = parseMessageView('id', message(['Content-Type: text/html; charset=utf-7'], '+ADw-script+AD4-alert(1)+ADw-/script+AD4- +AOQ-')).view;
    assert.equal(view.body[0]!.html, '<script>alert(1)</script> \u00e4');
    assert.equal(decodeUtf7(Buffer.from('a+-b+AGEAYg-c')), 'a+babc');
  });

  test('format=flowed joins soft breaks and keeps the signature', () => {
    assert.equal(decodeFlowed('one \r\ntwo\r\n-- \r\nsig', false), 'one two\n-- \nsig');
    assert.equal(decodeFlowed('a \r\nb', true), 'ab');
    assert.equal(decodeFlowed('> quoted \r\n> more\r\nplain', false), '> quoted more\nplain');
  });

  test('latin1 and 8-bit UTF-8 bodies and headers', () => {
    const raw = Buffer.concat([Buffer.from('Subject: Gr\u00fc\u00dfe\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\n', 'utf8'), Buffer.from([0x63, 0x61, 0x66, 0xe9])]);
    const view = parseMessageView('id', raw).view;
    assert.equal(view.subject, 'Gr\u00fc\u00dfe');
    assert.equal(view.body[0]!.text, 'caf\u00e9');
  });
});

describe('T32 spoofed senders', () => {
  const cases: [string, string, string][] = [
    ['"Bank" <security@bank.com>', 'Bank', 'security@bank.com'],
    ['"security@bank.com" <evil@attacker.example>', 'security@bank.com', 'evil@attacker.example'],
    ['"Bank <security@bank.com>" <evil@attacker.example>', 'Bank <security@bank.com>', 'evil@attacker.example'],
    ['=?utf-8?Q?security=40bank=2Ecom?= <evil@attacker.example>', 'security@bank.com', 'evil@attacker.example'],
    ['"\u202eevil" <evil@attacker.example>', 'evil', 'evil@attacker.example'],
  ];
  for (const [from, name, address] of cases) {
    test(`From: ${from}`, () => {
      const view = parseMessageView('id', message([`From: ${from}`], 'x')).view;
      assert.equal(view.from.address, address, 'the real address is always in the view model');
      assert.equal(view.from.name, name);
    });
  }
});

describe('view model', () => {
  test('alternative + related: HTML and text together, cid image as data: URL, no attachment for it', () => {
    const raw = fs.readFileSync(path.resolve('test/fixtures/view/30-newsletter.eml'));
    const view = parseMessageView('id', raw).view;
    assert.equal(view.body.length, 1);
    assert.ok(view.body[0]!.html!.includes('cid:logo@news.example'));
    assert.match(view.body[0]!.text!, /Weekly Dev Digest/);
    assert.equal(view.inlineImages.length, 1);
    assert.match(view.inlineImages[0]!.dataUrl, /^data:image\/png;base64,/);
    assert.equal(view.attachments.length, 0);
  });

  test('each HTML part stays on its own (an unclosed attribute cannot swallow the next part)', () => {
    const raw = fs.readFileSync(path.resolve('test/fixtures/hostile/09-unclosed-img-parts.eml'));
    const view = parseMessageView('id', raw).view;
    assert.equal(view.body.length, 2);
    assert.ok(view.body[0]!.html!.endsWith('data='), view.body[0]!.html);
    assert.ok(view.body[1]!.html!.startsWith('<p>Part two'));
  });

  test('an inline HTML attachment is an attachment, never rendered', () => {
    const raw = fs.readFileSync(path.resolve('test/fixtures/hostile/13-html-attachment.eml'));
    const view = parseMessageView('id', raw).view;
    assert.deepEqual(view.body.map((b) => b.html), [undefined]);
    assert.deepEqual(view.attachments.map((a) => a.name), ['page.html']);
  });

  test('the attachment fixture: safe names, types, sizes', () => {
    const view = parseMessageView('id', fs.readFileSync(path.resolve('test/fixtures/view/32-attachments.eml'))).view;
    assert.deepEqual(view.attachments.map((a) => a.name), ['Quarterly report Q3.pdf', 'bashrc', 'evil.txt', 'invoicegpj.exe', 'win.ini', '_CON', 'logo.png']);
    assert.ok(view.attachments.every((a) => a.size > 0 && /^[a-z]+\/[a-z0-9.+-]+$/.test(a.contentType)));
  });
});
