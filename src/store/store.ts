import * as fs from 'node:fs';
import * as path from 'node:path';
import { SUMMARY_PREFIX_BYTES, summarize } from '../mail/summary';
import { appendIndex, readIndex, writeIndex } from './index-file';
import { cleanTmp, ensureMaildir, fsyncDir, idFromName, MessageWriter, uidlFromName, uidlKey } from './maildir';
import type { MessageSummary } from './types';

/** tmp/ files older than this are leftovers of an interrupted write (Maildir's own rule is 36 h). */
const TMP_STALE_MS = 60 * 60 * 1000;

/**
 * The local mail of one account: `<dir>/Maildir` plus the summary index
 * `<dir>/index.jsonl`. The Maildir is the truth; the index is a cache of it
 * that is repaired on open.
 */
export class MailStore {
  private readonly byId = new Map<string, MessageSummary>();
  private readonly byUidl = new Map<string, MessageSummary>();
  private sorted: MessageSummary[] | undefined;

  private constructor(readonly dir: string) {}

  get maildir(): string {
    return path.join(this.dir, 'Maildir');
  }

  private get indexFile(): string {
    return path.join(this.dir, 'index.jsonl');
  }

  /** Opens (creating if needed) the store in `dir`, reconciling the index with the Maildir. */
  static async open(dir: string): Promise<MailStore> {
    const store = new MailStore(dir);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    ensureMaildir(store.maildir);
    cleanTmp(store.maildir, TMP_STALE_MS);
    store.reconcile();
    return store;
  }

  /** Every stored message, newest first (by Date header, then arrival). */
  list(): readonly MessageSummary[] {
    this.sorted ??= [...this.byId.values()].sort((a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : 0));
    return this.sorted;
  }

  get size(): number {
    return this.byId.size;
  }

  get(id: string): MessageSummary | undefined {
    return this.byId.get(id);
  }

  hasUidl(uidl: string): boolean {
    return this.byUidl.has(uidlKey(uidl));
  }

  /** The raw RFC 5322 bytes of a stored message. */
  async readRaw(id: string): Promise<Buffer> {
    const entry = this.byId.get(id);
    if (!entry) throw new Error(`No stored message with id ${id}.`);
    return fs.promises.readFile(path.join(this.maildir, entry.file));
  }

  /** Starts writing a downloaded message into tmp/. */
  begin(uidl: string): MessageWriter {
    return new MessageWriter(this.maildir, uidl, SUMMARY_PREFIX_BYTES);
  }

  /** Commits a fully received message: fsync, rename into new/, index it. */
  commit(writer: MessageWriter): MessageSummary {
    const file = writer.commit();
    const entry = this.summaryFor(writer.name, writer.uidl, file, writer.prefix(), writer.bytes);
    appendIndex(this.indexFile, [entry]);
    this.add(entry);
    return entry;
  }

  /** Makes the renames of committed messages durable (call before telling the server anything). */
  flush(): void {
    fsyncDir(path.join(this.maildir, 'new'));
    fsyncDir(path.join(this.maildir, 'cur'));
  }

  private summaryFor(name: string, uidl: string, file: string, prefix: Buffer, size: number): MessageSummary {
    return { id: idFromName(name), uidl, file, ...summarize(prefix), size, seen: false };
  }

  private add(entry: MessageSummary): void {
    this.byId.set(entry.id, entry);
    this.byUidl.set(uidlKey(entry.uidl), entry);
    this.sorted = undefined;
  }

  /** Loads the index, drops entries whose file is gone, indexes files the index lacks. */
  private reconcile(): void {
    const { entries, damaged } = readIndex(this.indexFile);
    const onDisk = new Map<string, string>(); // id -> relative file
    for (const sub of ['new', 'cur']) {
      for (const name of fs.readdirSync(path.join(this.maildir, sub))) onDisk.set(idFromName(name), path.join(sub, name));
    }
    let changed = damaged;
    for (const e of entries) {
      const file = onDisk.get(e.id);
      if (!file || this.byId.has(e.id)) {
        changed = true;
        continue;
      }
      this.add(file === e.file ? e : { ...e, file });
      if (file !== e.file) changed = true;
    }
    for (const [id, file] of onDisk) {
      if (this.byId.has(id)) continue;
      const uidl = uidlFromName(path.basename(file));
      if (uidl === undefined) continue; // a file some other tool put here: not from our server
      this.add(this.summaryFor(path.basename(file), uidl, file, readPrefix(path.join(this.maildir, file)), fs.statSync(path.join(this.maildir, file)).size));
      changed = true;
    }
    if (changed) writeIndex(this.indexFile, [...this.byId.values()]);
  }
}

function readPrefix(file: string): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(SUMMARY_PREFIX_BYTES);
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
}
