import * as fs from 'node:fs';
import { Pop3Client, type RetrJob } from '../pop3/client';
import type { TraceFn } from '../pop3/connection';
import { Pop3Error } from '../pop3/errors';
import type { MailStore } from '../store/store';
import type { MessageWriter } from '../store/maildir';
import type { AccountConfig } from './account';

export interface FetchProgress {
  readonly messages: number;
  readonly totalMessages: number;
  readonly bytes: number;
  readonly totalBytes: number;
}

export interface FetchOptions {
  readonly account: AccountConfig;
  readonly password: string;
  readonly store: MailStore;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: FetchProgress) => void;
  /** Redacted protocol trace, one line per command or reply. */
  readonly trace?: (line: string) => void;
}

export interface FetchResult {
  /** Messages downloaded in this run. */
  readonly downloaded: number;
  readonly bytes: number;
  /** Messages on the server. */
  readonly onServer: number;
}

/**
 * Downloads every message the store does not have yet, by UIDL (mpop's flow:
 * UIDL -> LIST -> RETR -> QUIT). Leaves mail on the server. Each message is
 * fsynced and renamed into the Maildir before it counts; a partial message
 * is discarded. Throws Pop3Error.
 */
export async function fetchMail(options: FetchOptions): Promise<FetchResult> {
  const { account, store, signal } = options;
  const trace: TraceFn | undefined = options.trace && ((dir, text) => options.trace!(`${dir}: ${text}`));
  const ca = account.caFile ? readCaFile(account.caFile) : undefined;
  const client = await Pop3Client.connect({
    host: account.host,
    port: account.port,
    security: account.security,
    ca,
    pin: account.pin,
    signal,
    trace,
  });
  const open = new Set<MessageWriter>();
  try {
    await client.authenticate({ user: account.user, password: options.password }, account.auth ?? 'auto');
    const uidls = await client.uidlAll();
    const sizes = new Map((await client.listAll()).map((e) => [e.n, e.size]));
    const seen = new Set<string>();
    const wanted = uidls.filter((u) => {
      // A UIDL the server lists twice is fetched once (T23).
      if (seen.has(u.uidl) || store.hasUidl(u.uidl)) return false;
      seen.add(u.uidl);
      return true;
    });
    const totalBytes = wanted.reduce((sum, u) => sum + (sizes.get(u.n) ?? 0), 0);
    let messages = 0;
    let bytes = 0;
    options.onProgress?.({ messages, totalMessages: wanted.length, bytes, totalBytes });
    const uidlOf = new Map(wanted.map((u) => [u.n, u.uidl]));
    const writers = new Map<number, MessageWriter>();
    const jobs: RetrJob[] = wanted.map((u) => ({
      n: u.n,
      listedSize: sizes.get(u.n),
      open: () => {
        const w = store.begin(uidlOf.get(u.n)!);
        open.add(w);
        writers.set(u.n, w);
        return (chunk) => w.write(chunk);
      },
    }));
    await client.retrMany(jobs, (job, size) => {
      const w = writers.get(job.n)!;
      writers.delete(job.n);
      store.commit(w);
      open.delete(w);
      messages++;
      bytes += size;
      options.onProgress?.({ messages, totalMessages: wanted.length, bytes, totalBytes });
    });
    store.flush();
    await client.quit();
    return { downloaded: messages, bytes, onServer: uidls.length };
  } catch (err) {
    for (const w of open) w.abort();
    client.close();
    throw err;
  }
}

function readCaFile(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new Pop3Error('Tls', `Cannot read the CA file ${file}: ${(err as Error).message}.`, { cause: err });
  }
}
