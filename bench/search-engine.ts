// One search engine over one store, in its own process (so its memory is
// its own): `node --expose-gc --import tsx bench/search-engine.ts ENGINE STORE WORK QUERIES.json`.
// Builds the index from the Maildir (every engine gets the same decoded
// text from src/search/document.ts), saves it, then times the query set.
// Prints one JSON line.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { AccountIndex } from '../src/search/account-index';
import { searchDocument } from '../src/search/document';
import { MailStore } from '../src/store/store';

export interface EngineFigures {
  readonly engine: string;
  readonly messages: number;
  readonly buildS: number;
  readonly indexBytes: number;
  readonly heapMB: number;
  readonly rssMB: number;
  /** Per query: the median of its repetitions, in ms, and how many hits. */
  readonly queries: { readonly query: string; readonly ms: number; readonly hits: number }[];
}

const REPEAT = 5;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function timed<T>(run: () => T): { ms: number; value: T } {
  const t = process.hrtime.bigint();
  const value = run();
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, value };
}

/** Query text as each engine spells it: ours takes the syntax as is. */
function miniSearchQuery(q: string): { text: string; prefix: boolean } {
  return { text: q.replace(/["*]/g, ''), prefix: q.endsWith('*') };
}

function ftsQuery(q: string): string {
  if (q.startsWith('"')) return q;
  return q
    .split(/\s+/)
    .map((w) => (w.endsWith('*') ? `"${w.slice(0, -1)}"*` : `"${w}"`))
    .join(' ');
}

async function main(): Promise<void> {
  const [engine, storeDir, work, queriesFile] = process.argv.slice(2) as [string, string, string, string];
  const queries = JSON.parse(fs.readFileSync(queriesFile, 'utf8')) as string[];
  const store = await MailStore.open(storeDir);
  const entries = [...store.all()];
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  const read = (file: string) => searchDocument(fs.readFileSync(path.join(store.maildir, file)));
  let search: (q: string) => number;
  let buildS: number;
  let indexBytes: number;

  if (engine === 'ours') {
    fs.symlinkSync(store.maildir, path.join(work, 'Maildir'));
    const t = process.hrtime.bigint();
    const ai = AccountIndex.open(work);
    ai.sync(entries);
    indexBytes = ai.save() ?? 0;
    buildS = Number(process.hrtime.bigint() - t) / 1e9;
    indexBytes += fs.statSync(path.join(work, 'search-index.json')).size;
    search = (q) => ai.search(q, 20).hits.length;
  } else if (engine === 'minisearch') {
    const { default: MiniSearch } = await import('minisearch');
    const t = process.hrtime.bigint();
    const ms = new MiniSearch({ fields: ['subject', 'names', 'attachments', 'body'], storeFields: [], processTerm: (term) => term.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase() });
    for (const e of entries) {
      const d = read(e.file);
      ms.add({ id: e.id, subject: d.subject, names: `${d.from} ${d.to} ${d.cc}`, attachments: d.attachments.join(' '), body: d.body });
    }
    const file = path.join(work, 'minisearch.json');
    fs.writeFileSync(file, JSON.stringify(ms));
    buildS = Number(process.hrtime.bigint() - t) / 1e9;
    indexBytes = fs.statSync(file).size;
    search = (q) => {
      const { text, prefix } = miniSearchQuery(q);
      return ms.search(text, { combineWith: 'AND', prefix, boost: { subject: 3, names: 2, attachments: 2 } }).slice(0, 20).length;
    };
  } else if (engine === 'sqlite-fts5') {
    const mod = (await import('node-sqlite3-wasm')) as unknown as { Database?: typeof import('node-sqlite3-wasm').Database; default?: { Database: typeof import('node-sqlite3-wasm').Database } };
    const Database = (mod.Database ?? mod.default?.Database)!;
    const file = path.join(work, 'fts.db');
    const t = process.hrtime.bigint();
    const db = new Database(file);
    db.exec("CREATE VIRTUAL TABLE mail USING fts5(id UNINDEXED, subject, names, attachments, body, tokenize = 'unicode61 remove_diacritics 2')");
    db.exec('BEGIN');
    const insert = db.prepare('INSERT INTO mail (id, subject, names, attachments, body) VALUES (?, ?, ?, ?, ?)');
    for (const e of entries) {
      const d = read(e.file);
      insert.run([e.id, d.subject, `${d.from} ${d.to} ${d.cc}`, d.attachments.join(' '), d.body]);
    }
    insert.finalize();
    db.exec('COMMIT');
    db.exec("INSERT INTO mail(mail) VALUES('optimize')");
    buildS = Number(process.hrtime.bigint() - t) / 1e9;
    indexBytes = fs.statSync(file).size;
    const select = db.prepare('SELECT id FROM mail WHERE mail MATCH ? ORDER BY bm25(mail, 0, 3, 2, 2, 1) LIMIT 20');
    search = (q) => select.all([ftsQuery(q)]).length;
  } else throw new Error(`unknown engine ${engine}`);

  (globalThis as { gc?: () => void }).gc?.();
  const mem = process.memoryUsage();
  const figures: EngineFigures = {
    engine,
    messages: entries.length,
    buildS,
    indexBytes,
    heapMB: mem.heapUsed / 2 ** 20,
    rssMB: mem.rss / 2 ** 20,
    queries: queries.map((query) => {
      const runs = Array.from({ length: REPEAT }, () => timed(() => search(query)));
      return { query, ms: median(runs.map((r) => r.ms)), hits: runs[0]!.value };
    }),
  };
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exitCode = 1;
});
