import { Pop3Client } from '../pop3/client';
import { Pop3Error } from '../pop3/errors';
import type { MailStore } from '../store/store';
import type { MessageSummary } from '../store/types';
import type { AccountConfig } from './account';
import { connectOptions } from './connect';

export interface FullDownloadOptions {
  readonly account: AccountConfig;
  /** For password logins. */
  readonly password?: string;
  /** OAuth 2 access token, for XOAUTH2 and OAUTHBEARER. */
  readonly token?: string;
  readonly store: MailStore;
  /** The stored headers-only message to complete. */
  readonly id: string;
  readonly signal?: AbortSignal;
  readonly trace?: (line: string) => void;
}

/**
 * "Download the full message": fetches the whole of a message that was stored
 * headers-only (over the size limit). The message is found on the server by
 * its UIDL; numbers are valid for one session only (T24). The headers-only
 * copy is replaced only once the full one is safely stored.
 */
export async function downloadFull(options: FullDownloadOptions): Promise<MessageSummary> {
  const { account, store } = options;
  const entry = store.get(options.id);
  if (!entry) throw new Error('That message is no longer in the local store.');
  if (!entry.headersOnly) return entry;
  const client = await Pop3Client.connect(connectOptions(account, { signal: options.signal, trace: options.trace }));
  let writer: ReturnType<MailStore['begin']> | undefined;
  try {
    await client.authenticate({ user: account.user, password: options.password, token: options.token }, account.auth ?? 'auto');
    const matches = (await client.uidlAll()).filter((u) => u.uidl === entry.uidl);
    if (matches.length !== 1) {
      throw new Pop3Error('ServerPerm', matches.length === 0 ? 'The message is no longer on the server.' : 'The server lists this message more than once; it cannot be told apart.');
    }
    const w = store.begin(entry.uidl);
    writer = w;
    let full: MessageSummary | undefined;
    await client.retrMany([{ n: matches[0]!.n, open: () => (chunk) => w.write(chunk) }], () => {
      full = store.commit(w);
      writer = undefined;
    });
    store.flush();
    await client.quit();
    return full!;
  } catch (err) {
    writer?.abort();
    client.close();
    throw err;
  }
}
