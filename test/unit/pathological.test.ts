// Untrusted text in linear time (docs/security.md): long runs of one
// character, the input that makes a backtracking pattern retry from every
// position, in every place a message can put them, through every entry point
// that reads them. Each call gets a bound that linear code meets with a wide
// margin and quadratic code cannot (about 3 s for 64 KB, hours for 2 MB):
// a bound on complexity, not a speed test.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decodeEncodedWords } from '../../src/mail/encoded-words';
import { safeFileName } from '../../src/mail/filename';
import { HeaderBlock, parseAddressList, parseDate } from '../../src/mail/headers';
import { htmlToText } from '../../src/mail/html-text';
import { summarize } from '../../src/mail/summary';
import { mimeOutline, parseMessageView } from '../../src/mail/view';
import { cleanCss } from '../../src/shared/clean-css';
import { decideImageSource, isRemoteUrl, linkTarget } from '../../src/shared/mail-policy';
import { findFileRefs, findUrls } from '../../src/shared/text-links';
import type { MessageView, ViewOptions } from '../../src/shared/webview-protocol';
import { FrameLinks } from '../../webview-ui/links';
import { showMessage } from '../../webview-ui/render';
import { countRemote, sanitizeHtmlPart } from '../../webview-ui/sanitize';
import { installWebviewDom, type WebviewDom } from '../support/webview-dom';

const KB64 = 64 * 1024;
const MB2 = 2 * 1024 * 1024;
/** Per call: a quadratic algorithm needs seconds at 64 KB and hours at 2 MB. */
const BOUND_64K_MS = 1000;
const BOUND_2M_MS = 8000;

/** Every printable ASCII punctuation character, a letter, a digit and a space. */
const CHARS = [...'!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~', 'a', '7', ' '];

const runs64 = new Map(CHARS.map((c) => [c, c.repeat(KB64)] as const));
const runs2m = new Map(CHARS.map((c) => [c, c.repeat(MB2)] as const));

/** Calls fn on a run of every character and checks each call against the bound. */
function eachRun(runs: ReadonlyMap<string, string>, bound: number, what: string, fn: (run: string, c: string) => unknown): void {
  for (const [c, run] of runs) {
    const start = performance.now();
    fn(run, c);
    const ms = performance.now() - start;
    assert.ok(ms < bound, `${what} on a run of ${JSON.stringify(c)} x ${run.length}: ${ms.toFixed(0)} ms`);
  }
}

function message(headers: readonly string[], body = 'Hello.\r\n'): Buffer {
  return Buffer.from(`${headers.join('\r\n')}\r\n\r\n${body}`, 'latin1');
}

const BASE = ['From: a@example.org', 'To: b@example.org', 'Subject: hi', 'Date: Mon, 7 Dec 2026 10:00:00 +0000', 'Message-ID: <m@example.org>'];

/** A quarter of the run: four of them in one place make 64 KB. */
function quarter(r: string): string {
  return r.slice(0, r.length >> 2);
}

/** The run R in each header the index and the view read, as raw header lines. */
const HEADER_PLACES: ReadonlyArray<[string, (r: string) => string[], 'outline'?]> = [
  ['Subject', (r) => [`Subject: ${r}`]],
  ['Subject, encoded word', (r) => [`Subject: =?utf-8?q?${r}?= =?utf-8?b?${r}?=`]],
  ['Subject, broken encoded words', (r) => [`Subject: =?${r}?q?x?= =?x?q?${r}`]],
  ['From', (r) => [`From: ${r}`]],
  ['From, display name', (r) => [`From: "${r}" <a@example.org>`]],
  ['From, comment', (r) => [`From: a@example.org (${r})`]],
  ['From, in brackets', (r) => [`From: x <${r}>`]],
  ['To', (r) => [`To: ${r}`]],
  ['To, many', (r) => [`To: ${quarter(r)}, <${quarter(r)}>, (${quarter(r)}) ${quarter(r)}`]],
  ['Cc', (r) => [`Cc: ${r}`]],
  ['Date', (r) => [`Date: ${r}`]],
  ['Date, comment', (r) => [`Date: Mon, 7 Dec 2026 10:00:00 +0000 (${r}`]],
  ['Message-ID', (r) => [`Message-ID: <${r}>`]],
  ['References', (r) => [`References: ${r}`]],
  ['Content-Type params', (r) => ['MIME-Version: 1.0', `Content-Type: text/plain; ${r}; charset="${r}`], 'outline'],
  ['Content-Type boundary', (r) => ['MIME-Version: 1.0', `Content-Type: multipart/mixed; boundary="${r}"`], 'outline'],
  ['Content-Transfer-Encoding', (r) => [`Content-Transfer-Encoding: ${r}`], 'outline'],
];

function withHeaders(extra: readonly string[]): string[] {
  const names = new Set(extra.map((h) => h.slice(0, h.indexOf(':')).toLowerCase()));
  return [...BASE.filter((h) => !names.has(h.slice(0, h.indexOf(':')).toLowerCase())), ...extra];
}

/** A multipart message whose attachment has the run in its names and parameters. */
function attachmentMessage(r: string): Buffer {
  return message(
    ['From: a@example.org', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="b"'],
    [
      '--b',
      'Content-Type: text/plain',
      '',
      'see attached',
      '--b',
      `Content-Type: application/octet-stream; name="${r}"`,
      `Content-Disposition: attachment; filename="${r}"; filename*=utf-8''${r}; filename*0*=${r}`,
      'Content-Transfer-Encoding: base64',
      '',
      'AAAA',
      '--b--',
      '',
    ].join('\r\n'),
  );
}

describe('pathological input: headers (64 KB runs)', () => {
  for (const [place, lines, outline] of HEADER_PLACES) {
    // The outline reads only the MIME headers of each part.
    test(`${place}: summarize, the view parse${outline ? ' and the outline' : ''}`, () => {
      eachRun(runs64, BOUND_64K_MS, `summarize ${place}`, (r) => summarize(message(withHeaders(lines(r)))));
      eachRun(runs64, BOUND_64K_MS, `parseMessageView ${place}`, (r) => parseMessageView('id', message(withHeaders(lines(r)))));
      if (outline) eachRun(runs64, BOUND_64K_MS, `mimeOutline ${place}`, (r) => mimeOutline(message(withHeaders(lines(r)))));
    });
  }
  test('header helpers on the raw value', () => {
    eachRun(runs64, BOUND_64K_MS, 'parseAddressList', (r) => parseAddressList(`${r} <${r}> (${r}), "${r}"`));
    eachRun(runs64, BOUND_64K_MS, 'parseDate', (r) => parseDate(`(${r}) ${r}`));
    eachRun(runs64, BOUND_64K_MS, 'decodeEncodedWords', (r) => decodeEncodedWords(`=?${r}?= =?utf-8?q?${r}?= ${r}`));
    eachRun(runs64, BOUND_64K_MS, 'HeaderBlock', (r) => HeaderBlock.parse(Buffer.from(`X: ${r}\r\n ${r}\r\n${r}\r\n\r\n`, 'latin1')).text('x'));
  });
  test('attachment names and parameters: the view parse, the outline, safe file names', () => {
    eachRun(runs64, BOUND_64K_MS, 'parseMessageView attachment', (r) => parseMessageView('id', attachmentMessage(r)));
    eachRun(runs64, BOUND_64K_MS, 'mimeOutline attachment', (r) => mimeOutline(attachmentMessage(r)));
    eachRun(runs64, BOUND_64K_MS, 'safeFileName', (r) => safeFileName(`${r}.pdf${r}%41${r}`));
  });
});

describe('pathological input: bodies (64 KB for the index, 2 MB for the view)', () => {
  test('summarize: text, quoted-printable, base64 and multipart snippets', () => {
    eachRun(runs64, BOUND_64K_MS, 'summarize text', (r) => summarize(message(BASE, r)));
    eachRun(runs64, BOUND_64K_MS, 'summarize qp', (r) => summarize(message([...BASE, 'Content-Transfer-Encoding: quoted-printable'], r)));
    eachRun(runs64, BOUND_64K_MS, 'summarize multipart', (r) =>
      summarize(message([...BASE, 'Content-Type: multipart/mixed; boundary=b'], `--b\r\ncontent-type: text/plain${r}\r\n\r\n${r}\r\n--b\r\n${r}`)),
    );
  });
  test('the view parse of 2 MB text and HTML bodies', () => {
    eachRun(runs2m, BOUND_2M_MS, 'parseMessageView text', (r) => parseMessageView('id', message(BASE, r)));
    eachRun(runs2m, BOUND_2M_MS, 'parseMessageView html', (r) => parseMessageView('id', message([...BASE, 'Content-Type: text/html'], r)));
  });
  test('HTML to text on 2 MB runs', () => {
    eachRun(runs2m, BOUND_2M_MS, 'htmlToText', (r) => htmlToText(r));
  });
});

describe('pathological input: links, file references, URLs and CSS', () => {
  test('file references in 2 MB of text', () => {
    eachRun(runs2m, BOUND_2M_MS, 'findFileRefs', (r) => [...findFileRefs(r)]);
    eachRun(runs2m, BOUND_2M_MS, 'findFileRefs, path-like', (r) => [...findFileRefs(`src/${r}a.ts:1`)]);
  });
  test('URLs in 2 MB of text', () => {
    eachRun(runs2m, BOUND_2M_MS, 'findUrls', (r) => findUrls(r));
    eachRun(runs2m, BOUND_2M_MS, 'findUrls, after a scheme', (r) => findUrls(`https://${r}`));
  });
  test('link targets and image sources', () => {
    eachRun(runs64, BOUND_64K_MS, 'linkTarget', (r) => linkTarget(`https://x.example/${r}`));
    eachRun(runs64, BOUND_64K_MS, 'decideImageSource', (r) => {
      decideImageSource(`https://${r}`, new Map(), true);
      decideImageSource(`data:image/png;base64,${r}`, new Map(), false);
      decideImageSource(`cid:${r}`, new Map(), false);
      return isRemoteUrl(r);
    });
  });
  test('CSS', () => {
    eachRun(runs2m, BOUND_2M_MS, 'cleanCss', (r) => cleanCss(r));
    eachRun(runs64, BOUND_64K_MS, 'cleanCss in context', (r) => cleanCss(`a{background:url(${r}} @${r} u\\${r}(${r} /*${r}`));
  });
  test('counting remote content without the sanitizer', () => {
    eachRun(runs2m, BOUND_2M_MS, 'countRemote', (r) => countRemote(`<img src=${quarter(r)}> url(${quarter(r)}`));
  });
});

describe('pathological input: the webview renders it (jsdom, the real render code)', () => {
  let dom: WebviewDom;
  before(() => {
    dom = installWebviewDom();
  });
  after(() => dom.close());
  const options: ViewOptions = { remote: 'blocked', sanitize: true, security: 'TLS', fileRefs: ['src/a.ts:1', 'b.md:2'], fileRefsOff: false, canTrustSender: true, source: 'store' };
  const view = (r: string, body: MessageView['body']): MessageView => ({
    id: 'id',
    subject: r,
    from: { name: r, address: r },
    to: r,
    cc: r,
    date: r,
    body,
    attachments: [{ id: 'a1', name: r, contentType: r, size: 1 }],
    inlineImages: [],
    notices: [r],
  });
  const render = (v: MessageView, o: ViewOptions = options): void => showMessage(v, o, () => undefined, new FrameLinks());

  test('plain text with links and file references', () => {
    eachRun(runs64, BOUND_64K_MS, 'render text', (r) => {
      render(view(r, [{ text: `${r} https://x.example/${r} src/a.ts:1 ${r}` }]));
      assert.equal(dom.document.querySelectorAll('#body a').length, 2);
    });
  });
  test('HTML parts through the sanitizer, remote content blocked and allowed', () => {
    const allowed: ViewOptions = { ...options, remote: 'allowed' };
    eachRun(runs64, BOUND_64K_MS, 'render html', (r) => {
      const q = quarter(r);
      render(view(r, [{ html: `<p title="${q}" style="color:${q}">${q}</p><style>${q}</style><a href="https://${q}">x</a>` }]), allowed);
    });
  });
  test('the sanitizer alone on markup-like runs', () => {
    eachRun(runs64, BOUND_64K_MS, 'sanitizeHtmlPart', (r) => sanitizeHtmlPart(r, { cidImages: new Map(), remoteAllowed: false, linkUrl: (i) => `https://l${i}.invalid/` }));
  });
});
