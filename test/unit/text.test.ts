import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forMarkdown } from '../../src/vscode/common/surface-text';
import { displayLine, messageTooltip } from '../../src/vscode/common/text';

test('forMarkdown: links, images, HTML, emphasis, headings and autolinks stay literal', () => {
  assert.equal(forMarkdown('[click](command:workbench.action.terminal.new)'), '\\[click\\]\\(command\\:workbench\\.action\\.terminal\\.new\\)');
  assert.equal(forMarkdown('![x](https://evil.example/p.png)'), '\\!\\[x\\]\\(https\\:\\/\\/evil\\.example\\/p\\.png\\)');
  assert.equal(forMarkdown('<img src=x onerror=alert(1)>'), '\\<img src\\=x onerror\\=alert\\(1\\)\\>');
  assert.equal(forMarkdown('# *bold* _it_ `code` ~~s~~ | a |'), '\\# \\*bold\\* \\_it\\_ \\`code\\` \\~\\~s\\~\\~ \\| a \\|');
  assert.equal(forMarkdown('$(zap) &amp; \\'), '\\$\\(zap\\) \\&amp\\; \\\\');
  assert.equal(forMarkdown('two\nlines\u202Eevil'), 'two linesevil', 'one line, bidi stripped');
  // Every ASCII punctuation character comes out escaped: nothing is left for the Markdown parser.
  const punctuation = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
  assert.equal(forMarkdown(punctuation), [...punctuation].map((c) => `\\${c}`).join(''));
});

test('tooltip: subject, display name with the real address, date, size, snippet; all escaped', () => {
  const md = messageTooltip(
    {
      subject: 'Invoice [paid](command:evil)',
      from: { name: 'Bank <security@bank.com>', address: 'phish@evil.example' },
      date: '2026-11-25T09:30:00.000Z',
      size: 2048,
      hasAttachments: true,
      seen: false,
      snippet: 'Hello **world** <script>alert(1)</script>',
    },
    'en-US',
  );
  assert.match(md, /^\*\*Invoice \\\[paid\\\]\\\(command\\:evil\\\)\*\*/);
  assert.match(md, /From: Bank \\<security\\@bank\\\.com\\> \\<phish\\@evil\\\.example\\>/, 'the real address is shown (T32)');
  assert.match(md, /2\.0 KB/);
  assert.match(md, /with attachments/);
  assert.match(md, /unread/);
  assert.match(md, /Hello \\\*\\\*world\\\*\\\* \\<script\\>alert\\\(1\\\)\\<\\\/script\\>/);
  assert.ok(!/\]\(/.test(md.replace(/\\\]\\\(/g, '')), 'no unescaped link syntax');
});

test('tooltip: headers-only shows the server size; a missing name shows the address', () => {
  const md = messageTooltip({ subject: '', from: { name: '', address: 'a@b.example' }, date: '', size: 300, serverSize: 5_000_000, headersOnly: true, hasAttachments: false, seen: true, snippet: '' });
  assert.match(md, /\\\(no subject\\\)/);
  assert.match(md, /From: a\\@b\\\.example/);
  assert.match(md, /headers only, 4\.8 MB on the server/);
  assert.match(md, /\\\(no date\\\)/);
  assert.ok(!md.includes('---'), 'no snippet section without a snippet');
});

test('displayLine: decoding leftovers, controls and bidi neutralised in labels (T31)', () => {
  assert.equal(displayLine('invoice\u202Egpj.exe'), 'invoicegpj.exe');
  assert.equal(displayLine('a\r\nb\tc\u0000d'), 'a b c d');
  assert.equal(displayLine('x'.repeat(300), 10), `${'x'.repeat(9)}\u2026`);
});
