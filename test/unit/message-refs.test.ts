import assert from 'node:assert/strict';
import { test } from 'node:test';
import { messageRef, messageRefs } from '../../src/vscode/inbox/message-refs';

test('messageRefs: (key, id), a node, a node with the selection, junk', () => {
  const a = { kind: 'message', accountKey: 'k', messageId: 'a' };
  const b = { kind: 'message', accountKey: 'k', messageId: 'b' };
  assert.deepEqual(messageRefs('k', 'x'), [{ accountKey: 'k', messageId: 'x' }]);
  assert.deepEqual(messageRefs(a), [{ accountKey: 'k', messageId: 'a' }]);
  assert.deepEqual(messageRefs(a, [a, b]).map((r) => r.messageId), ['a', 'b']);
  assert.deepEqual(messageRefs(a, [b]).map((r) => r.messageId), ['a'], 'a right-click outside the selection acts on that row only');
  assert.deepEqual(messageRefs({ kind: 'group' }), []);
  assert.deepEqual(messageRefs(undefined), []);
  assert.deepEqual(messageRefs({ kind: 'message', accountKey: 1, messageId: 'x' }), []);
});

test('messageRef: one message for a single-message command; the clicked node, not the selection; no old { account, summary } shape', () => {
  const a = { kind: 'message', accountKey: 'k', messageId: 'a' };
  const b = { kind: 'message', accountKey: 'k', messageId: 'b' };
  assert.deepEqual(messageRef('k', 'x'), { accountKey: 'k', messageId: 'x' });
  assert.deepEqual(messageRef(b, [a, b]), { accountKey: 'k', messageId: 'b' });
  assert.equal(messageRef({ account: { user: 'u', host: 'h', port: 995 }, summary: { id: 'a' } }), undefined);
  assert.equal(messageRef('k'), undefined);
  assert.equal(messageRef(), undefined);
});
