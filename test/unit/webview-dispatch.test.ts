// T37: a compromised webview posts malformed and malicious messages to the
// host's handler. Only well-formed messages naming things the host itself
// handed out for the message on screen lead to an action.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseFromWebview } from '../../src/shared/validate';
import { handleWebviewMessage, type ViewerActions, type ViewerState } from '../../src/vscode/message-view/webview-dispatch';

function recorder(): { actions: ViewerActions; calls: string[]; dropped: string[] } {
  const calls: string[] = [];
  const dropped: string[] = [];
  const actions: ViewerActions = {
    ready: () => calls.push('ready'),
    openLink: (href) => calls.push(`openLink ${href}`),
    loadRemote: () => calls.push('loadRemote'),
    trustSender: () => calls.push('trustSender'),
    saveAttachment: (p) => calls.push(`saveAttachment ${p}`),
    openAttachment: (p) => calls.push(`openAttachment ${p}`),
    openFile: (r) => calls.push(`openFile ${r}`),
    command: (c) => calls.push(`command ${c}`),
    dropped: (reason) => dropped.push(reason),
  };
  return { actions, calls, dropped };
}

const shown: ViewerState = {
  attachments: new Map([
    ['a1', '2'],
    ['a2', '3.1'],
  ]),
  fileRefs: new Set(['src/app.ts:3']),
  hasMessage: true,
  hasSource: true,
  canTrustSender: true,
};

describe('T37 host handler: well-formed messages act', () => {
  const good: [unknown, string][] = [
    [{ type: 'ready' }, 'ready'],
    [{ type: 'openLink', href: 'https://example.com/a' }, 'openLink https://example.com/a'],
    [{ type: 'openLink', href: 'mailto:bob@example.com' }, 'openLink mailto:bob@example.com'],
    [{ type: 'loadRemote' }, 'loadRemote'],
    [{ type: 'trustSender' }, 'trustSender'],
    [{ type: 'saveAttachment', id: 'a1' }, 'saveAttachment 2'],
    [{ type: 'openAttachment', id: 'a2' }, 'openAttachment 3.1'],
    [{ type: 'openFile', ref: 'src/app.ts:3' }, 'openFile src/app.ts:3'],
    [{ type: 'command', command: 'showSource' }, 'command showSource'],
    [{ type: 'command', command: 'copyAsEml' }, 'command copyAsEml'],
  ];
  for (const [message, expected] of good) {
    test(JSON.stringify(message), () => {
      const r = recorder();
      assert.equal(handleWebviewMessage(message, shown, r.actions), true);
      assert.deepEqual(r.calls, [expected]);
    });
  }
});

describe('T37 host handler: malformed and malicious messages are dropped', () => {
  const bad: [string, unknown][] = [
    ['openAttachment with a path', { type: 'openAttachment', id: '/etc/passwd' }],
    ['openAttachment with a relative path', { type: 'openAttachment', id: '../../.ssh/id_rsa' }],
    ['saveAttachment with an id of another message', { type: 'saveAttachment', id: 'a3' }],
    ['saveAttachment with __proto__', { type: 'saveAttachment', id: '__proto__' }],
    ['saveAttachment with constructor', { type: 'saveAttachment', id: 'constructor' }],
    ['saveAttachment with a number', { type: 'saveAttachment', id: 1 }],
    ['saveAttachment with an extra path key', { type: 'saveAttachment', id: 'a1', path: '/tmp/x' }],
    ['openLink vscode:', { type: 'openLink', href: 'vscode://vscode.git/clone?url=x' }],
    ['openLink file:', { type: 'openLink', href: 'file:///etc/passwd' }],
    ['openLink command:', { type: 'openLink', href: 'command:workbench.action.terminal.new' }],
    ['openLink javascript:', { type: 'openLink', href: 'javascript:alert(1)' }],
    ['openLink data:', { type: 'openLink', href: 'data:text/html,<script>1</script>' }],
    ['openLink with credentials', { type: 'openLink', href: 'https://bank.com@evil.example/' }],
    ['openLink with a bidi override', { type: 'openLink', href: 'https://example.com/\u202egpj.exe' }],
    ['openFile not listed', { type: 'openFile', ref: 'src/secret.ts:1' }],
    ['openFile absolute', { type: 'openFile', ref: '/etc/passwd:1' }],
    ['openFile traversal', { type: 'openFile', ref: '../../etc/passwd:1' }],
    ['command not ours', { type: 'command', command: 'workbench.action.terminal.new' }],
    ['unknown type', { type: 'runShell', cmd: 'rm -rf /' }],
    ['__proto__ type', JSON.parse('{"type":"__proto__"}')],
    ['__proto__ key', JSON.parse('{"type":"loadRemote","__proto__":{"polluted":true}}')],
    ['constructor key', { type: 'loadRemote', constructor: 'x' }],
    ['array', ['ready']],
    ['string', 'ready'],
    ['null', null],
    ['class instance', new (class X { type = 'loadRemote'; })()],
    ['getter', Object.defineProperty({ type: 'saveAttachment' }, 'id', { get: () => 'a1', enumerable: true })],
    ['huge id', { type: 'saveAttachment', id: 'a'.repeat(100_000) }],
  ];
  for (const [name, message] of bad) {
    test(name, () => {
      const r = recorder();
      assert.equal(handleWebviewMessage(message, shown, r.actions), false);
      assert.deepEqual(r.calls, []);
      assert.equal(r.dropped.length, 1);
    });
  }

  test('actions while no message is shown (loading, error) are dropped; ready is not', () => {
    const none: ViewerState = { attachments: new Map(), fileRefs: new Set(), hasMessage: false, hasSource: false, canTrustSender: false };
    for (const m of [{ type: 'loadRemote' }, { type: 'saveAttachment', id: 'a1' }, { type: 'command', command: 'saveAsEml' }, { type: 'openLink', href: 'https://example.com/' }]) {
      const r = recorder();
      assert.equal(handleWebviewMessage(m, none, r.actions), false, JSON.stringify(m));
      assert.deepEqual(r.calls, []);
    }
    const r = recorder();
    assert.equal(handleWebviewMessage({ type: 'ready' }, none, r.actions), true);
  });

  test('a message that could not be parsed (a bomb) still offers Show Source / Save / Copy, nothing else', () => {
    const failed: ViewerState = { attachments: new Map(), fileRefs: new Set(), hasMessage: false, hasSource: true, canTrustSender: false };
    const r = recorder();
    assert.equal(handleWebviewMessage({ type: 'command', command: 'showSource' }, failed, r.actions), true);
    assert.equal(handleWebviewMessage({ type: 'loadRemote' }, failed, r.actions), false);
    assert.equal(handleWebviewMessage({ type: 'saveAttachment', id: 'a1' }, failed, r.actions), false);
    assert.deepEqual(r.calls, ['command showSource']);
  });

  test('trustSender without a rememberable sender is dropped', () => {
    const r = recorder();
    assert.equal(handleWebviewMessage({ type: 'trustSender' }, { ...shown, canTrustSender: false }, r.actions), false);
    assert.deepEqual(r.calls, []);
  });

  test('no prototype pollution from any of them', () => {
    assert.equal(({} as { polluted?: unknown }).polluted, undefined);
    assert.equal(parseFromWebview(JSON.parse('{"type":"openFile","ref":"a:1","__proto__":{}}')), undefined);
  });
});
