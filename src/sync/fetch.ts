import { createHash, type Hash } from 'node:crypto';
import type { AuthMethod } from '../pop3/auth/types';
import { Pop3Client, type RetrJob } from '../pop3/client';
import { Pop3Error } from '../pop3/errors';
import { headerEnd } from '../mail/headers';
import { readLastCheck, writeLastCheck } from '../store/last-check';
import { StoreLock, type LockOwner } from '../store/lock';
import type { MailStore } from '../store/store';
import type { MessageWriter } from '../store/maildir';
import { uidlKey } from '../store/maildir';
import { sameTransport, transportOf } from '../store/transport';
import type { AccountConfig } from './account';
import { connectOptions } from './connect';
import { contentKey, listServer } from './identity';
import { planSync, type PlannedDelete, type PlannedDownload, type SyncPlan } from './plan';
import type { DownloadPolicy, RetentionPolicy } from './policy';

export interface FetchProgress {
  readonly messages: number;
  readonly totalMessages: number;
  readonly bytes: number;
  readonly totalBytes: number;
}

export interface FetchOptions {
  readonly account: AccountConfig;
  /** For password logins. */
  readonly password?: string;
  /** OAuth 2 access token, for XOAUTH2 and OAUTHBEARER (the caller obtains and refreshes it). */
  readonly token?: string;
  readonly store: MailStore;
  readonly retention?: RetentionPolicy;
  readonly download?: DownloadPolicy;
  /** Plan only: log in, list, and return the plan without downloading or deleting anything. */
  readonly dryRun?: boolean;
  /** Download even when every UIDL on the server is new (server migration, T26). */
  readonly acceptNewUidls?: boolean;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: FetchProgress) => void;
  /** Called with the plan before anything is downloaded or deleted. */
  readonly onPlan?: (plan: SyncPlan) => void;
  /** Redacted protocol trace, one line per command or reply. */
  readonly trace?: (line: string) => void;
  /** The clock (tests inject one). */
  readonly now?: () => number;
  /**
   * How long to wait, in ms, while another process (a window, the CLI)
   * fetches into the same store; default 0: throw StoreBusyError at once.
   */
  readonly waitForStore?: number;
  /** Called once when this fetch starts waiting for another process's. */
  readonly onWaitForStore?: (owner: LockOwner | undefined) => void;
  /**
   * An automatic check asked for at this time (epoch ms): skip it when
   * another process (a window) completed a check of this store since, while
   * this one waited for it (the shared record, last-check.ts).
   */
  readonly skipIfCheckedSince?: number;
}

export interface FetchResult {
  /** Messages downloaded in this run (in full or headers only). */
  readonly downloaded: number;
  readonly headersOnly: number;
  readonly bytes: number;
  /** Messages on the server when the session started. */
  readonly onServer: number;
  /** Messages deleted from the server (committed by QUIT). */
  readonly deleted: number;
  readonly plan: SyncPlan;
  readonly warnings: readonly string[];
  /** Set when the check was skipped because another process checked at this time (epoch ms). */
  readonly checkedElsewhere?: number;
}

/** Messages being written (and fsynced) at once: enough to keep the disk's queue full, few enough to bound open files and memory. */
const MAX_SYNCING = 32;
/** Their bytes at most (each is held in memory until written): 32 messages of 1 MiB would add 32 MB to the peak. */
const MAX_SYNCING_BYTES = 8 * 1024 * 1024;

/** Lines of body TOP fetches for a headers-only message, for its snippet. */
const SNIPPET_LINES = 20;

/**
 * One sync of one account (mpop's flow: LIST/UIDL -> RETR -> DELE -> QUIT).
 * A message the server will delete is fsynced and renamed into the Maildir
 * before it counts; one it keeps is synced with the rest before QUIT; a
 * partial message is discarded (T21, T22). DELE is sent only for messages
 * already stored durably, never for a duplicated UIDL, and only commits when
 * QUIT succeeds. Throws Pop3Error.
 */
export async function fetchMail(options: FetchOptions): Promise<FetchResult> {
  const lock = await StoreLock.acquire(options.store.dir, { waitMs: options.waitForStore, onWait: options.onWaitForStore, signal: options.signal }).catch((err: unknown) => {
    throw options.signal?.aborted ? new Pop3Error('Aborted', 'The fetch was cancelled while it waited for another one.', { cause: err }) : err;
  });
  try {
    // What another process stored while this one waited (or since it last looked) is known before planning.
    options.store.reloadIfChanged();
    const now = options.now ?? Date.now;
    const last = options.skipIfCheckedSince !== undefined ? readLastCheck(options.store.dir) : undefined;
    if (last !== undefined && last >= options.skipIfCheckedSince!) return skippedCheck(last);
    const result = await fetchLocked(options);
    if (!options.dryRun) writeLastCheck(options.store.dir, now());
    return result;
  } finally {
    lock.release();
  }
}

function skippedCheck(at: number): FetchResult {
  const plan: SyncPlan = { mode: 'uidl', download: [], delete: [], deleteNewAfterDownload: false, skip: [], duplicates: [], warnings: [] };
  return { downloaded: 0, headersOnly: 0, bytes: 0, onServer: 0, deleted: 0, plan, warnings: [], checkedElsewhere: at };
}

async function fetchLocked(options: FetchOptions): Promise<FetchResult> {
  const { account, store, signal } = options;
  const now = options.now ?? Date.now;
  const state = store.readState();
  if (state.loginDelay && state.lastLogin !== undefined) {
    const wait = state.lastLogin + state.loginDelay * 1000 - now();
    if (wait > 0) {
      throw new Pop3Error('LoginDelay', `The server allows one login every ${state.loginDelay} s; try again in ${Math.ceil(wait / 1000)} s.`);
    }
  }
  const client = await Pop3Client.connect(connectOptions(account, { signal, trace: options.trace }));
  const open = new Set<MessageWriter>();
  try {
    await client.authenticate({ user: account.user, password: options.password, token: options.token }, account.auth ?? ('auto' satisfies AuthMethod));
    const caps = await client.capa();
    const delay = caps.get('LOGIN-DELAY');
    const loginDelay = delay && /^\d+/.test(delay) ? parseInt(delay, 10) : undefined;
    // Only a server with LOGIN-DELAY needs the login time on disk (saves an fsync per fetch otherwise).
    if (loginDelay !== undefined || state.loginDelay !== undefined) store.writeState({ ...state, lastLogin: now(), loginDelay });
    // Written only when it changes (the first fetch, a changed account): no fsync per fetch.
    const transport = transportOf(account);
    if (!sameTransport(state.transport, transport)) store.writeState({ ...store.readState(), transport });

    const listing = await listServer(client);
    const plan = planSync({
      mode: listing.mode,
      server: listing.messages,
      local: (uidl) => {
        const m = store.byUidl(uidl);
        return m && { headersOnly: m.headersOnly === true, trashed: m.trashed === true, downloadedMs: m.downloaded ? Date.parse(m.downloaded) : undefined };
      },
      storeEmpty: store.size === 0,
      skipped: new Set(state.skipped ?? []),
      lastServerCount: state.lastServerCount ?? 0,
      retention: options.retention ?? {},
      download: options.download ?? {},
      now: now(),
      acceptNewUidls: options.acceptNewUidls === true,
      serverHidesRetrieved: isGmailGreeting(client.greeting),
      localCount: store.size,
      deletedFromServer: state.deletedFromServer === true,
    });
    const warnings = [...plan.warnings, ...expireWarnings(caps.get('EXPIRE'), options.retention ?? {})];
    options.onPlan?.(plan);
    const result = (downloaded: number, headersOnly: number, bytes: number, deleted: number): FetchResult => ({
      downloaded,
      headersOnly,
      bytes,
      onServer: listing.messages.length,
      deleted,
      plan,
      warnings,
    });
    if (options.dryRun || plan.anomaly) {
      await client.quit();
      return result(0, 0, 0, 0);
    }
    const settled = settleDeleting(store, state.deleting, listing.mode, listing.messages);
    if (plan.skip.length) {
      store.writeState({ ...store.readState(), skipped: [...(state.skipped ?? []), ...plan.skip.map((s) => uidlKey(s.uidl))] });
    }

    const totalBytes = plan.download.reduce((sum, d) => sum + (d.headersOnly ? 0 : d.size), 0);
    const progress = { messages: 0, totalMessages: plan.download.length, bytes: 0, totalBytes };
    options.onProgress?.({ ...progress });
    const tick = (bytes: number): void => {
      progress.messages++;
      progress.bytes += bytes;
      options.onProgress?.({ ...progress });
    };
    const fresh: PlannedDelete[] = [];
    // The last copy is fsynced before it counts, on the thread pool while
    // the next messages arrive; a copy the server keeps is synced once, at
    // the end. (One sync before the first DELE was tried for deleting
    // fetches too and measured slower: 1,000 messages wait for all their
    // write-back after the download instead of during it.)
    const deferSync = !plan.deleteNewAfterDownload && !expiresAtOnce(caps.get('EXPIRE')) && !isGmailGreeting(client.greeting);
    let headersOnly = 0;
    for (const d of plan.download.filter((x) => x.headersOnly)) {
      await fetchHeaders(client, store, d, open, deferSync);
      headersOnly++;
      tick(0);
    }
    await fetchFull(client, store, plan.download.filter((x) => !x.headersOnly), listing.mode, open, deferSync, (d, bytes, stored) => {
      if (stored && plan.deleteNewAfterDownload && !plan.duplicates.includes(d.uidl)) fresh.push({ n: d.n, uidl: d.uidl, rule: 'after-download' });
      tick(bytes);
    });
    await store.syncDeferred();
    store.flush();

    const deletions = [...plan.delete, ...fresh];
    // Durable before the server is told anything: what we expect to remain there.
    const remaining = listing.messages.length - deletions.length;
    const current = store.readState();
    const deletedFromServer = current.deletedFromServer === true || deletions.length > 0 ? true : undefined;
    const expunging = deletions.filter((d) => d.rule === 'deleted-locally').map((d) => uidlKey(d.uidl));
    const deleting = expunging.length > 0 ? expunging : undefined;
    if (current.lastServerCount !== remaining || current.deletedFromServer !== deletedFromServer || settled || deleting) {
      store.writeState({ ...current, lastServerCount: remaining, deletedFromServer, deleting });
    }
    await client.deleMany(deletions.map((d) => d.n));
    await client.quit();
    for (const d of deletions) {
      // The user deleted it here and now the server has too: nothing left to keep.
      const m = d.rule === 'deleted-locally' ? store.byUidl(d.uidl) : undefined;
      if (m) store.expunge(m.id);
    }
    return result(progress.messages, headersOnly, progress.bytes, deletions.length);
  } catch (err) {
    client.close();
    for (const w of open) {
      try {
        w.abort();
      } catch {
        // a tmp/ file that cannot be removed now is removed by a later open (cleanTmp)
      }
    }
    // What was stored in full stays; syncing it now spares the next open its check.
    await store.syncDeferred().catch(() => undefined);
    throw err;
  }
}

/**
 * The messages the last session sent DELE for because they were deleted
 * here. DELE commits with QUIT, and a QUIT can commit on the server while
 * its answer is lost (a reset, a stall, a crash here): one of those that
 * the server no longer lists is gone there, and its local copy, still in
 * the trash, is forgotten as a confirmed QUIT would have done. One still
 * listed is deleted again by the plan. True when there was anything to
 * settle (the state is then rewritten without it).
 */
function settleDeleting(store: MailStore, deleting: readonly string[] | undefined, mode: string, listed: readonly { readonly uidl: string }[]): boolean {
  if (!deleting?.length) return false;
  // Only UIDLs say that a message is gone; the safe modes never delete.
  if (mode !== 'uidl') return true;
  const onServer = new Set(listed.map((m) => uidlKey(m.uidl)));
  for (const key of deleting) {
    if (onServer.has(key)) continue;
    const m = store.byUidl(key);
    if (m?.trashed) store.expunge(m.id);
  }
  return true;
}

/** A message over the size limit: its headers (and a few lines for the snippet) only. */
async function fetchHeaders(client: Pop3Client, store: MailStore, d: PlannedDownload, open: Set<MessageWriter>, deferSync: boolean): Promise<void> {
  const top = await client.top(d.n, SNIPPET_LINES);
  const end = headerEnd(top);
  const w = store.begin(d.uidl, true);
  open.add(w);
  w.write(end === -1 ? top : top.subarray(0, end));
  store.commit(w, { serverSize: d.size, summaryPrefix: top, deferSync });
  open.delete(w);
}

/** RETRs messages (pipelined when offered) straight into the Maildir. */
async function fetchFull(
  client: Pop3Client,
  store: MailStore,
  downloads: readonly PlannedDownload[],
  mode: SyncPlan['mode'],
  open: Set<MessageWriter>,
  deferSync: boolean,
  done: (d: PlannedDownload, bytes: number, stored: boolean) => void,
): Promise<void> {
  const writers = new Map<number, { w: MessageWriter; hash?: Hash }>();
  const byN = new Map(downloads.map((d) => [d.n, d]));
  const jobs: RetrJob[] = downloads.map((d) => ({
    n: d.n,
    listedSize: d.size,
    open: () => {
      const w = store.begin(mode === 'content' ? `pending-${d.n}` : d.uidl, false, d.size);
      const hash = mode === 'content' ? createHash('sha256') : undefined;
      open.add(w);
      writers.set(d.n, { w, hash });
      return (chunk) => {
        w.write(chunk);
        hash?.update(chunk);
      };
    },
  }));
  // Messages whose fsync runs on the thread pool; bounded so that open files
  // and unsynced bytes stay small, and awaited before anything is deleted.
  const syncing = new Set<Promise<void>>();
  let syncingBytes = 0;
  const waiting: (() => void)[] = [];
  let failure: unknown;
  const retrieving = client.retrMany(jobs, async (job, bytes) => {
    const { w, hash } = writers.get(job.n)!;
    writers.delete(job.n);
    if (hash) {
      const key = contentKey(hash.digest('hex'));
      if (store.hasUidl(key)) {
        w.abort(); // safe mode: we have this message already
        open.delete(w);
        done(byN.get(job.n)!, bytes, false);
        return;
      }
      w.rekey(key);
    }
    // Written (and, for the last copy, fsynced) on the thread pool while the next messages arrive.
    const size = w.bytes;
    syncingBytes += size;
    const p = (deferSync ? store.commitDeferred(w) : store.commitAsync(w)).then(
      () => {
        open.delete(w);
        done(byN.get(job.n)!, bytes, true);
      },
      (err: unknown) => {
        failure ??= err;
      },
    );
    syncing.add(p);
    void p.finally(() => {
      syncing.delete(p);
      syncingBytes -= size;
      waiting.shift()?.();
    });
    if (failure) throw failure;
    // Replies are pipelined, so several messages can wait here at once: each
    // write that ends lets one of them go (a race over the set per waiter
    // would wake them all for every write, thousands of reactions a second).
    if (syncing.size >= MAX_SYNCING || (syncing.size > 1 && syncingBytes >= MAX_SYNCING_BYTES)) await new Promise<void>((resolve) => waiting.push(resolve));
  });
  try {
    await retrieving;
  } finally {
    // Messages received in full are committed even when the connection broke
    // afterwards (T22): only the partial one is discarded, by the caller.
    await Promise.allSettled(syncing);
  }
  if (failure) throw failure;
}

/** EXPIRE 0: the server deletes what was retrieved when the session ends, whatever we ask. */
function expiresAtOnce(expire: string | undefined): boolean {
  return expire !== undefined && /^0(?!\d)/.test(expire.trim());
}

function expireWarnings(expire: string | undefined, retention: RetentionPolicy): string[] {
  if (expire === undefined) return [];
  const days = /^(\d+)/.exec(expire)?.[1];
  if (days === '0') return ['The server deletes messages once they are downloaded (EXPIRE 0), whatever this account\'s policy says.'];
  if (days && !retention.deleteAfterDownload && (retention.deleteAfterDays === undefined || retention.deleteAfterDays > Number(days))) {
    return [`The server keeps messages for ${days} day(s) only (EXPIRE ${days}).`];
  }
  return [];
}

/** Gmail greets with "+OK Gpop ready..."; its POP lists mail only until a session retrieved it. */
function isGmailGreeting(greeting: string): boolean {
  return greeting.startsWith('Gpop ') || greeting === 'Gpop';
}
