// The search worker behind SearchService: it indexes the store it is given,
// then every message stored, deleted, restored or expunged afterwards, and
// saves its index when stopped (the next worker starts from the file).

import assert from 'node:assert/strict';
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { INDEX_FILE } from '../../src/search/index-file';
import { SearchService } from '../../src/search/search-service';
import { MailStore } from '../../src/store/store';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pop3-search-service-'));
const workerFile = path.join(dir, 'search-worker.js');
before(async () => {
  await esbuild.build({ entryPoints: ['src/search/search-worker.ts'], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: workerFile, logLevel: 'silent' });
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function put(store: MailStore, uidl: string, subject: string, body: string): string {
  const w = store.begin(uidl);
  w.write(Buffer.from(`From: Ann <ann@example.org>\r\nSubject: ${subject}\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\n${body}\r\n`));
  return store.commitUnsynced(w).id;
}

const ids = async (service: SearchService, store: MailStore, q: string): Promise<string[]> => (await service.search(store, q)).hits.map((h) => h.id).sort();

test('a store is indexed in the worker, then kept in step with every change', async () => {
  const store = await MailStore.open(path.join(dir, 'acct'));
  const first = put(store, 'u1', 'Hello', 'an existing mail about quokkas');
  const service = new SearchService(workerFile);
  assert.deepEqual(await service.watch(store), { size: 1, damaged: '' });
  assert.deepEqual(await ids(service, store, 'quokkas'), [first]);

  const second = put(store, 'u2', 'Fresh', 'a newly fetched mail about quokkas and wombats');
  assert.deepEqual(await ids(service, store, 'wombats'), [second], 'mail stored after the start is found');
  assert.deepEqual(await ids(service, store, 'quokkas'), [first, second].sort());

  store.trash(first);
  assert.deepEqual(await ids(service, store, 'quokkas'), [second]);
  store.restore(first);
  assert.deepEqual(await ids(service, store, 'quokkas'), [first, second].sort());
  store.expunge(second);
  assert.deepEqual(await ids(service, store, 'wombats'), []);

  const typed = await service.search(store, 'quok', 10, { lastWordPrefix: true });
  assert.deepEqual(typed.hits.map((h) => h.id), [first]);
  assert.equal(typed.hits[0]!.snippet.text, 'an existing mail about quokkas');

  await service.dispose();
  assert.ok(fs.existsSync(path.join(store.dir, INDEX_FILE)), 'saved when stopped');

  const again = new SearchService(workerFile);
  assert.deepEqual(await again.watch(store), { size: 1, damaged: '' });
  assert.deepEqual(await ids(again, store, 'quokkas'), [first]);
  await again.stop(store.dir);
  store.close();
});

test('new mail is indexed from the bytes the fetch held (a copy: the writer reuses its memory), a message too big to hold from its file', async (t) => {
  const store = await MailStore.open(path.join(dir, 'held'));
  const service = new SearchService(workerFile);
  t.after(async () => {
    await service.dispose();
    store.close();
  });
  await service.watch(store);
  const small = put(store, 'h1', 'Held', 'numbats live in the held bytes');
  // Gone from disk before the batch reaches the worker: only the held bytes can be indexed.
  fs.rmSync(store.pathOf(small)!);
  // The next small message is received into the memory the first one used:
  // the batch must have kept its own copy of the first one's bytes.
  const next = put(store, 'h3', 'Held too', 'quokkas live in the same memory');
  fs.rmSync(store.pathOf(next)!);
  const big = put(store, 'h2', 'Spilled', `bilbies ${'x'.repeat(2 * 1024 * 1024)}`);
  assert.deepEqual(await ids(service, store, 'numbats'), [small]);
  assert.deepEqual(await ids(service, store, 'quokkas'), [next]);
  assert.deepEqual(await ids(service, store, 'bilbies'), [big], 'a message over the in-memory size is read from its file');
});
