// CSS from a message cannot fetch anything: names judged with their escapes
// decoded once, the output never decoded (a second decode by the browser
// must not make a url()), and after "Load remote content" only <img> loads.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { cleanCss } from '../../src/shared/clean-css';
import { sanitizeHtmlPart } from '../../webview-ui/sanitize';
import { installWebviewDom, type WebviewDom } from '../support/webview-dom';

/** What a browser reads: every CSS escape decoded, as a second decoder would. */
function decodeAll(css: string): string {
  let out = '';
  for (let i = 0; i < css.length; i++) {
    if (css[i] !== '\\') {
      out += css[i];
      continue;
    }
    let j = i + 1;
    while (j < css.length && j - i <= 6 && /[0-9a-f]/i.test(css[j]!)) j++;
    if (j > i + 1) {
      out += String.fromCodePoint(parseInt(css.slice(i + 1, j), 16) || 0xfffd);
      i = css[j] === ' ' ? j : j - 1;
    } else {
      out += css[j] ?? '';
      i = j;
    }
  }
  return out;
}

const FETCHING = /(?:url|image-set|src|image|cross-fade|element)\s*\(/i;

describe('clean-css: CSS cannot fetch', () => {
  const cases: string[] = [
    'background:url(https://x.example/a.png)',
    "background-image: url('https://x.example/a.png')",
    'background: u\\72l(https://x.example/a.png)',
    'background: \\75 rl(https://x.example/a.png)',
    "background-image: image-set('https://x.example/a.png' 1x)",
    "background-image: -webkit-image-set('https://x.example/a.png' 1x)",
    'list-style: URL(https://x.example/a.png)',
    'cursor: url(https://x.example/c.cur), auto',
    'mask: src(https://x.example/m.svg)',
  ];
  for (const css of cases) {
    test(css, () => {
      const out = cleanCss(css);
      assert.ok(out.blocked >= 1, `counted: ${out.css}`);
      assert.doesNotMatch(out.css, /(?:url|image-set|src)\s*\(/i, out.css);
    });
  }
  test('a comment inside the name splits it (u/**/rl is not url): nothing to fetch', () => {
    assert.doesNotMatch(cleanCss('background: u/**/rl(https://x.example/a.png)').css, /url\s*\(/i);
  });
  test('@import, @font-face and attribute-selector exfiltration', () => {
    const css = '@import "https://x.example/a.css"; @IMPORT url(b.css); @font-face { font-family: L; src: url(https://x.example/f.woff) } input[value^="a"] { background: url(https://x.example/a) }';
    const out = cleanCss(css);
    assert.doesNotMatch(out.css, /@import|@font-face|url\(/i, out.css);
    assert.equal(out.blocked, 6); // two @import, one url() in one of them, @font-face, its src url(), the selector's url()
  });
  test('ordinary CSS is left alone', () => {
    const css = 'td { color: #333; padding: 4px 8px; font-family: "Segoe UI", sans-serif } .a:hover { text-decoration: underline }';
    assert.deepEqual(cleanCss(css), { css, blocked: 0 });
  });
});

describe('clean-css: escapes are judged decoded and kept encoded', () => {
  const tricks: [string, string][] = [
    ['hex escape in the name', 'background: u\\72l(https://x.example/a.png)'],
    ['hex escape with its space', 'background: \\75 rl(https://x.example/a.png)'],
    ['six-digit hex escape', 'background: \\000075rl(https://x.example/a.png)'],
    ['escaped letter', 'background: u\\rl(https://x.example/a.png)'],
    ['upper case through an escape', 'background: \\55RL(https://x.example/a.png)'],
    ['escape then CR LF', 'background: \\75\r\nrl(https://x.example/a.png)'],
    ['escaped at-rule', '@\\69mport "https://x.example/a.css";'],
    ['escaped font-face', '@font\\-face { src: local(x) }'],
    ['space before the parenthesis', 'background: url (https://x.example/a.png)'],
    ['vendor prefix through an escape', 'background: -webkit-\\69mage-set("https://x.example/a.png" 1x)'],
  ];
  for (const [name, css] of tricks) {
    test(name, () => {
      const out = cleanCss(css);
      assert.ok(out.blocked >= 1, `counted: ${out.css}`);
      // Neither what we return nor what a second decoding makes of it may fetch.
      assert.doesNotMatch(out.css, FETCHING, out.css);
      assert.doesNotMatch(decodeAll(out.css), FETCHING, decodeAll(out.css));
      assert.doesNotMatch(decodeAll(out.css), /@(?:import|font-face)/i);
    });
  }
  test('an escaped backslash is not decoded into the output: u\\5c 72l( stays a harmless name', () => {
    const css = 'background: u\\5c 72l(https://x.example/a.png)';
    const out = cleanCss(css);
    // The browser reads the name "u\\72l" (not url): kept as written, never decoded into "u\\72l(".
    assert.equal(out.css, css);
    assert.doesNotMatch(out.css, /u\\72l\(/);
  });
  test('escapes in ordinary CSS are kept as written', () => {
    const css = '.\\31 0 { content: "\\2014"; color: r\\65 d }';
    assert.deepEqual(cleanCss(css), { css, blocked: 0 });
  });
  test('an unclosed comment runs to the end; a comment cannot hide a url() across it', () => {
    assert.deepEqual(cleanCss('a { color: red } /* url(https://x.example/a.png)'), { css: 'a { color: red }  ', blocked: 0 });
    assert.equal(cleanCss('background: url/**/(https://x.example/a.png)').blocked, 1);
  });
});

describe('clean-css in the webview sanitizer: remote content loads images only', () => {
  let dom: WebviewDom;
  before(() => {
    dom = installWebviewDom();
  });
  after(() => dom.close());
  const html = '<style>body { background: url(https://x.example/bg.png) }</style><p style="background-image: u\\72l(https://x.example/p.png)">x</p><img src="https://x.example/i.png">';
  test('remote allowed: the <img> keeps its https source, CSS url() stays blocked', () => {
    const out = sanitizeHtmlPart(html, { cidImages: new Map(), remoteAllowed: true, linkUrl: (i) => `https://l${i}.invalid/` });
    assert.match(out.html, /<img src="https:\/\/x\.example\/i\.png">/);
    assert.doesNotMatch(out.html, FETCHING);
    assert.doesNotMatch(decodeAll(out.html), FETCHING);
    assert.equal(out.remoteBlocked, 2);
  });
  test('remote blocked: the <img> goes too and is counted', () => {
    const out = sanitizeHtmlPart(html, { cidImages: new Map(), remoteAllowed: false, linkUrl: (i) => `https://l${i}.invalid/` });
    assert.doesNotMatch(out.html, /<img[^>]*src=/);
    assert.doesNotMatch(decodeAll(out.html), FETCHING);
    assert.equal(out.remoteBlocked, 3);
  });
});
