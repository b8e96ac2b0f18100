// The sync plan: which server messages to download, which to delete and by
// which rule. Pure (no I/O), so every rule is tested on its own and the same
// plan is what `fetch --dry-run` prints and what the UI shows before a DELE.

import { DAY_MS, type DeleteRule, type DownloadPolicy, type RetentionPolicy, deletes } from './policy';

/** How messages are told apart on this server. */
export type IdentityMode =
  /** UIDL (RFC 1939): the normal case. */
  | 'uidl'
  /** No UIDL: a hash of the headers (TOP n 0). Safe mode: nothing is deleted. */
  | 'headers'
  /** Neither UIDL nor TOP: a hash of the whole message, known only after RETR. Safe mode. */
  | 'content';

export interface ServerMessage {
  readonly n: number;
  /** The UIDL, or the fallback identity in safe mode ('' in content mode). */
  readonly uidl: string;
  readonly size: number;
}

export interface LocalMessage {
  readonly headersOnly: boolean;
  readonly trashed: boolean;
  readonly downloadedMs: number | undefined;
}

export interface PlanInput {
  readonly mode: IdentityMode;
  readonly server: readonly ServerMessage[];
  readonly local: (uidl: string) => LocalMessage | undefined;
  /** The store holds no message at all (first sync). */
  readonly storeEmpty: boolean;
  readonly skipped: ReadonlySet<string>;
  readonly lastServerCount: number;
  readonly retention: RetentionPolicy;
  readonly download: DownloadPolicy;
  readonly now: number;
  readonly acceptNewUidls: boolean;
  /** The server says it is one that stops listing mail once a POP session retrieved it (Gmail's "+OK Gpop"). */
  readonly serverHidesRetrieved?: boolean;
  /** Messages the store holds from this account (stored before this run). */
  readonly localCount?: number;
  /** This client has ever deleted mail from the server (then "fewer listed than held" proves nothing). */
  readonly deletedFromServer?: boolean;
}

export interface PlannedDownload {
  readonly n: number;
  readonly uidl: string;
  readonly size: number;
  readonly headersOnly: boolean;
}

export interface PlannedDelete {
  readonly n: number;
  readonly uidl: string;
  readonly rule: DeleteRule;
}

export interface SyncPlan {
  readonly mode: IdentityMode;
  readonly download: readonly PlannedDownload[];
  readonly delete: readonly PlannedDelete[];
  /** Messages downloaded in full by this run are deleted after they are safely stored. */
  readonly deleteNewAfterDownload: boolean;
  /** Older messages left out by "newest N" on the first sync. */
  readonly skip: readonly { readonly n: number; readonly uidl: string }[];
  /** UIDLs the server lists more than once: fetched once, never deleted (T23). */
  readonly duplicates: readonly string[];
  /** Set when every message looks new although the server kept mail last time (T26). */
  readonly anomaly?: { readonly kind: 'all-new'; readonly count: number };
  readonly warnings: readonly string[];
}

export function planSync(input: PlanInput): SyncPlan {
  const { server, local, retention } = input;
  const warnings: string[] = [];
  const counts = new Map<string, number>();
  for (const m of server) counts.set(m.uidl, (counts.get(m.uidl) ?? 0) + 1);
  const duplicates = input.mode === 'content' ? [] : [...counts].filter(([, c]) => c > 1).map(([u]) => u);
  const dup = new Set(duplicates);
  if (duplicates.length) warnings.push(`The server lists ${duplicates.length} unique id(s) more than once; those messages are fetched once and never deleted.`);

  const safeMode = input.mode !== 'uidl';
  if (safeMode) {
    warnings.push(
      input.mode === 'headers'
        ? 'The server does not support UIDL: messages are matched by their headers, and nothing is deleted from the server.'
        : 'The server supports neither UIDL nor TOP: every message is downloaded to be matched, and nothing is deleted from the server.',
    );
  }

  // Each unique id once, in server order.
  const unique: ServerMessage[] = [];
  const taken = new Set<string>();
  for (const m of server) {
    if (input.mode !== 'content' && taken.has(m.uidl)) continue;
    taken.add(m.uidl);
    unique.push(m);
  }
  const isNew = (m: ServerMessage): boolean => input.mode === 'content' || (!local(m.uidl) && !input.skipped.has(m.uidl));
  const fresh = unique.filter(isNew);

  if (
    input.mode === 'uidl' &&
    input.lastServerCount > 0 &&
    unique.length > 0 &&
    fresh.length === unique.length &&
    !input.acceptNewUidls &&
    !hidesRetrieved(input, unique.length)
  ) {
    return { mode: input.mode, download: [], delete: [], deleteNewAfterDownload: false, skip: [], duplicates, anomaly: { kind: 'all-new', count: fresh.length }, warnings };
  }

  let wanted = fresh;
  let skip: { n: number; uidl: string }[] = [];
  const newest = input.download.newestOnFirstSync;
  if (input.storeEmpty && input.skipped.size === 0 && newest !== undefined && fresh.length > newest && input.mode !== 'content') {
    // POP3 numbers messages in arrival order: the highest numbers are the newest.
    const sorted = [...fresh].sort((a, b) => a.n - b.n);
    skip = sorted.slice(0, sorted.length - newest).map((m) => ({ n: m.n, uidl: m.uidl }));
    wanted = sorted.slice(sorted.length - newest);
  }
  const max = input.download.maxMessageSize;
  const download = wanted.map((m) => ({ n: m.n, uidl: m.uidl, size: m.size, headersOnly: max !== undefined && m.size > max && input.mode !== 'content' }));

  const del: PlannedDelete[] = [];
  if (!safeMode && deletes(retention)) {
    for (const m of unique) {
      if (dup.has(m.uidl)) continue;
      const have = local(m.uidl);
      if (!have) continue;
      const rule = deleteRule(have, retention, input.now);
      if (rule) del.push({ n: m.n, uidl: m.uidl, rule });
    }
  }
  return {
    mode: input.mode,
    download,
    delete: del,
    deleteNewAfterDownload: !safeMode && retention.deleteAfterDownload === true,
    skip,
    duplicates,
    warnings,
  };
}

/**
 * All-new UIDLs are also what a server shows that lists only mail no POP
 * session has retrieved yet (Gmail in its normal mode): that is not a
 * migration, and refusing would mean its new mail never arrives. Such a
 * server says so (Gmail's greeting), or shows it: it lists fewer messages
 * than we hold although we never deleted any there. A migration lists the
 * same mail again under new UIDLs, so at least as many as we hold: that is
 * still refused.
 */
function hidesRetrieved(input: PlanInput, listed: number): boolean {
  if (input.serverHidesRetrieved) return true;
  return input.localCount !== undefined && listed < input.localCount && input.deletedFromServer !== true;
}

/** The rule that deletes a stored message from the server now, if any. */
function deleteRule(have: LocalMessage, retention: RetentionPolicy, now: number): DeleteRule | undefined {
  if (have.trashed && retention.deleteWhenDeletedLocally) return 'deleted-locally';
  if (have.headersOnly) return undefined; // the body exists only on the server: never delete it by age or download
  if (retention.deleteAfterDownload) return 'after-download';
  const days = retention.deleteAfterDays;
  if (days !== undefined && have.downloadedMs !== undefined && now - have.downloadedMs >= days * DAY_MS) return 'after-days';
  return undefined;
}
