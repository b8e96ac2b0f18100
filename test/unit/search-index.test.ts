import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, test } from 'node:test';
import { AccountIndex } from '../../src/search/account-index';
import { INDEX_FILE } from '../../src/search/index-file';
import { MailStore } from '../../src/store/store';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function storeWith(messages: Record<string, string | Buffer>): Promise<{ store: MailStore; ids: Record<string, string> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pop3-search-'));
  dirs.push(dir);
  const store = await MailStore.open(dir);
  const ids: Record<string, string> = {};
  for (const [uidl, raw] of Object.entries(messages)) {
    const w = store.begin(uidl);
    w.write(Buffer.isBuffer(raw) ? raw : Buffer.from(raw.replace(/\n/g, '\r\n'), 'latin1'));
    ids[uidl] = store.commitUnsynced(w).id;
  }
  return { store, ids };
}

const head = (subject: string, date = 'Mon, 2 Nov 2026 10:00:00 +0000'): string => `From: Ann Example <ann@example.org>\nTo: Bob <bob@example.net>\nSubject: ${subject}\nDate: ${date}\nMIME-Version: 1.0\n`;

const FIXTURES: Record<string, string | Buffer> = {
  qp: `${head('qp')}Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\nThe deploy=\nment of the super=\ncalifragilistic build failed.\n`,
  b64: `${head('b64')}Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n${Buffer.from('Hidden zanzibar in base64.').toString('base64')}\n`,
  html: `${head('html')}Content-Type: text/html; charset=utf-8\n\n<html><head><style>.x{}</style></head><body><p>Caf&eacute; &amp; cr&#232;me <b>br&ucirc;l&eacute;e</b></p><script>secretscript()</script></body></html>\n`,
  latin1: Buffer.concat([
    Buffer.from(`${head('latin1')}Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: 8bit\n\n`.replace(/\n/g, '\r\n'), 'latin1'),
    Buffer.from('Die Gr\xf6\xdfe der Stra\xdfe in K\xf6ln.\r\n', 'latin1'),
  ]),
  koi8: Buffer.concat([
    Buffer.from(`${head('koi8')}Content-Type: text/plain; charset=koi8-r\n\n`.replace(/\n/g, '\r\n'), 'latin1'),
    Buffer.from([0xf0, 0xd2, 0xc9, 0xd7, 0xc5, 0xd4, 0x0d, 0x0a]), // "Привет"
  ]),
  encoded: `${head('=?UTF-8?B?' + Buffer.from('Résumé of the Zürich offsite').toString('base64') + '?=')}Content-Type: text/plain\n\nsee subject\n`,
  attach: [
    head('with attachment'),
    'Content-Type: multipart/mixed; boundary="b1"\n\n--b1\nContent-Type: text/plain\n\nPlease see the file.\n',
    '--b1\nContent-Type: application/pdf\nContent-Disposition: attachment; filename="Quarterly-Forecast_2027.pdf"\nContent-Transfer-Encoding: base64\n\n',
    `${Buffer.from('%PDF-1.4 sesquipedalian binary words').toString('base64')}\n--b1--\n`,
  ].join(''),
  phrase1: `${head('p1', 'Tue, 3 Nov 2026 10:00:00 +0000')}\nthe build failed on tuesday\n`,
  phrase2: `${head('p2', 'Wed, 4 Nov 2026 10:00:00 +0000')}\nthe failed build on wednesday\n`,
};

async function indexed(): Promise<{ store: MailStore; ids: Record<string, string>; ai: AccountIndex }> {
  const { store, ids } = await storeWith(FIXTURES);
  const ai = AccountIndex.open(store.dir);
  ai.sync(store.all());
  return { store, ids, ai };
}

const found = (ai: AccountIndex, query: string): string[] => ai.search(query, 50).hits.map((h) => h.id).sort();

test('text hidden by quoted-printable soft breaks, base64, HTML entities and charsets is found exactly', async () => {
  const { ids, ai } = await indexed();
  assert.deepEqual(found(ai, 'deployment'), [ids['qp']]);
  assert.deepEqual(found(ai, 'supercalifragilistic'), [ids['qp']]);
  assert.deepEqual(found(ai, 'deploy'), [], 'a word split by a soft break is one word');
  assert.deepEqual(found(ai, 'zanzibar'), [ids['b64']]);
  assert.deepEqual(found(ai, 'crème brûlée'), [ids['html']]);
  assert.deepEqual(found(ai, 'secretscript'), [], 'script content is not text');
  assert.deepEqual(found(ai, 'größe straße köln'), [ids['latin1']]);
  assert.deepEqual(found(ai, 'привет'), [ids['koi8']]);
  assert.deepEqual(found(ai, 'zürich résumé'), [ids['encoded']]);
  assert.deepEqual(found(ai, 'sesquipedalian'), [], 'attachment bodies are not indexed');
});

test('diacritics and case are folded both ways', async () => {
  const { ids, ai } = await indexed();
  assert.deepEqual(found(ai, 'cafe'), [ids['html']]);
  assert.deepEqual(found(ai, 'CAFÉ'), [ids['html']]);
  assert.deepEqual(found(ai, 'zurich resume'), [ids['encoded']]);
  assert.deepEqual(found(ai, 'koln'), [ids['latin1']]);
});

test('attachment names are found exactly, and has:attachment filters', async () => {
  const { ids, ai } = await indexed();
  assert.deepEqual(found(ai, 'forecast'), [ids['attach']]);
  assert.deepEqual(found(ai, '2027'), [ids['attach']]);
  assert.deepEqual(found(ai, 'has:attachment'), [ids['attach']]);
  assert.deepEqual(found(ai, 'file has:attachment'), [ids['attach']]);
});

test('prefixes, phrases, and filters', async () => {
  const { ids, ai } = await indexed();
  assert.deepEqual(found(ai, 'supercali*'), [ids['qp']]);
  assert.deepEqual(ai.search('supercali', 10, { lastWordPrefix: true }).hits.map((h) => h.id), [ids['qp']]);
  assert.deepEqual(ai.search('supercali ', 10, { lastWordPrefix: true }).hits, []);
  assert.deepEqual(found(ai, 'build failed').length, 3);
  assert.deepEqual(found(ai, '"build failed"'), [ids['phrase1'], ids['qp']].sort());
  assert.deepEqual(found(ai, '"failed build"'), [ids['phrase2']]);
  assert.deepEqual(found(ai, 'build after:2026-11-04'), [ids['phrase2']]);
  assert.deepEqual(found(ai, 'build before:2026-11-03'), [ids['qp']]);
  assert.deepEqual(found(ai, 'subject:"with att"'), [ids['attach']]);
  assert.deepEqual(found(ai, 'from:ann to:bob subject:p1'), [ids['phrase1']]);
  assert.deepEqual(found(ai, 'from:nobody build'), []);
  assert.deepEqual(ai.search('is:maybe build').problems, ['is:maybe']);
});

test('results are ranked by relevance, then newest first, with marked snippets', async () => {
  const { store, ids } = await storeWith({
    once: `${head('hello', 'Mon, 2 Nov 2026 10:00:00 +0000')}\nmarmalade appears once among other words here\n`,
    often: `${head('marmalade news', 'Sun, 1 Nov 2026 10:00:00 +0000')}\nmarmalade marmalade and more marmalade\n`,
    newer: `${head('hello', 'Tue, 3 Nov 2026 10:00:00 +0000')}\nmarmalade appears once among other words here\n`,
  });
  const ai = AccountIndex.open(store.dir);
  ai.sync(store.all());
  const r = ai.search('marmalade');
  assert.deepEqual(r.hits.map((h) => h.id), [ids['often'], ids['newer'], ids['once']]);
  const s = r.hits[1]!.snippet;
  assert.equal(s.text, 'marmalade appears once among other words here');
  assert.deepEqual(s.highlights, [[0, 9]]);
});

test('deletes and restores show in the results; expunged mail leaves the index', async () => {
  const { store, ids, ai } = await indexed();
  store.trash(ids['b64']!);
  ai.sync(store.all());
  assert.deepEqual(found(ai, 'zanzibar'), []);
  store.restore(ids['b64']!);
  ai.sync(store.all());
  assert.deepEqual(found(ai, 'zanzibar'), [ids['b64']]);
  store.setSeen(ids['b64']!, true);
  ai.sync(store.all());
  assert.deepEqual(found(ai, 'zanzibar is:unread'), []);
  assert.deepEqual(found(ai, 'zanzibar is:read'), [ids['b64']]);
  store.expunge(ids['b64']!);
  assert.deepEqual(ai.sync(store.all()), { added: 0, removed: 1 });
  assert.deepEqual(found(ai, 'zanzibar'), []);
  ai.save();
  const again = AccountIndex.open(store.dir);
  assert.equal(again.size, Object.keys(FIXTURES).length - 1);
  assert.deepEqual(found(again, 'zanzibar'), []);
  assert.deepEqual(found(again, 'deployment'), [ids['qp']]);
});

test('a saved index is reused; a damaged or other-version one is rebuilt from the Maildir', async () => {
  const { store, ids, ai } = await indexed();
  ai.save();
  const reopened = AccountIndex.open(store.dir);
  assert.equal(reopened.damaged, '');
  assert.deepEqual(reopened.sync(store.all()), { added: 0, removed: 0 });
  const file = path.join(store.dir, INDEX_FILE);
  const bytes = fs.readFileSync(file);
  bytes[bytes.length - 3] ^= 0xff;
  fs.writeFileSync(file, bytes);
  const damaged = AccountIndex.open(store.dir);
  assert.match(damaged.damaged, /checksum/);
  assert.deepEqual(damaged.sync(store.all()).added, Object.keys(FIXTURES).length);
  assert.deepEqual(found(damaged, 'zanzibar'), [ids['b64']]);
  damaged.save();
  const version = fs.readFileSync(file);
  version.writeUInt32LE(99, 4);
  fs.writeFileSync(file, version);
  assert.match(AccountIndex.open(store.dir).damaged, /version/);
  fs.writeFileSync(file, 'garbage');
  assert.notEqual(AccountIndex.open(store.dir).damaged, '');
});

test('a 64 KB run of one character is indexed and searched in linear time, as one bounded word', async () => {
  const run = 'a'.repeat(64 * 1024);
  const { store, ids } = await storeWith({ run: `${head('long')}\n${run} tail\n`, marks: Buffer.from(`${head('marks')}\n${'e\u0301'.repeat(32 * 1024)}\n`.replace(/\n/g, '\r\n'), 'utf8') });
  const ai = AccountIndex.open(store.dir);
  ai.sync(store.all());
  assert.deepEqual(found(ai, 'tail'), [ids['run']]);
  assert.deepEqual(found(ai, 'a'.repeat(64)), [ids['run']]);
  assert.equal(ai.search('tail').hits[0]!.snippet.text.length <= 161, true);
  assert.deepEqual(found(ai, 'e'.repeat(64)), [ids['marks']]);
  assert.deepEqual(found(ai, `"${'a'.repeat(70)} tail"`), [ids['run']]);
});

test('a message whose file was renamed before it was read is indexed when its flags arrive', async () => {
  const { store, ids } = await storeWith({ early: `${head('early')}\nopened before indexing: pangolin\n` });
  const ai = AccountIndex.open(store.dir);
  const stale = store.get(ids['early']!)!;
  store.setSeen(stale.id, true); // the file moves new/ -> cur/
  assert.equal(ai.add(stale), false);
  ai.setFlags(store.get(stale.id)!);
  assert.deepEqual(found(ai, 'pangolin is:read'), [ids['early']]);
});

test('MIME bombs (deep nesting, 50,000 parts) are indexed by their headers only, without a throw', async () => {
  let deep = `${head('nesting bomb')}Content-Type: multipart/mixed; boundary="n0"\n\n`;
  for (let i = 1; i < 2000; i++) deep += `--n${i - 1}\nContent-Type: multipart/mixed; boundary="n${i}"\n\n`;
  deep += 'innermost armadillo\n';
  let wide = `${head('sibling bomb')}Content-Type: multipart/mixed; boundary="s"\n\n`;
  wide += '--s\nContent-Type: text/plain\n\nsibling armadillo\n'.repeat(50_000) + '--s--\n';
  const { store, ids } = await storeWith({ deep, wide });
  const ai = AccountIndex.open(store.dir);
  ai.sync(store.all());
  assert.equal(ai.size, 2);
  assert.deepEqual(found(ai, 'bomb'), [ids['deep'], ids['wide']].sort());
  assert.deepEqual(found(ai, 'armadillo'), []);
});
