// The index on disk: `search-index.bin` next to the account's store, and a
// small manifest `search-index.json` (format version, message count,
// checksum) for people and tools. Written to a temp file then renamed, so a
// crash leaves the old file or the new one. A file with another version, a
// bad checksum or a truncated body is "damaged": the caller rebuilds from
// the Maildir.
//
//   "P3SI" | u32 version | 20-byte SHA-1 of the payload | payload
//   payload: u32 n | n x UTF-8 JSON document rows (one JSON array)
//            | varint terms | per term: varint bytes, term, varint df, varint last, varint bytes, postings

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Postings, putVarint, readVarint, varintSize } from './postings';
import { SearchIndex, type DocMeta } from './search-index';

export const INDEX_FILE = 'search-index.bin';
export const MANIFEST_FILE = 'search-index.json';
export const FORMAT_VERSION = 1;
const MAGIC = Buffer.from('P3SI', 'latin1');
const HEADER = 4 + 4 + 20;

type Row = [id: string, file: string, date: number, flags: number, length: number, subject: string, from: string, to: string];

function flagsOf(m: DocMeta): number {
  return (m.seen ? 1 : 0) | (m.trashed ? 2 : 0) | (m.hasAttachments ? 4 : 0);
}

/**
 * The index as bytes; removed documents are left out (compacted first).
 * Sized first, then written into one buffer: a small buffer per term (there
 * are tens of thousands) cost more than the postings themselves.
 */
export function encodeIndex(index: SearchIndex): Buffer {
  const live = index.deadCount > 0 ? index.compacted() : index;
  const rows: Row[] = live.docs.map((m) => [m.id, m.file, m.date, flagsOf(m), m.length, m.subject, m.from, m.to]);
  const docs = JSON.stringify(rows);
  const docBytes = Buffer.byteLength(docs, 'utf8');
  let size = HEADER + 4 + docBytes + varintSize(live.terms.size);
  for (const [term, p] of live.terms) {
    const t = Buffer.byteLength(term, 'utf8');
    size += varintSize(t) + t + varintSize(p.df) + varintSize(p.last) + varintSize(p.length) + p.length;
  }
  const out = Buffer.allocUnsafe(size);
  MAGIC.copy(out, 0);
  out.writeUInt32LE(FORMAT_VERSION, 4);
  out.writeUInt32LE(docBytes, HEADER);
  let at = HEADER + 4 + out.write(docs, HEADER + 4, 'utf8');
  at = putVarint(out, at, live.terms.size);
  for (const [term, p] of live.terms) {
    const t = Buffer.byteLength(term, 'utf8');
    at = putVarint(out, at, t);
    at += out.write(term, at, 'utf8');
    at = putVarint(out, at, p.df);
    at = putVarint(out, at, p.last);
    at = putVarint(out, at, p.length);
    p.copyTo(out, at);
    at += p.length;
  }
  createHash('sha1').update(out.subarray(HEADER)).digest().copy(out, 8);
  return out;
}

export class DamagedIndexError extends Error {
  override readonly name = 'DamagedIndexError';
}

/** Reads an index back; throws DamagedIndexError when it is not exactly what encodeIndex wrote. */
export function decodeIndex(bytes: Buffer): SearchIndex {
  if (bytes.length < HEADER + 4 || !bytes.subarray(0, 4).equals(MAGIC)) throw new DamagedIndexError('not a search index');
  if (bytes.readUInt32LE(4) !== FORMAT_VERSION) throw new DamagedIndexError('another format version');
  const payload = bytes.subarray(HEADER);
  if (!createHash('sha1').update(payload).digest().equals(bytes.subarray(8, HEADER))) throw new DamagedIndexError('checksum mismatch');
  try {
    const n = payload.readUInt32LE(0);
    const rows = JSON.parse(payload.subarray(4, 4 + n).toString('utf8')) as Row[];
    const index = new SearchIndex();
    for (const [id, file, date, flags, length, subject, from, to] of rows) {
      index.restoreDoc({ id, file, date, seen: (flags & 1) !== 0, trashed: (flags & 2) !== 0, hasAttachments: (flags & 4) !== 0, length, subject, from, to, alive: true });
    }
    const pos = { at: 4 + n };
    const terms = readVarint(payload, pos);
    for (let i = 0; i < terms; i++) {
      const tl = readVarint(payload, pos);
      const term = payload.toString('utf8', pos.at, pos.at + tl);
      pos.at += tl;
      const df = readVarint(payload, pos);
      const last = readVarint(payload, pos);
      const bl = readVarint(payload, pos);
      if (pos.at + bl > payload.length || last >= rows.length) throw new DamagedIndexError('postings out of range');
      // A view into the file, not a copy: Postings copies on its first append.
      index.restoreTerm(term, new Postings(payload.subarray(pos.at, pos.at + bl), df, last));
      pos.at += bl;
    }
    return index;
  } catch (error) {
    throw error instanceof DamagedIndexError ? error : new DamagedIndexError(`unreadable: ${(error as Error).message}`);
  }
}

/** Writes the index and its manifest into `dir` atomically (temp file, fsync, rename). */
export function saveIndex(dir: string, index: SearchIndex): { bytes: number } {
  const bytes = encodeIndex(index);
  const write = (name: string, data: Buffer | string): void => {
    const tmp = path.join(dir, `.${name}.${process.pid}.tmp`);
    const fd = fs.openSync(tmp, 'w', 0o600);
    try {
      fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, path.join(dir, name));
  };
  write(INDEX_FILE, bytes);
  const manifest = { version: FORMAT_VERSION, messages: index.size, bytes: bytes.length, sha1: bytes.subarray(8, HEADER).toString('hex'), written: new Date().toISOString() };
  write(MANIFEST_FILE, `${JSON.stringify(manifest, null, 2)}\n`);
  return { bytes: bytes.length };
}

/** The saved index of `dir`: undefined when there is none, `damaged` when it must be rebuilt. */
export function loadIndex(dir: string): { index?: SearchIndex; damaged?: string } {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(path.join(dir, INDEX_FILE));
  } catch {
    return {};
  }
  try {
    return { index: decodeIndex(bytes) };
  } catch (error) {
    return { damaged: (error as Error).message };
  }
}
