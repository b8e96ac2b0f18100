/** One line of the summary index: what the tree and the CLI list show. */
export interface MessageSummary {
  /** Opaque, stable local id (the Maildir unique name). Safe to put in URIs and webview messages. */
  readonly id: string;
  /** The server's unique id for this message (RFC 1939 UIDL). */
  readonly uidl: string;
  /** Path of the message file relative to the account's Maildir, e.g. `new/<id>`. */
  readonly file: string;
  readonly subject: string;
  readonly from: { readonly name: string; readonly address: string };
  /** Display form of the To header (addresses joined with ", "). */
  readonly to: string;
  /** ISO 8601 date from the Date header, or '' when missing or invalid. */
  readonly date: string;
  /** Size in bytes of the stored message. */
  readonly size: number;
  readonly hasAttachments: boolean;
  readonly snippet: string;
  readonly seen: boolean;
}
