/** One line of the summary index: what the tree and the CLI list show. */
export interface MessageSummary {
  /**
   * Opaque, stable local id, derived from the UIDL (so it survives a
   * headers-only message being downloaded in full). Safe to put in URIs and
   * webview messages.
   */
  readonly id: string;
  /** The server's unique id for this message (RFC 1939 UIDL). */
  readonly uidl: string;
  /** Path of the message file relative to the account's Maildir, e.g. `new/<name>` or `cur/<name>:2,S`. */
  readonly file: string;
  readonly subject: string;
  readonly from: { readonly name: string; readonly address: string };
  /** Display form of the To header (addresses joined with ", "). */
  readonly to: string;
  /** ISO 8601 date from the Date header, or '' when missing or invalid. */
  readonly date: string;
  /** Size in bytes of the stored message (of the headers when headersOnly). */
  readonly size: number;
  readonly hasAttachments: boolean;
  readonly snippet: string;
  readonly seen: boolean;
  /** Only the headers are stored (the message was over the size limit). */
  readonly headersOnly?: boolean;
  /** Size the server announced (LIST), for headers-only messages. */
  readonly serverSize?: number;
  /** Deleted locally (Maildir flag T): hidden from the inbox, remembered so it is not fetched again. */
  readonly trashed?: boolean;
  /** When it was downloaded (ISO 8601), for "delete from the server after N days". */
  readonly downloaded?: string;
  /**
   * Message-ID without brackets, and the ids it answers (References, then
   * In-Reply-To, space-separated): what conversations are threaded by.
   * Entries indexed before these were kept have neither and thread by
   * subject only.
   */
  readonly messageId?: string;
  readonly references?: string;
}

/** The inbox order (MailStore.list(), the snapshot): newest first by the ISO date string, then by id, so that it is total. */
export const inboxOrder = (a: MessageSummary, b: MessageSummary): number =>
  a.date < b.date ? 1 : a.date > b.date ? -1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

/** What changed in a store, for views that keep their own copy (the tree). */
export type StoreChange =
  /** Read/unread or deleted/restored locally; the date, and so the inbox order, is the same. */
  | { readonly kind: 'flags'; readonly before: MessageSummary; readonly summary: MessageSummary }
  /** A message was stored (or a headers-only one replaced by its full download). */
  /** `raw`: the message's bytes as received, when they were still in memory (valid during the event only). */
  | { readonly kind: 'added'; readonly summary: MessageSummary; readonly raw?: readonly Buffer[] }
  /** A message was forgotten (expunged). */
  | { readonly kind: 'removed'; readonly summary: MessageSummary }
  /** Another process changed the store and it was read again: anything may differ. */
  | { readonly kind: 'reloaded' };
