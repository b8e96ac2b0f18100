// The host's validator for webview -> host messages (docs/security.md T37).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkLinkHref, MAX_HREF_LENGTH, parseFromWebview } from '../../src/shared/validate';

describe('parseFromWebview: well-formed messages', () => {
  test('ready', () => {
    assert.deepEqual(parseFromWebview({ type: 'ready' }), { type: 'ready' });
  });

  test('ready from JSON (as it crosses the webview boundary)', () => {
    assert.deepEqual(parseFromWebview(JSON.parse('{"type":"ready"}')), { type: 'ready' });
  });

  test('null-prototype objects are accepted', () => {
    const msg = Object.assign(Object.create(null) as object, { type: 'ready' });
    assert.deepEqual(parseFromWebview(msg), { type: 'ready' });
  });

  test('openLink with http, https and mailto', () => {
    for (const href of ['http://example.com/', 'https://example.com/a?b=c#d', 'mailto:alice@example.com', 'mailto:alice@example.com?subject=Hi']) {
      assert.deepEqual(parseFromWebview({ type: 'openLink', href }), { type: 'openLink', href }, href);
    }
  });

  test('openLink href is normalised by the URL parser', () => {
    assert.deepEqual(parseFromWebview({ type: 'openLink', href: 'HTTPS://Example.COM' }), { type: 'openLink', href: 'https://example.com/' });
  });

  test('the result is a fresh object, not the input', () => {
    const input = { type: 'openLink', href: 'https://example.com/' };
    const out = parseFromWebview(input);
    assert.notEqual(out, input);
  });
});

describe('parseFromWebview: malformed input', () => {
  const cases: ReadonlyArray<readonly [string, unknown]> = [
    ['undefined', undefined],
    ['null', null],
    ['a string', 'ready'],
    ['a number', 42],
    ['a boolean', true],
    ['a function', () => ({ type: 'ready' })],
    ['an array', ['ready']],
    ['an array with a type property', Object.assign(['x'], { type: 'ready' })],
    ['an empty object', {}],
    ['type not a string', { type: 1 }],
    ['type an object', { type: { toString: () => 'ready' } }],
    ['type in other case', { type: 'READY' }],
    ['type with spaces', { type: ' ready' }],
    ['extra key on ready', { type: 'ready', extra: 1 }],
    ['extra key on openLink', { type: 'openLink', href: 'https://example.com/', target: '_blank' }],
    ['openLink without href', { type: 'openLink' }],
    ['openLink with a non-string href', { type: 'openLink', href: { toString: () => 'https://example.com/' } }],
    ['openLink with an empty href', { type: 'openLink', href: '' }],
    ['a Date', new Date()],
    ['a class instance', new (class Msg { type = 'ready'; })()],
    ['a Map', new Map([['type', 'ready']])],
  ];
  for (const [name, value] of cases) {
    test(`rejects ${name}`, () => {
      assert.equal(parseFromWebview(value), undefined);
    });
  }

  test('rejects a getter for type or href', () => {
    let reads = 0;
    const sneaky = {
      get type() {
        reads++;
        return 'ready';
      },
    };
    assert.equal(parseFromWebview(sneaky), undefined);
    assert.equal(reads, 0);
    const sneakyHref = {
      type: 'openLink',
      get href() {
        reads++;
        return reads > 1 ? 'command:workbench.action.terminal.new' : 'https://example.com/';
      },
    };
    assert.equal(parseFromWebview(sneakyHref), undefined);
  });

  test('rejects symbol keys', () => {
    assert.equal(parseFromWebview({ type: 'ready', [Symbol('x')]: 1 }), undefined);
  });

  test('rejects a type inherited from the prototype', () => {
    assert.equal(parseFromWebview(Object.create({ type: 'ready' }) as object), undefined);
  });
});

describe('parseFromWebview: unknown types', () => {
  for (const type of ['openAttachment', 'saveAttachment', 'executeCommand', 'show', 'error', 'constructor', 'toString', '__proto__', 'hasOwnProperty']) {
    test(`rejects ${type}`, () => {
      assert.equal(parseFromWebview({ type }), undefined);
      assert.equal(parseFromWebview({ type, path: '/etc/passwd' }), undefined);
    });
  }
});

describe('parseFromWebview: __proto__ and prototype keys', () => {
  test('an own __proto__ key (as JSON.parse creates it) is rejected', () => {
    const parsed: unknown = JSON.parse('{"type":"ready","__proto__":{"type":"openLink","href":"command:x"}}');
    assert.equal(parseFromWebview(parsed), undefined);
  });

  test('__proto__ on openLink is rejected', () => {
    const parsed: unknown = JSON.parse('{"type":"openLink","href":"https://example.com/","__proto__":{"isTrusted":true}}');
    assert.equal(parseFromWebview(parsed), undefined);
  });

  test('constructor and prototype keys are rejected', () => {
    assert.equal(parseFromWebview(JSON.parse('{"type":"ready","constructor":{"prototype":{"x":1}}}')), undefined);
    assert.equal(parseFromWebview(JSON.parse('{"type":"ready","prototype":{}}')), undefined);
  });

  test('validation does not pollute Object.prototype', () => {
    parseFromWebview(JSON.parse('{"type":"ready","__proto__":{"polluted":true}}'));
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });

  test('an object whose prototype was swapped for a message is rejected', () => {
    const evil = Object.setPrototypeOf({ type: 'ready' }, { href: 'command:x' }) as object;
    assert.equal(parseFromWebview(evil), undefined);
  });
});

describe('openLink: schemes', () => {
  const rejected = [
    'vscode:extension/evil.publisher',
    'vscode://vscode.git/clone?url=https://evil.example',
    'vscode-insiders://x',
    'file:///etc/passwd',
    'file://C:/Windows/win.ini',
    'command:workbench.action.terminal.new',
    'command:_workbench.downloadResource?%5B%22https%3A%2F%2Fevil%22%5D',
    'javascript:alert(1)',
    'JavaScript:alert(1)',
    ' javascript:alert(1)',
    'java\tscript:alert(1)',
    'java\nscript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'blob:https://example.com/uuid',
    'vbscript:msgbox(1)',
    'ftp://example.com/',
    'ws://example.com/',
    'about:blank',
    'cid:part1@example.com',
    'vscode-webview://abc/index.html',
    'vscode-resource:/etc/passwd',
    '//evil.example/path',
    '/relative/path',
    'relative',
    '#fragment',
    'https://user:pass@example.com/',
    'https://bank.example@evil.example/',
    'https://exa\u202Egpj.com/',
    'https://example.com/\u0000',
    'https://example.com/ space',
    'http://:80/',
    'mailto:',
    'https://',
  ];
  for (const href of rejected) {
    test(`rejects ${JSON.stringify(href)}`, () => {
      assert.equal(checkLinkHref(href), undefined);
      assert.equal(parseFromWebview({ type: 'openLink', href }), undefined);
    });
  }

  test('rejects an over-long href', () => {
    const href = `https://example.com/${'a'.repeat(MAX_HREF_LENGTH)}`;
    assert.equal(parseFromWebview({ type: 'openLink', href }), undefined);
  });

  test('accepts http, https and mailto', () => {
    assert.equal(checkLinkHref('http://example.com/path'), 'http://example.com/path');
    assert.equal(checkLinkHref('https://example.com:8443/p?q=1#f'), 'https://example.com:8443/p?q=1#f');
    assert.equal(checkLinkHref('https://[::1]/'), 'https://[::1]/');
    assert.equal(checkLinkHref('mailto:bob@example.com'), 'mailto:bob@example.com');
    assert.equal(checkLinkHref('MAILTO:bob@example.com'), 'mailto:bob@example.com');
  });
});
