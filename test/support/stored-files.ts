// What a store holds on disk, for tests that check it after crashes and
// faults: every file in Maildir new/ and cur/ with its UIDL key and content
// hash (cached by path: a file never changes its bytes, only its name).

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseName } from '../../src/store/maildir';

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
