// What a store holds on disk, for tests that check it after crashes and
// faults: every file in Maildir new/ and cur/ with its UIDL key and content
// hash (cached by path: a file never changes its bytes, only its name).

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseName } from '../../src/store/maildir';
import type { Dovecot } from './dovecot';

export interface StoredFile {
  readonly rel: string;
  readonly uidlKey: string | undefined;
  readonly hash: string;
}

export const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

const hashCache = new Map<string, string>();

export function storedFiles(storeDir: string): StoredFile[] {
  const maildir = path.join(storeDir, 'Maildir');
  const out: StoredFile[] = [];
  for (const sub of ['new', 'cur']) {
    let names: string[];
    try {
      names = fs.readdirSync(path.join(maildir, sub));
    } catch {
      continue;
    }
    for (const name of names) {
      const rel = path.join(sub, name);
      const abs = path.join(maildir, rel);
      let hash = hashCache.get(abs);
      if (hash === undefined) {
        hash = sha(fs.readFileSync(abs));
        hashCache.set(abs, hash);
      }
      out.push({ rel, uidlKey: parseName(name).uidlKey, hash });
    }
  }
  return out;
}

/** The messages a test delivered, by content hash (a Set, or a Map keyed by hash). */
export interface Delivered {
  has(hash: string): boolean;
  readonly size: number;
  keys(): IterableIterator<string>;
}

/**
 * Nothing partial or foreign outside tmp/ (every file is a whole delivered
 * message with a UIDL in its name), nothing twice by content or by UIDL;
 * with `complete`, exactly the delivered set.
 */
export function checkStoredFiles(storeDir: string, delivered: Delivered, where: string, complete: boolean): StoredFile[] {
  const files = storedFiles(storeDir);
  const hashes = new Set<string>();
  const keys = new Set<string>();
  for (const f of files) {
    assert.ok(delivered.has(f.hash), `${where}: ${f.rel} is not a complete delivered message (partial file outside tmp/?)`);
    assert.ok(!hashes.has(f.hash), `${where}: the message in ${f.rel} is stored twice`);
    assert.ok(f.uidlKey !== undefined, `${where}: ${f.rel} has no UIDL in its name`);
    assert.ok(!keys.has(f.uidlKey), `${where}: UIDL ${f.uidlKey} is stored twice`);
    hashes.add(f.hash);
    keys.add(f.uidlKey);
  }
  if (complete) {
    const missing = [...delivered.keys()].filter((h) => !hashes.has(h));
    assert.equal(missing.length, 0, `${where}: ${missing.length} delivered message(s) missing from the store`);
    assert.equal(files.length, delivered.size, `${where}: store holds ${files.length} files for ${delivered.size} delivered messages`);
  }
  return files;
}

/** Files left in the store's Maildir tmp/ (partial downloads); none when tmp/ does not exist yet. */
export function tmpFiles(storeDir: string): string[] {
  try {
    return fs.readdirSync(path.join(storeDir, 'Maildir', 'tmp'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** Delivers a message to alice and records its hash; every message a test delivers must be unique by content. */
export function deliverUnique(dovecot: Dovecot, delivered: Set<string> | Map<string, number>, raw: Buffer, name: string): void {
  const h = sha(raw);
  assert.ok(!delivered.has(h), 'each delivered message is unique');
  if (delivered instanceof Set) delivered.add(h);
  else delivered.set(h, 1);
  dovecot.deliver('alice', raw, name);
}
