// Threading messages into conversations (src/mail/conversations.ts) and
// reading the ids it uses from headers (src/mail/message-ids.ts, summary.ts),
// and old index lines without those ids (src/store/index-file.ts).

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { baseSubject, threadConversations, type Threadable } from '../../src/mail/conversations';
import { idsIn, messageIdOf, referencesOf } from '../../src/mail/message-ids';
import { summarize } from '../../src/mail/summary';
import { MailStore } from '../../src/store/store';

interface Msg extends Threadable {
  readonly name: string;
}

/** A message; `at` is minutes after a fixed day (later = newer). */
function m(name: string, at: number, subject: string, id?: string, refs?: string[]): Msg {
  const date = at < 0 ? '' : new Date(Date.UTC(2026, 10, 1) + at * 60_000).toISOString();
  return { name, date, subject, messageId: id, references: refs && refs.length > 0 ? refs.join(' ') : undefined };
}

/** The store's inbox order: newest first. */
const inboxOrder = (msgs: Msg[]): Msg[] => [...msgs].sort((a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : 0));

/** Conversations as names, newest conversation first, members newest first; and each one's root. */
function threads(msgs: Msg[]): { names: string[][]; roots: string[] } {
  const list = inboxOrder(msgs);
  const convs = threadConversations(list);
  return { names: convs.map((c) => c.members.map((i) => list[i]!.name)), roots: convs.map((c) => list[c.root]!.name) };
}

test('a reply chain is one conversation, newest message first, named by its oldest', () => {
  const { names, roots } = threads([
    m('a', 0, 'Build broken', 'a@x'),
    m('b', 10, 'Re: Build broken', 'b@x', ['a@x']),
    m('c', 20, 'Re: Re: Build broken', 'c@x', ['a@x', 'b@x']),
    m('solo', 15, 'Lunch?', 'solo@x'),
  ]);
  assert.deepEqual(names, [['c', 'b', 'a'], ['solo']]);
  assert.deepEqual(roots, ['a', 'solo']);
});

test('In-Reply-To alone links, and References naming only the root links the middle of a chain', () => {
  const { names } = threads([
    m('a', 0, 'Plan', 'a@x'),
    m('b', 5, 'Re: Plan', 'b@x', ['a@x']), // In-Reply-To only: referencesOf puts it in the same field
    m('c', 9, 'Re: Plan', 'c@x', ['a@x']),
  ]);
  assert.deepEqual(names, [['c', 'b', 'a']]);
});

test('a missing parent: replies naming the same absent message are one conversation, apart from others', () => {
  const { names } = threads([
    m('r1', 1, 'Re: Old topic', 'r1@x', ['gone@x']),
    m('r2', 2, 'Re: Old topic', 'r2@x', ['gone@x', 'r1@x']),
    m('r3', 3, 'Re: Something else', 'r3@x', ['other-gone@x']),
  ]);
  assert.deepEqual(names, [['r3'], ['r2', 'r1']]);
});

test('out-of-order arrival: a reply listed before its parent, and dates older than the parent, still join', () => {
  // The reply's clock is wrong: dated before the message it answers.
  const { names, roots } = threads([m('parent', 30, 'Q', 'p@x'), m('reply', 5, 'Re: Q', 'r@x', ['p@x']), m('later', 40, 'Re: Q', 'l@x', ['r@x'])]);
  assert.deepEqual(names, [['later', 'parent', 'reply']]);
  assert.deepEqual(roots, ['reply'], 'the oldest by date names it');
  // The same messages in any list order give the same groups.
  const list = [m('x3', 3, 'Re: T', 'x3@x', ['x2@x']), m('x1', 1, 'T', 'x1@x'), m('x2', 2, 'Re: T', 'x2@x', ['x1@x'])];
  assert.deepEqual(threadConversations(list).map((c) => c.members.length), [3]);
});

test('subject fallback: a reply without ids joins the conversation with its base subject; plain repeats stay apart', () => {
  const { names } = threads([
    m('orig', 0, '[dev-list] Release 2.0', undefined),
    m('re', 10, 'RE: [dev-list] Release 2.0', undefined),
    m('aw', 20, 'AW: Re[2]: release   2.0', undefined),
    m('sv', 25, 'SV: Fwd: Release 2.0', undefined),
    m('weekly1', 1, 'Weekly report', 'w1@x'),
    m('weekly2', 30, 'Weekly report', 'w2@x'),
  ]);
  assert.deepEqual(names, [['weekly2'], ['sv', 'aw', 're', 'orig'], ['weekly1']]);
});

test('subject fallback joins the latest conversation started no later; replies without any start join each other', () => {
  const { names } = threads([
    m('weekly1', 0, 'Weekly report', 'w1@x'),
    m('weekly2', 100, 'Weekly report', 'w2@x'),
    m('re-early', 50, 'Re: Weekly report', 're1@x'),
    m('re-late', 150, 'Re: weekly report', 're2@x'),
    m('x', 5, 'Re: Nobody started this', 'x@x'),
    m('y', 6, 'Fwd: nobody started this', 'y@x'),
  ]);
  assert.deepEqual(names, [['re-late', 'weekly2'], ['re-early', 'weekly1'], ['y', 'x']]);
});

test('subject fallback is only for replies whose parent is not there: ids decide when they link', () => {
  const { names } = threads([
    m('a', 0, 'Topic', 'a@x'),
    m('b', 1, 'Topic', 'b@x'),
    // Its subject says "Topic", its ids say it answers b: it goes with b only.
    m('c', 2, 'Re: Topic', 'c@x', ['b@x']),
  ]);
  assert.deepEqual(names, [['c', 'b'], ['a']]);
  // Empty or prefix-only subjects never join by subject.
  assert.deepEqual(threads([m('e1', 0, ''), m('e2', 1, 'Re:'), m('e3', 2, 'Re: ')]).names, [['e3'], ['e2'], ['e1']]);
});

test('loops, self-references, duplicate Message-IDs and undated messages neither crash nor hang', () => {
  const { names } = threads([
    m('a', 0, 'Loop', 'a@x', ['b@x']),
    m('b', 1, 'Re: Loop', 'b@x', ['a@x']),
    m('self', 2, 'Me', 'self@x', ['self@x', 'self@x']),
    m('dup1', 3, 'Copy', 'dup@x'),
    m('dup2', 4, 'Copy', 'dup@x'),
    m('nodate', -1, 'Re: Loop', 'n@x', ['a@x']),
  ]);
  assert.deepEqual(names, [['dup2', 'dup1'], ['self'], ['b', 'a', 'nodate']]);
  assert.deepEqual(threadConversations([]), []);
});

test('100,000 messages: one 50,000-deep reply chain and 50,000 singles thread without recursion', () => {
  const N = 100_000;
  const list: Threadable[] = [];
  // Newest first, as the store lists them: odd indexes are singles, even ones the chain.
  for (let i = N - 1; i >= 0; i--) {
    const date = new Date(Date.UTC(2020, 0, 1) + i * 1000).toISOString();
    if (i % 2 === 0) list.push({ date, subject: i === 0 ? 'Long thread' : 'Re: Long thread', messageId: `c${i}@x`, references: i === 0 ? undefined : `c0@x c${i - 2}@x` });
    else list.push({ date, subject: `Single ${i}`, messageId: `s${i}@x` });
  }
  const convs = threadConversations(list);
  assert.equal(convs.length, 1 + N / 2);
  const chain = convs.find((c) => c.members.length > 1)!;
  assert.equal(chain.members.length, N / 2);
  assert.equal(list[chain.root]!.messageId, 'c0@x');
  assert.deepEqual(
    chain.members.slice(0, 3).map((i) => list[i]!.messageId),
    ['c99998@x', 'c99996@x', 'c99994@x'],
  );
  // Each reply naming only its parent (a chain as deep as the inbox) is one conversation as well.
  const deep: Threadable[] = [];
  for (let i = N - 1; i >= 0; i--) deep.push({ date: String(i).padStart(6, '0'), subject: 'x', messageId: `d${i}`, references: i ? `d${i - 1}` : undefined });
  assert.equal(threadConversations(deep).length, 1);
});

test('baseSubject: prefixes in many languages and forms, tags; anything else is kept', () => {
  assert.deepEqual(baseSubject('Re: Fwd: [list] [other] AW:  Hello   World'), { base: 'hello world', reply: true });
  assert.deepEqual(baseSubject('Re[3]: Re(2): Re^4: x'), { base: 'x', reply: true });
  assert.deepEqual(baseSubject('Re\uff1a 日本語'), { base: '日本語', reply: true });
  assert.deepEqual(baseSubject('[PATCH v2 1/3] fix'), { base: 'fix', reply: false });
  assert.deepEqual(baseSubject('Reply: not a prefix'), { base: 'reply: not a prefix', reply: false });
  assert.deepEqual(baseSubject('Re without colon'), { base: 're without colon', reply: false });
  assert.deepEqual(baseSubject('[unclosed tag'), { base: '[unclosed tag', reply: false });
});

test('baseSubject and idsIn stay linear on long runs of one character', () => {
  // Quadratic work would take minutes at this size; linear takes milliseconds.
  const n = 200_000;
  for (const s of ['['.repeat(n), 'Re'.repeat(n), `${'re '.repeat(n)}x`, 'Re:'.repeat(n) + 'x', ' '.repeat(n), `Re${' '.repeat(n)}`]) baseSubject(s);
  assert.equal(baseSubject('Re:'.repeat(n) + ' end').base, 'end');
  for (const s of ['<'.repeat(n), '>'.repeat(n), `<${'a'.repeat(n)}`, '<<>'.repeat(n), '@'.repeat(n), `${'a@b '.repeat(n)}`]) idsIn(s);
  assert.equal(idsIn('<<>'.repeat(n)).length, 0);
});

test('ids: brackets, folding, comments and junk; References then In-Reply-To, deduplicated and bounded', () => {
  assert.equal(messageIdOf(' <abc.123@host.example> '), 'abc.123@host.example');
  assert.equal(messageIdOf('abc@host'), 'abc@host', 'brackets missing');
  assert.equal(messageIdOf('<>'), undefined);
  assert.equal(messageIdOf('<a\u0000b@x>'), undefined, 'a NUL makes no id');
  assert.equal(messageIdOf(`<${'a'.repeat(300)}@x>`), undefined, 'too long');
  assert.equal(messageIdOf(undefined), undefined);
  assert.deepEqual(idsIn('<a@x> (comment) <b@\r\n x>'), ['a@x', 'b@x']);
  assert.deepEqual(idsIn('<junk <c@x>'), ['c@x']);
  assert.equal(referencesOf('<r@x> <p@x>', '<p@x> (from someone)'), 'r@x p@x');
  assert.equal(referencesOf(undefined, '<p@x> <q@x>'), 'p@x', "In-Reply-To's first id");
  assert.equal(referencesOf('<r@x> <r@x>', undefined), 'r@x');
  assert.equal(referencesOf(undefined, 'a comment only'), undefined);
  const many = Array.from({ length: 500 }, (_, i) => `<m${i}@x>`).join(' ');
  const kept = referencesOf(many, '<parent@x>')!.split(' ');
  assert.equal(kept.length, 32);
  assert.equal(kept[0], 'm0@x', 'the root stays');
  assert.equal(kept[31], 'parent@x', 'the parent stays');
  assert.equal(kept[30], 'm499@x');
  // Long ids: fewer kept, the line stays short.
  const long = Array.from({ length: 40 }, (_, i) => `<${String(i).padStart(3, '0')}${'x'.repeat(200)}@x>`).join(' ');
  const few = referencesOf(long, undefined)!;
  assert.ok(few.length <= 2048, String(few.length));
  assert.ok(few.startsWith('000x') && few.endsWith('039' + 'x'.repeat(200) + '@x'), 'root and parent kept');
});

test('summary: Message-ID, References and In-Reply-To are kept; a message without them has neither field', () => {
  const head = (lines: string[]): Buffer => Buffer.from(`${lines.join('\r\n')}\r\n\r\nbody\r\n`);
  const s = summarize(head(['Subject: Re: x', 'Message-ID: <me@x>', 'References: <root@x>', '  <mid@x>', 'In-Reply-To: <mid@x>']));
  assert.equal(s.messageId, 'me@x');
  assert.equal(s.references, 'root@x mid@x');
  const plain = summarize(head(['Subject: x']));
  assert.equal('messageId' in plain, false);
  assert.equal('references' in plain, false);
});

test('an index written before the ids were kept still loads: its messages just have none', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pop3-conv-'));
  try {
    const store = await MailStore.open(dir);
    const w = store.begin('u1');
    w.write(Buffer.from('Subject: Old\r\nMessage-ID: <old@x>\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nbody\r\n'));
    store.commitUnsynced(w);
    store.flush();
    // Rewrite its line the way an older version wrote it.
    const file = path.join(dir, 'index.jsonl');
    const line = JSON.parse(fs.readFileSync(file, 'utf8').trim()) as Record<string, unknown>;
    assert.equal(line['messageId'], 'old@x');
    delete line['messageId'];
    fs.writeFileSync(file, `${JSON.stringify(line)}\n`);
    fs.rmSync(path.join(dir, 'index.stamp'));
    const reopened = await MailStore.open(dir);
    const [only] = reopened.list();
    assert.equal(only?.subject, 'Old');
    assert.equal(reopened.list().length, 1);
    assert.equal(only?.messageId, undefined);
    assert.deepEqual(threadConversations(reopened.list()).map((c) => c.members), [[0]]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
