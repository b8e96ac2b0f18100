// The mail profile's URL rules, which the webview's sanitizer hooks use.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decideImageSource, linkTarget } from '../../src/shared/mail-policy';

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
